"""The 個表 edit page's reads: the sheet's current values as input, and the live derived figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hikikomori_eval.numbers import ParsedValue, parse_value
from indicators import costs
from indicators.choices import CostBasis, FundingSource, ValueType
from indicators.models import (
    Indicator,
    IndicatorValue,
    PersonnelUnitCost,
    StaffCategory,
)
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for
from sheets.choices import AdministrativeCategory, SignatoryRole
from sheets.models import (
    EvaluationSheet,
    ProgramPolicyLink,
    ProgramRelatedUnit,
    ProgramYear,
    ViewpointQuestion,
)
from sheets.selectors import (
    REFERENCE_RATE_DECIMALS,
    SECTION3_RATE_DECIMALS,
    ProgramSheetContext,
    program_sheet_context,
)

from .program_sheet_input import (
    BLANK_VALUE,
    SPECIFIC_SOURCES,
    BenchmarkEntryInput,
    HeaderInput,
    ProgramSheetInput,
    ReferenceIndicatorInput,
    StaffingInput,
    SubProgramInput,
    ViewpointInput,
    _project_cost,
    cost_columns,
    funding_problems,
    staff_years,
    sub_program_warnings,
)


@dataclass
class ProgramSheetEditState:
    """The read-side context of a sheet, its current values as an input, and what recalculation needs."""

    context: ProgramSheetContext
    data: ProgramSheetInput
    version: int
    staff_categories: list[StaffCategory]
    questions: list[ViewpointQuestion]
    sub_indicators: dict[int, Indicator]  # activity indicator by sub-program id
    reference_indicator_objects: dict[int, Indicator]  # by indicator id
    unit_costs: dict[tuple[int, int], Decimal | None]  # (fy, category id) -> 千円/FTE
    own_amounts: dict[str, Decimal | None]  # the program's own 事業費 (only when it has no sub-programs)

    @property
    def sheet(self) -> EvaluationSheet:
        return self.context.sheet

    @property
    def evaluation_fy(self) -> int:
        return self.context.evaluation_fy

    @property
    def subject_fy(self) -> int:
        return self.context.subject_fy


def _cell_input(indicator_value: IndicatorValue | None, cell: ValueCell) -> ParsedValue:
    """The text an input starts with: the raw text as typed when it still reads as the stored value."""
    if indicator_value is None:
        return BLANK_VALUE
    raw = indicator_value.raw_text
    if raw:
        try:
            parsed = parse_value(raw)
        except ValueError:
            parsed = None
        if (
            parsed is not None
            and parsed.status == indicator_value.status
            and parsed.value == indicator_value.value
        ):
            return parsed
    return parse_value(cell.text)


def _series_input(series: IndicatorSeries | None, fiscal_year: int, value_type: str) -> ParsedValue:
    if series is None:
        return BLANK_VALUE
    return _cell_input(series.values.get((fiscal_year, value_type)), series.cell(fiscal_year, value_type))


def program_sheet_edit_state(*, sheet_id: int) -> ProgramSheetEditState:
    """Current values of a 個表 in a fixed number of queries (the read-side context plus a few)."""
    ctx = program_sheet_context(sheet_id=sheet_id)
    program = ctx.program
    years = staff_years(ctx.evaluation_fy)
    program_years = {
        py.fiscal_year: py for py in ProgramYear.objects.filter(program=program, fiscal_year__in=years)
    }
    sub_indicators = {row.sub_program.pk: row.indicator for row in ctx.sub_rows if row.indicator}
    program_sheet = getattr(ctx.sheet, "program_sheet", None)
    data = ProgramSheetInput(
        header=_current_header(ctx, program_years),
        sub_programs=_current_sub_programs(ctx, sub_indicators),
        funding=_current_funding(ctx),
        staffing=StaffingInput(
            ftes={
                (fy, row.category.pk): fte
                for row in ctx.staff_rows
                for fy, fte in zip(years, row.ftes, strict=True)
            },
            overrides={fy: py.personnel_cost_override for fy, py in program_years.items()},
            override_reasons={fy: py.personnel_override_reason for fy, py in program_years.items()},
        ),
        viewpoints=tuple(
            ViewpointInput(v.question.pk, v.option.pk if v.option else None, v.free_text)
            for v in ctx.viewpoints
        ),
        direction_id=program_sheet.direction_id if program_sheet else None,
        direction_text=ctx.direction_text,
        reference_indicators=_current_references(ctx, years),
        benchmark_entries=tuple(
            BenchmarkEntryInput(
                entry_id=entry.pk,
                subject_text=comparison.subject_text,
                org_name=entry.org_name,
                is_self=entry.is_self,
                metric_label=entry.metric_label,
                value_text=entry.value_text,
            )
            for comparison in ctx.benchmark_comparisons
            for entry in comparison.entries.all()
        ),
        benchmark_rationale=ctx.benchmark_rationale,
    )
    unit_costs = {
        (u.fiscal_year, u.category_id): u.per_fte
        for u in PersonnelUnitCost.objects.filter(
            organization_id=program.organization_id, fiscal_year__in=years
        )
    }
    columns = cost_columns(ctx.evaluation_fy)
    return ProgramSheetEditState(
        context=ctx,
        data=data,
        version=ctx.sheet.version,
        staff_categories=[row.category for row in ctx.staff_rows],
        questions=[v.question for v in ctx.viewpoints],
        sub_indicators=sub_indicators,
        reference_indicator_objects={
            ref.series.indicator.pk: ref.series.indicator for ref in ctx.reference_indicators
        },
        unit_costs=unit_costs,
        own_amounts={}
        if ctx.sub_rows
        else {c.basis: amount for c, amount in zip(columns, ctx.project_costs, strict=True)},
    )


def _current_header(ctx: ProgramSheetContext, program_years: dict[int, ProgramYear]) -> HeaderInput:
    program, e = ctx.program, ctx.evaluation_fy
    py_e = program_years.get(e)
    category_year = py_e or program_years.get(ctx.subject_fy)
    signatory = ctx.sheet.signatories.filter(role=SignatoryRole.EVALUATOR).order_by("order", "id").first()
    link = (
        ProgramPolicyLink.objects.filter(program=program, fiscal_year__lte=e, is_primary=True)
        .order_by("-fiscal_year")
        .first()
    )
    return HeaderInput(
        administrative_category=(
            category_year.administrative_category if category_year else AdministrativeCategory.AUTONOMOUS
        ),
        is_priority=bool(category_year and category_year.is_priority),
        owner_unit_id=program.owner_unit_id,
        related_unit_ids=tuple(
            ProgramRelatedUnit.objects.filter(program=program)
            .order_by("order", "id")
            .values_list("org_unit_id", flat=True)
        ),
        evaluator_title=signatory.title if signatory else "",
        evaluator_name=signatory.person_name if signatory else "",
        policy_node_id=link.policy_node_id if link else None,
        target_text=getattr(py_e, "target_text", ""),
        purpose_text=getattr(py_e, "purpose_text", ""),
        intended_state_text=getattr(py_e, "intended_state_text", ""),
        activities_summary=ctx.activities_summary,
    )


def _current_sub_programs(ctx: ProgramSheetContext, sub_indicators) -> tuple[SubProgramInput, ...]:
    e, s = ctx.evaluation_fy, ctx.subject_fy
    series = {sr.indicator.program_id: sr for sr in indicator_series_for(sub_indicators.values())}
    evaluations = {ev.sub_program_id: ev for ev in ctx.evaluations}
    rows = []
    for index, row in enumerate(ctx.sub_rows):
        sr = series.get(row.sub_program.pk)
        ev = evaluations.get(row.sub_program.pk)
        rows.append(
            SubProgramInput(
                sub_program_id=row.sub_program.pk,
                branch_no=row.branch_no,
                name=row.name,
                main_expenses=row.main_expenses,
                indicator_name=row.indicator.name if row.indicator else "",
                indicator_unit=row.indicator.unit if row.indicator else "",
                actual_s=_series_input(sr, s, ValueType.ACTUAL),
                target_s=_series_input(sr, s, ValueType.TARGET),
                target_e=_series_input(sr, e, ValueType.TARGET),
                amounts={
                    CostBasis.SETTLEMENT: row.settlement_s,
                    CostBasis.INITIAL_BUDGET: row.initial_budget_s,
                    CostBasis.BUDGET: row.budget_e,
                },
                indicator_analysis=ev.indicator_analysis if ev else "",
                contribution_validity=ev.contribution_validity if ev else "",
                issues_improvements=ev.issues_improvements if ev else "",
                form_index=index,
            )
        )
    return tuple(rows)


def _current_funding(ctx: ProgramSheetContext) -> dict[str, dict[str, Decimal | None]]:
    """Funding lines as entered: a 一般財源 the page derives is blank here."""
    columns = cost_columns(ctx.evaluation_fy)
    funding: dict[str, dict[str, Decimal | None]] = {c.basis: {} for c in columns}
    for row in ctx.funding_rows:
        for column, amount, derived in zip(columns, row.amounts, row.derived, strict=True):
            funding[column.basis][row.source_type] = None if derived else amount
    return funding


def _current_references(ctx: ProgramSheetContext, years) -> tuple[ReferenceIndicatorInput, ...]:
    return tuple(
        ReferenceIndicatorInput(
            indicator_id=ref.series.indicator.pk,
            name=ref.series.indicator.name,
            unit=ref.series.indicator.unit,
            rationale=ref.series.indicator.rationale,
            targets={fy: _series_input(ref.series, fy, ValueType.TARGET) for fy in years},
            actuals={fy: _series_input(ref.series, fy, ValueType.ACTUAL) for fy in years},
            form_index=index,
        )
        for index, ref in enumerate(ctx.reference_indicators)
    )


# --------------------------------------------------------------------------------------------
# 4. Derived figures (live recalculation, never saved)
# --------------------------------------------------------------------------------------------


@dataclass
class DerivedFigures:
    """Figures computed from an (unsaved) input with the read side's functions."""

    achievements: dict[int, RateCell]  # by §3 form index
    row_warnings: dict[int, dict[str, list[str]]]  # by §3 form index, then field name
    project_costs: dict[str, Decimal | None]  # by basis
    general_revenues: dict[str, Decimal | None]  # 事業費 − Σ 特定財源, by basis
    funded_totals: dict[str, Decimal | None]  # Σ 財源内訳 with a blank 一般財源 derived, by basis
    funding_problems: dict[str, str]  # by basis
    personnel_costs: dict[int, Decimal | None]  # by fiscal year
    total_cost_s: Decimal | None
    reference_rates: dict[int, dict[int, RateCell]]  # by 【参考】 form index, then fiscal year


