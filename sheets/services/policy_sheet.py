"""Writes of the 行政評価シート（施策の方針） (Kamakura, form 002): one input, one atomic save.

The edit page changes the header (作成日, 評価者 per department), the per-department texts of
§1, §4, ※, §6 – §9 and the three evaluations of every program linked in S (§3). Everything else the
sheet prints is rolled up from the programs and is never typed here.

:func:`policy_sheet_edit_state` reads what the edit page starts from: the printed context and the
current values in the shape of the save input.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sheets import history
from sheets.choices import CONTRIBUTION, DIRECTION, FormType, OrgUnitKind, SignatoryRole
from sheets.history import records_history
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    NarrativeBlock,
    OrgUnit,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    ProgramSheet,
    SheetSignatory,
)
from sheets.selectors import PolicySheetContext, choice_options, policy_sheet_context
from sheets.selectors.policy_sheet import SECTION_TITLES, _department

from .locking import lock_for_edit, mark_saved
from .program_sheet_save import _full_clean_fields

# ---- input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatoryInput:
    """評価者 of one department: the 部, 職名 and 氏名; ``pk`` of an existing row."""

    org_unit_id: int | None
    title: str
    person_name: str
    pk: int | None = None


@dataclass(frozen=True)
class ProgramEvaluationInput:
    """§3 evaluations of one linked program (ChoiceOption ids); blank 事業評価 prints the 個表 direction."""

    program_id: int
    program_evaluation_id: int | None
    contribution_id: int | None
    final_evaluation_id: int | None


@dataclass(frozen=True)
class PolicySheetInput:
    """Everything the edit page of a policy sheet sends."""

    sheet_date: datetime.date | None
    signatories: Sequence[SignatoryInput] = field(default_factory=tuple)
    # (section key such as "002.1", department id) → text
    narratives: Mapping[tuple[str, int], str] = field(default_factory=dict)
    program_evaluations: Sequence[ProgramEvaluationInput] = field(default_factory=tuple)


# ---- what the edit page starts from ----------------------------------------------------------


@dataclass
class PolicySheetEditState:
    """The printed context, the current values as an input, and the choices of the page."""

    context: PolicySheetContext
    data: PolicySheetInput
    departments: list[OrgUnit]  # the organisation's 部, choices of a 評価者
    direction_options: list[ChoiceOption]  # 事業評価 and 最終評価
    contribution_options: list[ChoiceOption]
    stored_options: dict[int, ChoiceOption]  # options on the rows, kept even when out of the lists
    default_directions: dict[int, ChoiceOption | None]  # program id → 個表 今後の方針

    @property
    def sheet(self) -> EvaluationSheet:
        return self.context.sheet


def _evaluations(sheet) -> dict[int, ProgramPolicyEvaluation]:
    return {
        ev.program_id: ev
        for ev in ProgramPolicyEvaluation.objects.filter(sheet=sheet).select_related(
            "program_evaluation", "contribution", "final_evaluation"
        )
    }


def _current_evaluation(program_id: int, ev: ProgramPolicyEvaluation | None) -> ProgramEvaluationInput:
    if ev is None:
        return ProgramEvaluationInput(program_id, None, None, None)
    return ProgramEvaluationInput(
        program_id, ev.program_evaluation_id, ev.contribution_id, ev.final_evaluation_id
    )


def policy_sheet_edit_state(*, sheet_id: int) -> PolicySheetEditState:
    """Current values of a policy sheet in a fixed number of queries, whatever the number of programs."""
    ctx = policy_sheet_context(sheet_id=sheet_id)
    sheet = ctx.sheet
    evaluations = _evaluations(sheet)
    program_ids = [row.program.pk for row in ctx.program_rows]
    # The same lookup as the selector's default 事業評価, kept apart here because the page shows it
    # as the blank choice while the printed row merges it with the stored value.
    default_directions = {
        ps.sheet.program_id: ps.direction
        for ps in ProgramSheet.objects.filter(
            sheet__form_type=FormType.KAMAKURA_PROGRAM,
            sheet__evaluation_fy=sheet.evaluation_fy,
            sheet__program__in=program_ids,
        ).select_related("sheet", "direction")
    }
    signatories = SheetSignatory.objects.filter(sheet=sheet, role=SignatoryRole.EVALUATOR).select_related(
        "org_unit__parent__parent"
    )
    stored_options = {}
    for ev in evaluations.values():
        for option in (ev.program_evaluation, ev.contribution, ev.final_evaluation):
            if option is not None:
                stored_options[option.pk] = option
    data = PolicySheetInput(
        sheet_date=sheet.sheet_date,
        signatories=tuple(
            SignatoryInput(
                org_unit_id=dept.pk if (dept := _department(s.org_unit)) else None,
                title=s.title,
                person_name=s.person_name,
                pk=s.pk,
            )
            for s in signatories
        ),
        narratives={
            (key, entry.department.pk): entry.text
            for key, section in ctx.narratives.items()
            for entry in section.entries
            if entry.department is not None
        },
        program_evaluations=tuple(_current_evaluation(pk, evaluations.get(pk)) for pk in program_ids),
    )
    org, fy = sheet.organization_id, sheet.evaluation_fy
    return PolicySheetEditState(
        context=ctx,
        data=data,
        departments=list(_departments(org)),
        direction_options=list(choice_options(DIRECTION, organization_id=org, fiscal_year=fy)),
        contribution_options=list(choice_options(CONTRIBUTION, organization_id=org, fiscal_year=fy)),
        stored_options=stored_options,
        default_directions=default_directions,
    )


def _departments(organization_id: int):
    return OrgUnit.objects.filter(organization_id=organization_id, kind=OrgUnitKind.DEPARTMENT).order_by(
        "order", "name"
    )


# ---- save ------------------------------------------------------------------------------------


@records_history
@transaction.atomic
def policy_sheet_save(
    *, sheet: EvaluationSheet, data: PolicySheetInput, by, expected_version: int
) -> EvaluationSheet:
    """Save the header, the 評価者, the per-department texts and the §3 evaluations at once, or nothing.

    Optimistic locking as for the 個表: a save based on another version than the stored one raises
    :class:`StaleSheetError`; on success ``version`` goes up by one and ``updated_by`` is set.
    評価者 rows left out of ``data`` are removed; their departments' texts are kept (not printed while
    the department has no 評価者, shown again when it gets one back).
    """
    locked = lock_for_edit(sheet, expected_version)
    if locked.form_type != FormType.KAMAKURA_POLICY:
        raise ValidationError(_("施策の方針の行政評価シートではありません。"), code="form_type")

    departments = {u.pk: u for u in _departments(locked.organization_id)}
    _save_signatories(locked, data.signatories, departments)
    _save_narratives(locked, data.narratives, departments, data.signatories)
    _save_program_evaluations(locked, data.program_evaluations)

    locked.sheet_date = data.sheet_date
    _full_clean_fields(locked)
    return mark_saved(locked, by, "sheet_date")


def _save_signatories(sheet, rows: Sequence[SignatoryInput], departments: dict[int, OrgUnit]) -> None:
    """Update 評価者 rows by pk, create new ones, delete those left out (order = position)."""
    current = {s.pk: s for s in SheetSignatory.objects.filter(sheet=sheet, role=SignatoryRole.EVALUATOR)}
    kept, seen = set(), set()
    for order, row in enumerate(rows, start=1):
        if row.org_unit_id not in departments:
            raise ValidationError(_("評価者の部の選択肢が正しくありません。"), code="invalid_choice")
        if row.org_unit_id in seen:
            raise ValidationError(
                _("%(department)sの評価者が重複しています。")
                % {"department": departments[row.org_unit_id].name},
                code="duplicate_department",
            )
        seen.add(row.org_unit_id)
        instance = current.get(row.pk) if row.pk else None
        if row.pk and instance is None:
            raise ValidationError(_("他のシートの行は変更できません。"), code="foreign_row")
        wanted = (row.org_unit_id, row.title, row.person_name, order)
        if (
            instance is not None
            and (
                instance.org_unit_id,
                instance.title,
                instance.person_name,
                instance.order,
            )
            == wanted
        ):
            kept.add(instance.pk)
            continue
        instance = instance or SheetSignatory(sheet=sheet, role=SignatoryRole.EVALUATOR)
        instance.org_unit_id, instance.title, instance.person_name, instance.order = wanted
        _full_clean_fields(instance)
        instance.save()
        kept.add(instance.pk)
    SheetSignatory.objects.filter(sheet=sheet, role=SignatoryRole.EVALUATOR).exclude(pk__in=kept).delete()


def _save_narratives(sheet, narratives, departments, signatories) -> None:
    """One block per (section, department); a blank text creates nothing, an unchanged one writes nothing.

    §1 saved with last year's §9 as its text (the page's initial value) becomes this sheet's own block.
    """
    positions = {row.org_unit_id: order for order, row in enumerate(signatories, start=1)}
    existing = {
        (b.section_key, b.org_unit_id): b
        for b in NarrativeBlock.objects.filter(
            sheet=sheet, section_key__in=SECTION_TITLES, sub_program__isnull=True, column_key=""
        )
    }
    for (key, department_id), text in narratives.items():
        if key not in SECTION_TITLES:
            raise ValidationError(_("この様式にない記述欄です。"), code="unknown_section")
        if department_id not in departments:
            raise ValidationError(_("記述欄の部が正しくありません。"), code="invalid_department")
        block = existing.get((key, department_id))
        if block is None:
            if not text:
                continue
            block = NarrativeBlock(
                sheet=sheet,
                section_key=key,
                org_unit_id=department_id,
                order=positions.get(department_id, 0),
            )
        elif block.text == text:
            continue
        block.text = text
        _full_clean_fields(block)
        block.save()


def _save_program_evaluations(sheet, rows: Sequence[ProgramEvaluationInput]) -> None:
    """事業評価, 貢献度 and 最終評価 of the programs linked in S, written in bulk (no query per row).

    Existing rows keep their ``order``; a program evaluated for the first time is placed after them.
    """
    linked = {
        link.program_id: link.program
        for link in ProgramPolicyLink.objects.filter(
            policy_node_id=sheet.policy_node_id, fiscal_year=sheet.subject_fy
        ).select_related("program")
    }
    existing = _evaluations(sheet)
    org, fy = sheet.organization_id, sheet.evaluation_fy
    directions = set(
        choice_options(DIRECTION, organization_id=org, fiscal_year=fy).values_list("pk", flat=True)
    )
    contributions = set(
        choice_options(CONTRIBUTION, organization_id=org, fiscal_year=fy).values_list("pk", flat=True)
    )
    next_order = max((ev.order for ev in existing.values()), default=0)
    errors, to_create, to_update, seen = [], [], [], set()
    for row in rows:
        program = linked.get(row.program_id)
        if program is None or row.program_id in seen:
            raise ValidationError(_("この施策の方針にひもづく事業ではありません。"), code="foreign_program")
        seen.add(row.program_id)
        ev = existing.get(row.program_id)
        wanted = (row.program_evaluation_id, row.contribution_id, row.final_evaluation_id)
        stored = (
            (ev.program_evaluation_id, ev.contribution_id, ev.final_evaluation_id)
            if ev
            else (None, None, None)
        )
        # An option stored before its list changed stays valid for its own cell.
        for chosen, allowed, current in zip(
            wanted, (directions, contributions, directions), stored, strict=True
        ):
            if chosen is not None and chosen not in allowed and chosen != current:
                raise ValidationError(
                    _("%(program)s: 選択肢が正しくありません。") % {"program": _program_label(program)},
                    code="invalid_choice",
                )
        if row.final_evaluation_id is None:
            errors.append(
                ValidationError(
                    _("%(program)s: 最終評価を選択してください。") % {"program": _program_label(program)},
                    code="required",
                )
            )
            continue
        if ev is None:
            next_order += 1
            ev = ProgramPolicyEvaluation(sheet=sheet, program=program, order=next_order)
            to_create.append(ev)
        elif stored == wanted:
            continue
        else:
            to_update.append(ev)
        ev.program_evaluation_id, ev.contribution_id, ev.final_evaluation_id = wanted
        _full_clean_fields(ev)
    if errors:
        raise ValidationError(errors)
    history.bulk_create(ProgramPolicyEvaluation, to_create)
    history.bulk_update(
        ProgramPolicyEvaluation, to_update, ["program_evaluation", "contribution", "final_evaluation"]
    )


def _program_label(program) -> str:
    return f"{program.code} {program.name}"


__all__ = [
    "PolicySheetEditState",
    "PolicySheetInput",
    "ProgramEvaluationInput",
    "SignatoryInput",
    "policy_sheet_edit_state",
    "policy_sheet_save",
]
