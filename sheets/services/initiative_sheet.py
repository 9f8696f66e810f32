"""Writes of the 「主な取組」検証票: one input dataclass, one atomic save with optimistic locking.

The carry-over of last year's improvement plans into 2 (2) needs no write to be seen (the selector
lists them); :func:`improvement_reflections_carry_over` snapshots them into this year's sheet so that
a later change of last year's sheet cannot change what this year's sheet printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from sheets.choices import OKI_ACTION_TYPE, OKI_CHECK_TYPE
from sheets.models import (
    CheckFactor,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    OkinawaInitiativeSheet,
)
from sheets.selectors import choice_options, initiative_sheet_context, progress_status_problem

from .program_sheet_input import StaleSheetError


@dataclass(frozen=True)
class TypedRowInput:
    """A Check factor or an Action plan: 類型 (ChoiceOption id) and 内容; ``pk`` of an existing row."""

    type_id: int | None
    content: str
    pk: int | None = None


@dataclass(frozen=True)
class ReflectionInput:
    """反映状況 of one of last year's improvement plans."""

    source_plan_id: int
    reflection_text: str


@dataclass(frozen=True)
class InitiativeSheetInput:
    """Everything the edit page of a 検証票 sends."""

    progress_status_id: int | None
    status_basis: str
    activity_overview: str = ""
    activity_done: str = ""
    activity_plan: str = ""
    reflections: Sequence[ReflectionInput] = field(default_factory=tuple)
    check_rows: Sequence[TypedRowInput] = field(default_factory=tuple)
    action_rows: Sequence[TypedRowInput] = field(default_factory=tuple)


def _previous_plans(sheet: EvaluationSheet):
    return ImprovementPlan.objects.filter(
        sheet__program_id=sheet.program_id,
        sheet__form_type=sheet.form_type,
        sheet__evaluation_fy=sheet.evaluation_fy - 1,
    ).order_by("order", "id")


@transaction.atomic
def improvement_reflections_carry_over(*, sheet: EvaluationSheet) -> list[ImprovementReflection]:
    """Snapshot last year's Action plans into this year's 2 (2) rows (idempotent)."""
    existing = {r.source_plan_id: r for r in ImprovementReflection.objects.filter(sheet=sheet)}
    rows = []
    for order, plan in enumerate(_previous_plans(sheet), start=1):
        reflection = existing.get(plan.pk)
        if reflection is None:
            reflection = ImprovementReflection(
                sheet=sheet, source_plan=plan, plan_text=plan.content, order=order
            )
            reflection.full_clean()
            reflection.save()
        rows.append(reflection)
    return rows


def _option_ids(key: str, sheet: EvaluationSheet) -> set[int]:
    return set(
        choice_options(
            key, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy
        ).values_list("pk", flat=True)
    )


def _save_rows(model, sheet, rows: Sequence[TypedRowInput], type_field: str, allowed: set[int], **extra):
    """Update rows by pk, create new ones, delete those the input left out (order = position)."""
    current = {row.pk: row for row in model.objects.filter(sheet=sheet)}
    kept = set()
    for order, row in enumerate(rows, start=1):
        if row.type_id is not None and row.type_id not in allowed:
            raise ValidationError(_("類型の選択肢が正しくありません。"), code="invalid_choice")
        instance = current.get(row.pk) if row.pk else None
        if row.pk and instance is None:
            raise ValidationError(_("他のシートの行は変更できません。"), code="foreign_row")
        instance = instance or model(sheet=sheet, **extra)
        setattr(instance, f"{type_field}_id", row.type_id)
        instance.content = row.content
        instance.order = order
        instance.full_clean()
        instance.save()
        kept.add(instance.pk)
    model.objects.filter(sheet=sheet).exclude(pk__in=kept).delete()


@transaction.atomic
def initiative_sheet_save(
    *, sheet: EvaluationSheet, data: InitiativeSheetInput, by, expected_version: int
) -> EvaluationSheet:
    """Save 進捗状況, 判定根拠, the activity texts, 2 (2), Check and Action at once, or nothing.

    A status outside the ratio band of its OKI_PROGRESS option (V-STATUS) needs a 判定根拠.
    """
    locked = (
        EvaluationSheet.objects.select_for_update(of=("self",)).select_related("updated_by").get(pk=sheet.pk)
    )
    if locked.version != expected_version:
        raise StaleSheetError(locked)
    if not locked.is_editable:
        raise ValidationError(_("このシートは提出済みまたは確定済みのため、編集できません。"), code="locked")

    ctx = initiative_sheet_context(sheet_id=locked.pk)
    status = next((o for o in ctx.progress_options if o.pk == data.progress_status_id), None)
    if data.progress_status_id is not None and status is None:
        raise ValidationError({"progress_status": _("進捗状況の選択肢が正しくありません。")})
    if status is None:
        raise ValidationError({"progress_status": _("進捗状況を選んでください。")})
    problem = progress_status_problem(
        status=status, rate=ctx.lowest_rate, options=ctx.progress_options, basis=data.status_basis
    )
    if problem and not data.status_basis.strip():
        raise ValidationError({"status_basis": problem})

    extension, _created = OkinawaInitiativeSheet.objects.get_or_create(sheet=locked)
    extension.progress_status = status
    extension.status_basis = data.status_basis
    extension.activity_overview = data.activity_overview
    extension.activity_done = data.activity_done
    extension.activity_plan = data.activity_plan
    extension.full_clean()
    extension.save()

    reflections = {r.source_plan_id: r for r in improvement_reflections_carry_over(sheet=locked)}
    for row in data.reflections:
        reflection = reflections.get(row.source_plan_id)
        if reflection is None:
            raise ValidationError(_("前年度の改善案が見つかりません。"), code="unknown_plan")
        reflection.reflection_text = row.reflection_text
        reflection.save(update_fields=["reflection_text"])

    _save_rows(CheckFactor, locked, data.check_rows, "factor_type", _option_ids(OKI_CHECK_TYPE, locked))
    _save_rows(
        ImprovementPlan,
        locked,
        data.action_rows,
        "plan_type",
        _option_ids(OKI_ACTION_TYPE, locked),
        target_fy=locked.evaluation_fy,
    )

    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=["version", "updated_by", "updated_at"])
    return locked


__all__ = [
    "InitiativeSheetInput",
    "ReflectionInput",
    "TypedRowInput",
    "improvement_reflections_carry_over",
    "initiative_sheet_save",
]