def _rate(
    indicator: Indicator | None, fiscal_year: int, target: ParsedValue, actual: ParsedValue, decimals: int
):
    """達成度 through IndicatorSeries.achievement, exactly as the sheet page computes it."""
    values = {
        (fiscal_year, ValueType.TARGET): IndicatorValue(value=target.value, status=target.status),
        (fiscal_year, ValueType.ACTUAL): IndicatorValue(value=actual.value, status=actual.status),
    }
    series = IndicatorSeries(indicator=indicator or Indicator(), values=values)
    return series.achievement(fiscal_year, decimals=decimals)


def _personnel_by_year(staffing: StaffingInput, years, categories, unit_costs) -> dict[int, Decimal | None]:
    return {
        fy: costs.personnel_cost(
            allocations=[
                (staffing.ftes.get((fy, category.pk)), unit_costs.get((fy, category.pk)))
                for category in categories
            ],
            override=staffing.overrides.get(fy),
        )
        for fy in years
    }


def program_sheet_derive(*, state: ProgramSheetEditState, data: ProgramSheetInput) -> DerivedFigures:
    """Recompute the derived figures of the edit page from typed (unsaved) values; no query, no write."""
    e, s = state.evaluation_fy, state.subject_fy
    columns = cost_columns(e)
    years = staff_years(e)
    achievements, row_warnings = {}, {}
    for row in data.sub_programs:
        indicator = state.sub_indicators.get(row.sub_program_id) if row.sub_program_id else None
        achievements[row.form_index] = (
            _rate(indicator, s, row.target_s, row.actual_s, SECTION3_RATE_DECIMALS)
            if row.has_indicator
            else RateCell(None, None, SECTION3_RATE_DECIMALS)
        )
        row_warnings[row.form_index] = sub_program_warnings(subject_fy=s, row=row)

    project_costs, general_revenues, funded_totals = {}, {}, {}
    for column in columns:
        total = _project_cost(column, data.sub_programs, state.own_amounts)
        lines = data.funding.get(column.basis, {})
        specific = [lines.get(source) for source in SPECIFIC_SOURCES]
        derived_general = costs.general_revenue(project_cost=total, specific_amounts=specific)
        general = lines.get(FundingSource.GENERAL)
        project_costs[column.basis] = total
        general_revenues[column.basis] = derived_general
        funded_totals[column.basis] = costs.sum_amounts(
            [*specific, derived_general if general is None else general]
        )

    personnel = _personnel_by_year(data.staffing, years, state.staff_categories, state.unit_costs)
    reference_rates = {}
    for ref in data.reference_indicators:
        indicator = state.reference_indicator_objects.get(ref.indicator_id) if ref.indicator_id else None
        reference_rates[ref.form_index] = {
            fy: _rate(
                indicator,
                fy,
                ref.targets.get(fy, BLANK_VALUE),
                ref.actuals.get(fy, BLANK_VALUE),
                REFERENCE_RATE_DECIMALS,
            )
            for fy in years
        }
    return DerivedFigures(
        achievements=achievements,
        row_warnings=row_warnings,
        project_costs=project_costs,
        general_revenues=general_revenues,
        funded_totals=funded_totals,
        funding_problems=funding_problems(
            evaluation_fy=e,
            sub_programs=data.sub_programs,
            funding=data.funding,
            own_amounts=state.own_amounts,
        ),
        personnel_costs=personnel,
        total_cost_s=costs.total_cost(
            project_cost=project_costs[CostBasis.SETTLEMENT], personnel_cost=personnel[s]
        ),
        reference_rates=reference_rates,
    )


# --------------------------------------------------------------------------------------------
# 5. Save
# --------------------------------------------------------------------------------------------
