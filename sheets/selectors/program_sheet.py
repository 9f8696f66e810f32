"""The 行政評価シート【個表】 context: the page, the PDF and the Excel export of a 個表 share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, FundingSource, IndicatorKind, ValueType
from indicators.models import CostRecord, Indicator, StaffAllocation, StaffCategory
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for
from sheets.choices import DIRECTION, AdministrativeCategory, FormType, ProgramKind
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    Program,
    ProgramPolicyLink,
    ProgramYear,
    SubProgramEvaluation,
    ViewpointAnswer,
    ViewpointQuestion,
)
from sheets.selectors import lineage
from sheets.selectors.common import Check, YearLabels, choice_options, personnel_costs_for

STAFFING_WINDOW = 6  # 個表 §4 and 【参考】 print E−5 … E.
KAMAKURA_FUNDING_ROWS = (
    FundingSource.NATIONAL_PREFECTURAL,
    FundingSource.LOCAL_BOND,
    FundingSource.OTHER_SPECIFIC,
    FundingSource.GENERAL,
)
SECTION3_RATE_DECIMALS = 0  # 83%
REFERENCE_RATE_DECIMALS = 1  # 83.3%


@dataclass
class SubProgramRow:
    """One row of §3 事業を構成する事務事業（最小事業）実績."""

    sub_program: Program
    branch_no: int | None
    name: str
    main_expenses: str
    indicator: Indicator | None
    actual_s: ValueCell
    target_s: ValueCell
    achievement_s: RateCell
    target_e: ValueCell
    settlement_s: Decimal | None
    initial_budget_s: Decimal | None
    budget_e: Decimal | None


@dataclass
class FundingRow:
    label: str
    source_type: str
    amounts: list[Decimal | None]  # per basis column: S 決算, S 当初, E 予算
    derived: list[bool]


@dataclass
class CostColumn:
    """One money column of §3's footer: a fiscal year and a basis."""

    fiscal_year: int
    basis: str
    label: str


@dataclass
class StaffRow:
    category: StaffCategory
    ftes: list[Decimal | None]


@dataclass
class ReferenceIndicator:
    series: IndicatorSeries
    targets: list[ValueCell]
    actuals: list[ValueCell]
    rates: list[RateCell]


@dataclass
class ViewpointRow:
    question: ViewpointQuestion
    option: ChoiceOption | None
    free_text: str

    @property
    def answer_text(self) -> str:
        if self.option is None:
            return ""
        if self.option.parent_id:
            parent = self.option.parent
            return f"{parent.code}.{parent.label}　{self.option.code}　{self.option.label}"
        return f"{self.option.code}　{self.option.label}"


@dataclass
class ProgramSheetContext(YearLabels):
    """Everything the 行政評価シート【個表】 prints, computed once for page, PDF and Excel."""

    sheet: EvaluationSheet
    program: Program
    evaluation_fy: int
    subject_fy: int
    title: str
    administrative_category: list[Check]
    is_priority: bool
    owner_unit_name: str
    related_unit_names: list[str]
    evaluators: list[str]
    field_label: str
    policy_label: str
    program_year: ProgramYear | None
    activities_summary: str
    sub_rows: list[SubProgramRow]
    cost_columns: list[CostColumn]
    funding_rows: list[FundingRow]
    project_costs: list[Decimal | None]
    personnel_costs: list[Decimal | None]
    total_cost_s: Decimal | None
    staff_years: list[int]
    staff_rows: list[StaffRow]
    evaluations: list[SubProgramEvaluation]
    viewpoints: list[ViewpointRow]
    directions: list[Check]
    direction_text: str
    reference_years: list[int]
    reference_indicators: list[ReferenceIndicator]
    benchmark_comparisons: list
    benchmark_rationale: str
    warnings: list[str] = field(default_factory=list)
    #: 旧事業名: the programs this one continues (renamed or merged), whose history it shows.
    former_program_names: str = ""
    #: Which figures of the sheet are the former programs' (shown beside the sheet, not printed).
    lineage_notes: list[str] = field(default_factory=list)

    @property
    def s_title(self) -> str:
        return fy_label(self.subject_fy, "title")

    @property
    def reference_year_labels(self) -> list[str]:
        return [fy_label(y, "short") for y in self.reference_years]

    @property
    def staff_year_labels(self) -> list[str]:
        return [fy_label(y, "long") for y in self.staff_years]


