"""Saving the 施策マネジメントシート (Kunitachi, form 004): one atomic service for the whole edit page.

What the page edits: the 氏名 of the 施策統括課長, the yearly values of the node's indicators (§3:
対象指標 実績値 up to S and 見込み値 after it; 成果指標 目標値 / 実績値 / 成り行き値), the §4 grades
with their reasons and §4(3), the §5–§7 texts and the §6(2) overall grade. The costs of §3 are never
typed here: they are the linked programs' own records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hikikomori_eval.numbers import ParsedValue
from indicators.choices import ValueType
from sheets.choices import KNI_GOAL_GRADE, KNI_OVERALL_GRADE, KNI_TREND_GRADE, SignatoryRole
from sheets.history import records_history
from sheets.models import EvaluationSheet, NarrativeBlock, PolicyManagementSheet, SheetSignatory
from sheets.selectors import choice_options, policy_management_context
from sheets.selectors.policy_management_sheet import NARRATIVE_KEYS, PolicyManagementContext

from .locking import lock_for_edit, mark_saved
from .program_sheet_save import _full_clean_fields, _sync_values


@dataclass(frozen=True)
class PolicyManagementInput:
    lead_title: str
    lead_person: str
    goal_grade_id: int | None
    goal_grade_reason: str
    trend_grade_id: int | None
    trend_grade_reason: str
    grade_background: str
    overall_grade_id: int | None
    narratives: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # indicator id → {(fiscal year, value type): value}
    indicator_values: Mapping[int, Mapping[tuple[int, str], ParsedValue]] = field(default_factory=dict)


def editable_value_cells(ctx: PolicyManagementContext) -> dict[int, set[tuple[int, str]]]:
    """The (year, value type) cells of each indicator the page may write, as the form prints them."""
    s = ctx.subject_fy
    cells: dict[int, set[tuple[int, str]]] = {}
    for row in ctx.object_rows:
        if row.indicator:
            cells[row.indicator.pk] = {
                (fy, ValueType.ACTUAL if fy <= s else ValueType.PROJECTION) for fy in ctx.years
            }
    for _direction, row in ctx.outcome_rows:
        if row.indicator:
            cells[row.indicator.pk] = {
                (fy, value_type)
                for fy in ctx.years
                for value_type in (ValueType.TARGET, ValueType.ACTUAL, ValueType.TREND)
            }
    return cells


def _option(key: str, sheet: EvaluationSheet, option_id: int | None, field_name: str, label: str):
    if option_id is None:
        return None
    options = choice_options(key, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy)
    option = options.filter(pk=option_id).first()
    if option is None:
        raise ValidationError({field_name: _("%(label)sの選択肢が正しくありません。") % {"label": label}})
    return option


@records_history
@transaction.atomic
def policy_management_sheet_save(
    *, sheet: EvaluationSheet, data: PolicyManagementInput, by, expected_version: int
) -> EvaluationSheet:
    """Save everything the edit page shows at once, or nothing.

    After the values are written, the §4 suggestions are computed again from them (the same
    selector the page prints), and a grade two or more steps from its suggestion without a reason
    refuses the whole save.
    """
    locked = lock_for_edit(sheet, expected_version)
    before = policy_management_context(sheet_id=locked.pk)

    allowed = editable_value_cells(before)
    for indicator_id, cells in data.indicator_values.items():
        if indicator_id not in allowed:
            raise ValidationError(_("この施策の指標ではありません。"), code="foreign_indicator")
        if not set(cells) <= allowed[indicator_id]:
            raise ValidationError(_("入力できない年度・区分の値です。"), code="value_cell")
    _sync_values(data.indicator_values)

    management, _created = PolicyManagementSheet.objects.get_or_create(sheet=locked)
    management.goal_grade = _option(KNI_GOAL_GRADE, locked, data.goal_grade_id, "goal_grade", _("目標達成度"))
    management.trend_grade = _option(
        KNI_TREND_GRADE, locked, data.trend_grade_id, "trend_grade", _("時系列比較")
    )
    management.overall_grade = _option(
        KNI_OVERALL_GRADE, locked, data.overall_grade_id, "overall_grade", _("総合評価")
    )
    management.goal_grade_reason = data.goal_grade_reason
    management.trend_grade_reason = data.trend_grade_reason
    management.grade_background = data.grade_background
    _full_clean_fields(management)
    management.save()

    _save_lead(locked, data)
    _save_narratives(locked, data.narratives)

    after = policy_management_context(sheet_id=locked.pk)
    problems = {
        field_name: _("提案された評価（%(suggested)s）と2段階以上異なるため、理由を入力してください。")
        % {"suggested": block.suggested.label}
        for field_name, block in (("goal_grade_reason", after.goal), ("trend_grade_reason", after.trend))
        if block.needs_reason and not block.reason.strip()
    }
    if problems:
        raise ValidationError(problems)

    return mark_saved(locked, by)


def _save_lead(sheet: EvaluationSheet, data: PolicyManagementInput) -> None:
    lead = SheetSignatory.objects.filter(sheet=sheet, role=SignatoryRole.LEAD).first() or SheetSignatory(
        sheet=sheet, role=SignatoryRole.LEAD, org_unit=sheet.policy_node.lead_unit
    )
    lead.title = data.lead_title
    lead.person_name = data.lead_person
    _full_clean_fields(lead)
    lead.save()


def _save_narratives(sheet: EvaluationSheet, texts: Mapping[tuple[str, str], str]) -> None:
    if not set(texts) <= set(NARRATIVE_KEYS):
        raise ValidationError(_("この様式にない記述欄です。"), code="narrative_key")
    existing = {
        (b.section_key, b.column_key): b
        for b in NarrativeBlock.objects.filter(sheet=sheet, section_key__startswith="004.")
    }
    for (section_key, column_key), text in texts.items():
        block = existing.get((section_key, column_key))
        if block is None:
            if text:
                NarrativeBlock.objects.create(
                    sheet=sheet, section_key=section_key, column_key=column_key, text=text
                )
        elif block.text != text:
            block.text = text
            block.save(update_fields=["text"])


__all__ = [
    "PolicyManagementInput",
    "editable_value_cells",
    "policy_management_sheet_save",
]
