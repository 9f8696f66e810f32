"""Fiscal years: locking (確定) with every printed figure frozen, and the rollover to the next year.

Locking stores, per sheet, what its page, PDF and workbook show at that moment (SheetSnapshot) and the
computed figures with the method and rule behind them (EvaluationSheet.frozen_values): later changes
to a formula or to linked data never alter a locked sheet or its outputs.

The rollover creates next year's sheets from this year's: the programs still running (a program that
ended is not carried; its successors are), their per-year rows, policy links, staffing and unit costs
copied to the new subject year, actuals left empty, and the narratives the forms carry forward
(施策の方針 §9 → next §1; the 検証票's Action becomes next year's 反映状況 by itself). Rerunning it
creates nothing twice.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from indicators.models import PersonnelUnitCost, StaffAllocation
from sheets.choices import FormType, SheetStatus
from sheets.history import records_history
from sheets.models import (
    EvaluationSheet,
    FiscalYear,
    NarrativeBlock,
    Organization,
    ProgramPolicyLink,
    ProgramYear,
    SheetSnapshot,
)
from sheets.permissions import is_administrator

FROZEN_DEPTH = 8


def _jsonable(value, depth: int = 0):
    """A context dataclass as plain JSON: numbers as strings (exact), model rows as their text."""
    if depth > FROZEN_DEPTH:
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, depth + 1) for v in value]
    if isinstance(value, Decimal | datetime.date):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def freeze_sheet(sheet: EvaluationSheet) -> SheetSnapshot:
    """Store what the sheet prints now: page body, PDF, workbook and its computed figures."""
    from sheets.exports import render_export, sheet_print_context
    from sheets.sheet_body import render_body

    context = sheet_print_context(sheet)
    snapshot, _created = SheetSnapshot.objects.update_or_create(
        sheet=sheet,
        defaults={
            "body_html": render_body(sheet, context=context, screen=False).html,
            "pdf": render_export(sheet, "pdf"),
            "xlsx": render_export(sheet, "xlsx"),
        },
    )
    sheet.frozen_values = {"form_type": sheet.form_type, "context": _jsonable(context["ctx"])}
    return snapshot


@records_history
@transaction.atomic
def fiscal_year_lock(
    *, organization: Organization, evaluation_fy: int, by, system: bool = False
) -> FiscalYear:
    """確定: every sheet of the year must be approved or published; all of them are frozen.

    ``system`` is the command line acting for the installation (no user to check).
    """
    if not system and not is_administrator(by, organization.pk):
        raise PermissionDenied(_("年度の確定は管理者のみが行えます。"))
    year, _created = FiscalYear.objects.select_for_update().get_or_create(
        organization=organization, evaluation_fy=evaluation_fy
    )
    if year.is_locked:
        raise ValidationError(_("この年度はすでに確定済みです。"), code="already_locked")
    sheets = list(
        EvaluationSheet.objects.select_for_update(of=("self",))
        .filter(organization=organization, evaluation_fy=evaluation_fy)
        .select_related("program", "policy_node")
    )
    pending = [s for s in sheets if s.status not in (SheetStatus.APPROVED, SheetStatus.PUBLISHED)]
    if pending:
        names = "、".join(str(s.subject) for s in pending[:5])
        more = _("ほか%(n)d件") % {"n": len(pending) - 5} if len(pending) > 5 else ""
        raise ValidationError(
            _("承認されていないシートがあるため確定できません: %(names)s%(more)s")
            % {"names": names, "more": more},
            code="pending",
        )
    now = timezone.now()
    for sheet in sheets:
        freeze_sheet(sheet)
        sheet.locked_at = now
        sheet.save(update_fields=["frozen_values", "locked_at", "updated_at"])
    year.locked_at, year.locked_by = now, by
    year.save(update_fields=["locked_at", "locked_by"])
    return year


@records_history
@transaction.atomic
def fiscal_year_unlock(*, organization: Organization, evaluation_fy: int, by, reason: str) -> FiscalYear:
    """確定の解除 (administrators, with a reason): the sheets compute live again."""
    if not is_administrator(by, organization.pk):
        raise PermissionDenied(_("年度の確定の解除は管理者のみが行えます。"))
    if not reason.strip():
        raise ValidationError({"reason": _("確定を解除する理由を入力してください。")})
    year = FiscalYear.objects.select_for_update().get(organization=organization, evaluation_fy=evaluation_fy)
    sheets = EvaluationSheet.objects.filter(organization=organization, evaluation_fy=evaluation_fy)
    SheetSnapshot.objects.filter(sheet__in=sheets).delete()
    for sheet in sheets:
        sheet.locked_at = None
        sheet.frozen_values = None
        sheet.save(update_fields=["locked_at", "frozen_values", "updated_at"])
    year.locked_at, year.locked_by = None, None
    year.save(update_fields=["locked_at", "locked_by"])
    return year


@dataclasses.dataclass
class RolloverResult:
    created: list[EvaluationSheet]
    existing: int
    ended: list[str]


def _copy_rows(model, filters: dict, from_year: int, to_year: int, key_fields: tuple[str, ...]) -> int:
    """Copy a model's rows of one year to the next where the next year has none (idempotent)."""
    existing = {
        tuple(getattr(r, f) for f in key_fields) for r in model.objects.filter(**filters, fiscal_year=to_year)
    }
    copies = []
    for row in model.objects.filter(**filters, fiscal_year=from_year):
        if tuple(getattr(row, f) for f in key_fields) in existing:
            continue
        row.pk = None
        row.id = None
        row.fiscal_year = to_year
        copies.append(row)
    for row in copies:
        row.save()
    return len(copies)