def _sheet_with_subject(sheet_id: int) -> EvaluationSheet:
    return EvaluationSheet.objects.select_related(
        "organization", "program__owner_unit", "program_sheet__direction"
    ).get(pk=sheet_id, form_type=FormType.KAMAKURA_PROGRAM)


def _policy_labels(program: Program, fiscal_year: int) -> tuple[str, str]:
    link = (
        ProgramPolicyLink.objects.select_related("policy_node__parent")
        .filter(program=program, fiscal_year__lte=fiscal_year, is_primary=True)
        .order_by("-fiscal_year")
        .first()
    )
    if link is None:
        return "", ""
    node = link.policy_node
    return (str(node.parent) if node.parent else ""), str(node)


def _cost_index(owners, fiscal_years) -> dict[tuple[int, int, str], CostRecord]:
    records = CostRecord.objects.filter(program__in=owners, fiscal_year__in=fiscal_years).prefetch_related(
        "funding_lines"
    )
    return {(r.program_id, r.fiscal_year, r.basis): r for r in records}


def _personnel_costs(program: Program, fiscal_years, program_years, former=()) -> dict[int, Decimal | None]:
    """人件費 per year from FTE × unit cost, or the override with its reason; a year the program has
    none reads the former programs' (summed)."""
    by_key = personnel_costs_for([program, *former], fiscal_years, program_years)
    result = {}
    for fy in fiscal_years:
        own = by_key[(program.pk, fy)]
        result[fy] = own if own is not None else costs.sum_amounts(by_key[(p.pk, fy)] for p in former)
    return result


