"""Writes of the 「主な取組」検証票: one input dataclass, one atomic save with optimistic locking.

Every part the edit page shows is saved here: header, 1 Plan, 2 Do (values and the shared budget
table), 進捗状況, 2 (2), Check and Action.

The carry-over of last year's improvement plans into 2 (2) needs no write to be seen (the selector
lists them); :func:`improvement_reflections_carry_over` snapshots them into this year's sheet so that
a later change of last year's sheet cannot change what this year's sheet printed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hikikomori_eval.numbers import ParsedValue
from indicators.choices import ValueType
from indicators.models import CostRecord
from sheets.choices import OKI_ACTION_TYPE, OKI_CHECK_TYPE, OKI_EXECUTION_METHOD, OKI_MAIN_FUNDING
from sheets.history import records_history
from sheets.models import (
    CheckFactor,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    InitiativePlanYear,
    OkinawaInitiativeSheet,
    ProgramYear,
)
from sheets.selectors import (
    choice_options,
    initiative_policy_nodes,
    initiative_sheet_context,
    outcome_indicator_options,
    progress_status_problem,
)

from .locking import lock_for_edit, mark_saved
from .program_sheet_save import _full_clean_fields, _save_policy_link, _sync_values


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
class InitiativeHeaderInput:
    """Header of the sheet: 主な取組 (Program.name), ProgramYear texts, 成果指標 and 施策の小項目."""

    name: str
    content_text: str
    implementing_body: str
    related_url: str
    outcome_indicator_id: int | None
    sub_item_id: int | None


@dataclass(frozen=True)
class BudgetCellInput:
    """One figure of the budget table of a 予算事業 (shared by every initiative it funds)."""

    budget_project_id: int
    fiscal_year: int
    basis: str
    amount: Decimal | None
    main_funding_id: int | None = None
    execution_method_id: int | None = None


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
    # None: the part is not edited (kept as stored).
    header: InitiativeHeaderInput | None = None
    plan_texts: Mapping[int, str] | None = None  # fiscal year → 年度別計画
    # indicator id → (fiscal year, ValueType.PLAN_SINGLE / ACTUAL) → typed value; blank deletes
    indicator_values: Mapping[int, Mapping[tuple[int, str], ParsedValue]] | None = None
    budget_cells: Sequence[BudgetCellInput] | None = None


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


@records_history
@transaction.atomic
def initiative_sheet_save(
    *, sheet: EvaluationSheet, data: InitiativeSheetInput, by, expected_version: int
) -> EvaluationSheet:
    """Save 進捗状況, 判定根拠, the activity texts, 2 (2), Check and Action at once, or nothing.

    With them, when given: the header (Program.name, the ProgramYear of S, the policy link), the
    年度別計画 texts, the single-year plan values and the actuals of the printed activity indicator
    (cumulative values are never stored: they are computed), and the figures of the 予算事業, which
    are one record shared by every initiative the project funds.

    A status outside the ratio band of its OKI_PROGRESS option (V-STATUS) needs a 判定根拠.
    """
    locked = lock_for_edit(sheet, expected_version)

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

    if data.header is not None:
        _save_header(locked, ctx, data.header)
    if data.plan_texts is not None:
        _save_plan_texts(ctx, data.plan_texts)
    if data.indicator_values is not None:
        _save_indicator_values(ctx, data.indicator_values)
    if data.budget_cells is not None:
        _save_budget(locked, ctx, data.budget_cells)

    return mark_saved(locked, by)


def _save_header(sheet: EvaluationSheet, ctx, header: InitiativeHeaderInput) -> None:
    """Program.name, the texts of the ProgramYear the sheet prints (S, created when only an older one
    exists) and the primary policy link of S when the 小項目 changes."""
    program = ctx.program
    if header.outcome_indicator_id is not None and header.outcome_indicator_id not in set(
        outcome_indicator_options(organization_id=sheet.organization_id).values_list("pk", flat=True)
    ):
        raise ValidationError({"outcome_indicator": _("成果指標の選択肢が正しくありません。")})
    if header.sub_item_id is not None and header.sub_item_id not in {
        n.pk for n in initiative_policy_nodes(organization_id=sheet.organization_id)
    }:
        raise ValidationError({"sub_item": _("施策の小項目の選択肢が正しくありません。")})
    if program.name != header.name:
        program.name = header.name
        _full_clean_fields(program)
        program.save(update_fields=["name"])
    s = sheet.subject_fy
    program_year = (
        ProgramYear.objects.filter(program=program, fiscal_year=s).first()
        or ProgramYear.objects.filter(program=program, fiscal_year__lt=s).order_by("-fiscal_year").first()
    )
    if program_year is None or program_year.fiscal_year != s:
        previous = program_year
        program_year = ProgramYear(program=program, fiscal_year=s)
        if previous is not None:  # carry the fields this page does not edit
            for f in ProgramYear._meta.concrete_fields:
                if f.name not in ("id", "program", "fiscal_year"):
                    setattr(program_year, f.attname, getattr(previous, f.attname))
    program_year.content_text = header.content_text
    program_year.implementing_body = header.implementing_body
    program_year.related_url = header.related_url
    program_year.outcome_indicator_id = header.outcome_indicator_id
    _full_clean_fields(program_year)
    program_year.save()
    current = ctx.sub_item.pk if ctx.sub_item else None
    if header.sub_item_id is not None and header.sub_item_id != current:
        _save_policy_link(program, header.sub_item_id, s)


def _save_plan_texts(ctx, plan_texts: Mapping[int, str]) -> None:
    existing = {p.fiscal_year: p for p in InitiativePlanYear.objects.filter(program=ctx.program)}
    for fy, text in plan_texts.items():
        if fy not in ctx.plan_years:
            raise ValidationError(_("計画期間外の年度です。"), code="plan_year")
        row = existing.get(fy) or InitiativePlanYear(program=ctx.program, fiscal_year=fy)
        if row.pk and row.plan_text == text:
            continue
        row.plan_text = text
        row.full_clean()
        row.save()


def _save_indicator_values(ctx, values: Mapping[int, Mapping[tuple[int, str], ParsedValue]]) -> None:
    """Single-year plan values per plan year and actuals S−2 … S of the printed indicators only."""
    allowed = {row.indicator.pk for row in ctx.plan_rows}
    years = {ValueType.PLAN_SINGLE: set(ctx.plan_years), ValueType.ACTUAL: set(ctx.result_years)}
    for indicator_id, cells in values.items():
        if indicator_id not in allowed:
            raise ValidationError(_("この検証票の活動指標ではありません。"), code="foreign_indicator")
        for fy, value_type in cells:
            if fy not in years.get(value_type, ()):
                raise ValidationError(_("入力できない年度の値です。"), code="value_year")
    _sync_values(values)


def _save_budget(sheet: EvaluationSheet, ctx, cells: Sequence[BudgetCellInput]) -> None:
    """The figures of the 予算事業 (one record shared by every initiative it funds)."""
    projects = {row.project.pk for row in ctx.budget_rows}
    columns = {(c.fiscal_year, c.basis) for row in ctx.budget_rows for c in row.cells}
    fundings = _option_ids(OKI_MAIN_FUNDING, sheet)
    methods = _option_ids(OKI_EXECUTION_METHOD, sheet)
    existing = {
        (r.budget_project_id, r.fiscal_year, r.basis): r
        for r in CostRecord.objects.filter(budget_project_id__in=projects)
    }
    for cell in cells:
        if cell.budget_project_id not in projects or (cell.fiscal_year, cell.basis) not in columns:
            raise ValidationError(_("この検証票の予算事業ではありません。"), code="foreign_budget")
        if cell.main_funding_id is not None and cell.main_funding_id not in fundings:
            raise ValidationError(_("主な財源の選択肢が正しくありません。"), code="invalid_choice")
        if cell.execution_method_id is not None and cell.execution_method_id not in methods:
            raise ValidationError(_("実施方法の選択肢が正しくありません。"), code="invalid_choice")
        record = existing.get((cell.budget_project_id, cell.fiscal_year, cell.basis))
        wanted = (cell.amount, cell.main_funding_id, cell.execution_method_id)
        if record is None:
            if wanted == (None, None, None):
                continue
            record = CostRecord(
                budget_project_id=cell.budget_project_id, fiscal_year=cell.fiscal_year, basis=cell.basis
            )
        elif (record.amount, record.main_funding_id, record.execution_method_id) == wanted:
            continue
        record.amount, record.main_funding_id, record.execution_method_id = wanted
        _full_clean_fields(record)
        record.save()


__all__ = [
    "BudgetCellInput",
    "InitiativeHeaderInput",
    "InitiativeSheetInput",
    "ReflectionInput",
    "TypedRowInput",
    "improvement_reflections_carry_over",
    "initiative_sheet_save",
]