def _carried_programs(sheet: EvaluationSheet, to_fy: int):
    """The program a program sheet moves to: itself while it runs, else its running successors."""
    program = sheet.program
    if program.is_active_in(to_fy - 1):
        return [program]
    return [p for p in program.successors.all() if p.is_active_in(to_fy - 1)]


@records_history
@transaction.atomic
def rollover(
    *, organization: Organization, from_fy: int, to_fy: int, by, system: bool = False
) -> RolloverResult:
    """Create the ``to_fy`` sheets of ``organization`` from its ``from_fy`` sheets."""
    if not system and not is_administrator(by, organization.pk):
        raise PermissionDenied(_("年度の繰越は管理者のみが行えます。"))
    if to_fy != from_fy + 1:
        raise ValidationError(_("繰越先は翌年度を指定してください。"), code="year")
    s_from, s_to = from_fy - 1, to_fy - 1
    FiscalYear.objects.get_or_create(organization=organization, evaluation_fy=to_fy)
    result = RolloverResult(created=[], existing=0, ended=[])
    sheets = EvaluationSheet.objects.filter(organization=organization, evaluation_fy=from_fy).select_related(
        "program", "policy_node"
    )
    for sheet in sheets:
        subjects = _carried_programs(sheet, to_fy) if sheet.program_id else [sheet.policy_node]
        if not subjects:
            result.ended.append(str(sheet.subject))
        for subject in subjects:
            field = "program" if sheet.program_id else "policy_node"
            new, created = EvaluationSheet.objects.get_or_create(
                organization=organization,
                form_type=sheet.form_type,
                evaluation_fy=to_fy,
                **{field: subject},
            )
            if not created:
                result.existing += 1
                continue
            result.created.append(new)
            if field == "program":
                _carry_program(subject, s_from, s_to)
            for signatory in sheet.signatories.all():
                signatory.pk = None
                signatory.sheet = new
                signatory.save()
            if sheet.form_type == FormType.KAMAKURA_POLICY:
                _carry_targets_to_section_1(sheet, new)
    _copy_rows(PersonnelUnitCost, {"organization": organization}, from_fy, to_fy, ("category_id",))
    return result


def _carry_program(program, s_from: int, s_to: int) -> None:
    programs = [program, *program.children.all()]
    for p in programs:
        _copy_rows(ProgramYear, {"program": p}, s_from, s_to, ())
        _copy_rows(ProgramPolicyLink, {"program": p}, s_from, s_to, ("policy_node_id",))
        # Staffing is printed up to E: the new E starts with this E's staff.
        _copy_rows(StaffAllocation, {"program": p}, s_from + 1, s_to + 1, ("category_id",))


def _carry_targets_to_section_1(sheet: EvaluationSheet, new: EvaluationSheet) -> None:
    """施策の方針: this year's §9 (今年度の目標) becomes next year's §1 (前年度の目標)."""
    for block in NarrativeBlock.objects.filter(sheet=sheet, section_key="002.9"):
        NarrativeBlock.objects.get_or_create(
            sheet=new,
            section_key="002.1",
            org_unit=block.org_unit,
            sub_program=None,
            column_key="",
            defaults={"text": block.text},
        )


__all__ = ["RolloverResult", "fiscal_year_lock", "fiscal_year_unlock", "freeze_sheet", "rollover"]