def program_sheet_context(*, sheet_id: int) -> ProgramSheetContext:
    """Build the 個表 context in a fixed number of queries, whatever the number of rows."""
    sheet = _sheet_with_subject(sheet_id)
    program = sheet.program
    e, s = sheet.evaluation_fy, sheet.subject_fy
    subs = list(
        Program.objects.filter(parent=program, kind=ProgramKind.SUB_PROGRAM)
        .active_in_any([s, e])
        .order_by("order", "branch_no", "id")
    )
    owners = [program, *subs]
    former = list(program.predecessors.order_by("code", "id"))
    staff_years = list(range(e - STAFFING_WINDOW + 1, e + 1))

    program_years = {
        (py.program_id, py.fiscal_year): py
        for py in ProgramYear.objects.filter(program__in=[*owners, *former], fiscal_year__in={s, e})
    }
    fetched = list(
        Indicator.objects.filter(
            program__in=[*owners, *former], kind__in=[IndicatorKind.ACTIVITY, IndicatorKind.REFERENCE]
        )
    )
    all_series = indicator_series_for(fetched)
    former_ids = {p.pk for p in former}
    former_series = [
        sr
        for sr in all_series
        if sr.indicator.program_id in former_ids and sr.indicator.kind == IndicatorKind.REFERENCE
    ]
    indicators = [ind for ind in fetched if ind.program_id not in former_ids]
    series = {
        sr.indicator.pk: lineage.continued_series(sr, former_series)
        if sr.indicator.program_id == program.pk
        else sr
        for sr in all_series
        if sr.indicator.program_id not in former_ids
    }
    activity_by_sub = {}
    for ind in indicators:
        if ind.kind == IndicatorKind.ACTIVITY and ind.program_id != program.pk:
            activity_by_sub.setdefault(ind.program_id, series[ind.pk])

    cost_columns = [
        CostColumn(s, CostBasis.SETTLEMENT, "決算"),
        CostColumn(s, CostBasis.INITIAL_BUDGET, "当初"),
        CostColumn(e, CostBasis.BUDGET, "予算"),
    ]
    cost_index = _cost_index([*owners, *former], {s, e})

    def sub_amount(sub, column):
        record = cost_index.get((sub.pk, column.fiscal_year, column.basis))
        return record.amount if record else None

    sub_rows = []
    for sub in subs:
        sr = activity_by_sub.get(sub.pk)
        empty = ValueCell()
        sub_rows.append(
            SubProgramRow(
                sub_program=sub,
                branch_no=sub.branch_no,
                name=sub.name,
                main_expenses=getattr(program_years.get((sub.pk, s)), "main_expenses", ""),
                indicator=sr.indicator if sr else None,
                actual_s=sr.cell(s, ValueType.ACTUAL) if sr else empty,
                target_s=sr.cell(s, ValueType.TARGET) if sr else empty,
                achievement_s=sr.achievement(s, decimals=SECTION3_RATE_DECIMALS)
                if sr
                else RateCell(None, None, SECTION3_RATE_DECIMALS),
                target_e=sr.cell(e, ValueType.TARGET) if sr else empty,
                settlement_s=sub_amount(sub, cost_columns[0]),
                initial_budget_s=sub_amount(sub, cost_columns[1]),
                budget_e=sub_amount(sub, cost_columns[2]),
            )
        )

    project_costs, funding_rows, warnings, lineage_notes = _funding(
        program, subs, cost_columns, cost_index, former
    )
    personnel = _personnel_costs(program, staff_years, program_years, former)
    personnel_costs = [
        personnel.get(c.fiscal_year) if c.basis in (CostBasis.SETTLEMENT, CostBasis.BUDGET) else None
        for c in cost_columns
    ]
    staff_rows, staff_from_former = _staff_rows(program, staff_years, former)
    if staff_from_former:
        years = "・".join(fy_label(fy, "plain") for fy in staff_from_former)
        lineage_notes.append(f"{years}の職員数は旧事業（{lineage.former_names(former)}）のものです。")
    field_label, policy_label = _policy_labels(program, e)
    py_e = program_years.get((program.pk, e))
    program_sheet = getattr(sheet, "program_sheet", None)

    return ProgramSheetContext(
        sheet=sheet,
        program=program,
        evaluation_fy=e,
        subject_fy=s,
        title=f"{fy_label(e, 'title')}行政評価シート【個表】",
        administrative_category=[
            Check(str(label), bool(py_e) and py_e.administrative_category == value)
            for value, label in AdministrativeCategory.choices
        ],
        is_priority=bool(py_e and py_e.is_priority),
        owner_unit_name=program.owner_unit.name if program.owner_unit else "",
        related_unit_names=[u.name for u in program.related_units.order_by("programrelatedunit__order")],
        evaluators=[f"{sig.title}　{sig.person_name}" for sig in sheet.signatories.all()],
        field_label=field_label,
        policy_label=policy_label,
        program_year=py_e,
        activities_summary=program_sheet.activities_summary if program_sheet else "",
        sub_rows=sub_rows,
        cost_columns=cost_columns,
        funding_rows=funding_rows,
        project_costs=project_costs,
        personnel_costs=personnel_costs,
        total_cost_s=costs.total_cost(project_cost=project_costs[0], personnel_cost=personnel_costs[0]),
        staff_years=staff_years,
        staff_rows=staff_rows,
        evaluations=_evaluations(sheet, subs),
        viewpoints=_viewpoints(sheet),
        directions=_directions(sheet, program_sheet),
        direction_text=program_sheet.direction_text if program_sheet else "",
        reference_years=staff_years,
        reference_indicators=[
            _reference(series[ind.pk], staff_years)
            for ind in indicators
            if ind.kind == IndicatorKind.REFERENCE and ind.program_id == program.pk
        ],
        benchmark_comparisons=list(
            sheet.benchmark_comparisons.prefetch_related("entries__metric_values").order_by("order", "id")
        ),
        benchmark_rationale=program_sheet.benchmark_rationale if program_sheet else "",
        warnings=warnings,
        former_program_names=lineage.former_names(former),
        lineage_notes=lineage_notes,
    )


def _column_cost(program, subs, column, cost_index, former):
    """(own amount, funding lines, sub amounts, from the former programs?) of one money column.

    A year with no record of the program or its sub-programs is read from the former programs.
    """
    own = cost_index.get((program.pk, column.fiscal_year, column.basis))
    sub_amounts = [
        getattr(cost_index.get((sub.pk, column.fiscal_year, column.basis)), "amount", None) for sub in subs
    ]
    if own is not None:
        return (
            own.amount,
            {line.source_type: line.amount for line in own.funding_lines.all()},
            sub_amounts,
            False,
        )
    if any(a is not None for a in sub_amounts) or not former:
        return None, {}, sub_amounts, False
    combined = lineage.combined_cost(cost_index.get((p.pk, column.fiscal_year, column.basis)) for p in former)
    if combined is None:
        return None, {}, sub_amounts, False
    return combined.amount, combined.lines, sub_amounts, True


def _funding(program, subs, cost_columns, cost_index, former=()):
    """§3 footer: 財源内訳 per column, 一般財源 derived when not entered, and the identities checked."""
    warnings = []
    notes = []
    project_costs = []
    amounts = {source: [] for source in KAMAKURA_FUNDING_ROWS}
    derived = {source: [] for source in KAMAKURA_FUNDING_ROWS}
    for column in cost_columns:
        own_amount, lines, sub_amounts, from_former = _column_cost(program, subs, column, cost_index, former)
        if from_former:
            notes.append(
                f"{fy_label(column.fiscal_year, 'plain')}{column.label}は旧事業"
                f"（{lineage.former_names(former)}）の額です。"
            )
        total = costs.project_cost(own_amount=own_amount, sub_amounts=sub_amounts)
        project_costs.append(total)
        specific = [lines.get(source) for source in KAMAKURA_FUNDING_ROWS if source != FundingSource.GENERAL]
        for source in KAMAKURA_FUNDING_ROWS:
            value = lines.get(source)
            is_derived = False
            if source == FundingSource.GENERAL and value is None and total is not None:
                value = costs.general_revenue(project_cost=total, specific_amounts=specific)
                is_derived = True
            amounts[source].append(value)
            derived[source].append(is_derived)
        funded = costs.sum_amounts([amounts[source][-1] for source in KAMAKURA_FUNDING_ROWS])
        if funded is not None and total is not None and funded != total:
            warnings.append(
                f"{fy_label(column.fiscal_year, 'plain')}{column.label}: 財源内訳の合計 {funded:,} 千円が"
                f"事業費の合計 {total:,} 千円と一致しません。"
            )
    labels = dict(FundingSource.choices)
    rows = [FundingRow(str(labels[s]), s, amounts[s], derived[s]) for s in KAMAKURA_FUNDING_ROWS]
    return project_costs, rows, warnings, notes


def _staff_rows(program, staff_years, former=()) -> tuple[list[StaffRow], list[int]]:
    """職員数 per category and year; a year without any allocation of the program takes the former
    programs' allocations, summed per category. Also returns those years."""
    allocations = list(
        StaffAllocation.objects.filter(
            program__in=[program, *former], fiscal_year__in=staff_years
        ).select_related("category")
    )
    categories = {a.category_id: a.category for a in allocations}
    for category in StaffCategory.objects.filter(organization_id=program.organization_id):
        categories.setdefault(category.pk, category)
    own_years = {a.fiscal_year for a in allocations if a.program_id == program.pk}
    former_years = sorted({a.fiscal_year for a in allocations if a.program_id != program.pk} - own_years)
    fte: dict[tuple[int, int], list] = {}
    for a in allocations:
        if a.program_id == program.pk or a.fiscal_year in former_years:
            fte.setdefault((a.category_id, a.fiscal_year), []).append(a.fte)
    rows = [
        StaffRow(category, [costs.sum_amounts(fte.get((category.pk, fy), [])) for fy in staff_years])
        for category in sorted(categories.values(), key=lambda c: (c.order, c.pk))
    ]
    return rows, former_years


def _evaluations(sheet, subs) -> list[SubProgramEvaluation]:
    by_sub = {ev.sub_program_id: ev for ev in sheet.sub_program_evaluations.all()}
    evaluations = []
    for sub in subs:
        evaluation = by_sub.get(sub.pk) or SubProgramEvaluation(sheet=sheet)
        evaluation.sub_program = sub  # the already-fetched row: no query per evaluation
        evaluations.append(evaluation)
    return evaluations


def _viewpoints(sheet) -> list[ViewpointRow]:
    answers = {
        a.question_id: a for a in ViewpointAnswer.objects.filter(sheet=sheet).select_related("option__parent")
    }
    questions = ViewpointQuestion.objects.filter(
        organization_id=sheet.organization_id, valid_from_fy__lte=sheet.evaluation_fy
    ).order_by("order")
    rows = []
    for q in questions:
        a = answers.get(q.pk)
        rows.append(ViewpointRow(q, a.option if a else None, a.free_text if a else ""))
    return rows


def _directions(sheet, program_sheet) -> list[Check]:
    chosen = program_sheet.direction_id if program_sheet else None
    return [
        Check(o.label, o.pk == chosen)
        for o in choice_options(
            DIRECTION, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy
        )
    ]


def _reference(series: IndicatorSeries, years: list[int]) -> ReferenceIndicator:
    return ReferenceIndicator(
        series=series,
        targets=[series.cell(y, ValueType.TARGET, decimals=1) for y in years],
        actuals=[series.cell(y, ValueType.ACTUAL, decimals=1) for y in years],
        rates=[series.achievement(y, decimals=REFERENCE_RATE_DECIMALS) for y in years],
    )


__all__ = ["ProgramSheetContext", "program_sheet_context"]
