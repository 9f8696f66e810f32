"""The 行政評価シート【個表】 context: the page, the PDF and the Excel export of a 個表 share it."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F, FilteredRelation, Prefetch, Q

from benchmarks.models import BenchmarkEntry, BenchmarkMetricValue
from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, FundingSource, IndicatorKind, ValueType
from indicators.models import CostRecord, Indicator, StaffAllocation, StaffCategory
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for
from sheets.choices import DIRECTION, AdministrativeCategory, FormType, ProgramKind
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    PolicyNode,
    Program,
    ProgramYear,
    SheetSignatory,
    SubProgramEvaluation,
    ViewpointQuestion,
)
from sheets.selectors import lineage
from sheets.selectors.common import Check, YearLabels, choice_option_values, personnel_costs_for

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


#: What the context reads through the sheet; a caller that has the sheet already (the page) fetches
#: it with these so that the context needs no query of its own for it.
SHEET_RELATED = ("program__owner_unit", "program_sheet")


def _print_order(sub: Program) -> tuple:
    """ORDER BY order, branch_no, id as the database sorts it: a blank 枝番 first on SQLite, last on
    PostgreSQL."""
    blank = sub.branch_no is None
    return (sub.order, blank if connection.features.nulls_order_largest else not blank, sub.branch_no, sub.pk)


def _in_order(queryset) -> list:
    """The rows sorted here by (order, id): building an ORDER BY costs more than this sort."""
    return sorted(queryset.order_by(), key=lambda row: (row.order, row.pk))


def _sheet_with_subject(sheet_id: int) -> EvaluationSheet:
    # With the organisation and the chosen direction too, for the callers that read them off ctx.sheet.
    return EvaluationSheet.objects.select_related(
        "organization", "program_sheet__direction", *SHEET_RELATED
    ).get(pk=sheet_id, form_type=FormType.KAMAKURA_PROGRAM)


def _active_in_any(program: Program, fiscal_years) -> bool:
    """The in-memory twin of ``Program.objects.active_in_any``."""
    first, last = min(fiscal_years), max(fiscal_years)
    return (program.valid_from_fy is None or program.valid_from_fy <= last) and (
        program.valid_to_fy is None or program.valid_to_fy >= first
    )


_LINK_FIELDS = (
    "link__fiscal_year",
    "link__policy_node__code",
    "link__policy_node__name",
    "link__policy_node__parent_id",
    "link__policy_node__parent__code",
    "link__policy_node__parent__name",
)
_RELATED_UNIT_FIELDS = (
    "programrelatedunit__order",
    "programrelatedunit__id",
    "programrelatedunit__org_unit__name",
)


def _policy_labels_and_related_units(program: Program, fiscal_year: int) -> tuple[str, str, list[str]]:
    """(分野, 施策の方針, 関連課) in one query: the program joined with its primary policy links up to the
    year and with its related units (a row per link and unit; both are a handful).

    The latest primary link gives the labels (only the names of the node and its parent are read).
    """
    link = FilteredRelation(
        "policy_links", condition=Q(policy_links__is_primary=True, policy_links__fiscal_year__lte=fiscal_year)
    )
    latest, units = None, {}
    for row in (
        Program.objects.filter(pk=program.pk)
        .annotate(link=link)
        .order_by()
        .values_list(*_LINK_FIELDS, *_RELATED_UNIT_FIELDS)
    ):
        link_fy, unit_order, unit_id, unit_name = row[0], *row[len(_LINK_FIELDS) :]
        if link_fy is not None and (latest is None or link_fy > latest[0]):
            latest = row
        if unit_id is not None:
            units[(unit_order, unit_id)] = unit_name
    related_unit_names = [units[key] for key in sorted(units)]
    if latest is None:
        return "", "", related_unit_names
    _fy, code, name, parent_id, parent_code, parent_name = latest[: len(_LINK_FIELDS)]
    label = str(PolicyNode(code=code, name=name))  # the model's own label format
    field_label = str(PolicyNode(code=parent_code, name=parent_name)) if parent_id else ""
    return field_label, label, related_unit_names


_LINE_FIELDS = ("funding_lines__source_type", "funding_lines__amount")


def _cost_index(owners, fiscal_years) -> dict[tuple[int, int, str], lineage.CombinedCost]:
    """Each (program id, year, basis) record as its amount and funding lines by source.

    One query of plain rows, each record joined with its funding lines (nothing else of a record is
    printed, so no CostRecord objects).
    """
    index: dict[tuple[int, int, str], lineage.CombinedCost] = {}
    for program_id, fy, basis, amount, source_type, line_amount in (
        CostRecord.objects.filter(program_id__in=[p.pk for p in owners], fiscal_year__in=fiscal_years)
        .order_by()
        .values_list("program_id", "fiscal_year", "basis", "amount", *_LINE_FIELDS)
    ):
        record = index.setdefault((program_id, fy, basis), lineage.CombinedCost(amount))
        if source_type is not None:  # a record without lines comes once, with NULLs
            record.lines[source_type] = line_amount
    return index


def _staff_allocations(programs, staff_years) -> list:
    """The allocations of the programs in the years, as (program_id, fiscal_year, category_id, fte) rows:
    one query for both the 人件費 and the 職員数 table."""
    return list(
        StaffAllocation.objects.filter(program_id__in=[p.pk for p in programs], fiscal_year__in=staff_years)
        .order_by()
        .values_list("program_id", "fiscal_year", "category_id", "fte", named=True)
    )


def _children_and_predecessors(program: Program) -> tuple[list[Program], list[Program]]:
    """(the program's children, its former programs by code) in one query.

    The rows of ``parent = program OR successor = program``, each with the successor the join found
    (a child comes once per successor of its own, so rows are kept once per id).
    """
    children, former = {}, {}
    for row in (
        Program.objects.filter(Q(parent_id=program.pk) | Q(successors=program.pk))
        .annotate(successor_id=F("successors"))
        .order_by()
    ):
        if row.parent_id == program.pk:
            children.setdefault(row.pk, row)
        if row.successor_id == program.pk:
            former.setdefault(row.pk, row)
    return list(children.values()), sorted(former.values(), key=lambda p: (p.code, p.pk))


def _categories_and_unit_costs(program, former, staff_years, allocations):
    """(the staff categories of the 職員数 table, the unit costs by (organisation, year, category) or
    None): the organisation's categories each joined with its unit costs of the years, one query for
    what took two.

    The join holds every unit cost ``personnel_costs_for`` looks up only when every program is of the
    program's organisation and every allocation is of its categories; otherwise the other categories
    get a second query and the unit costs are left to ``personnel_costs_for`` (None).
    """
    organization_id = program.organization_id
    costs_of_years = FilteredRelation(
        "personnelunitcost",
        condition=Q(
            personnelunitcost__organization_id=organization_id,
            personnelunitcost__fiscal_year__in=staff_years,
        ),
    )
    categories, unit_costs = {}, {}
    for pk, code, label, order, fiscal_year, per_fte in (
        StaffCategory.objects.filter(organization_id=organization_id)
        .annotate(unit_cost=costs_of_years)
        .order_by()
        .values_list("pk", "code", "label", "order", "unit_cost__fiscal_year", "unit_cost__per_fte")
    ):
        if pk not in categories:
            categories[pk] = StaffCategory.from_db(
                None,
                ("id", "organization_id", "code", "label", "order"),
                (pk, organization_id, code, label, order),
            )
        if fiscal_year is not None:
            unit_costs[(organization_id, fiscal_year, pk)] = per_fte
    categories = list(categories.values())
    others = {a.category_id for a in allocations} - set(c.pk for c in categories)
    if others:
        categories += StaffCategory.objects.filter(pk__in=others).order_by()
    if others or any(p.organization_id != organization_id for p in former):
        return categories, None
    return categories, unit_costs


def _personnel_costs(
    program: Program, fiscal_years, program_years, former=(), allocations=None, unit_costs=None
) -> dict[int, Decimal | None]:
    """人件費 per year from FTE × unit cost, or the override with its reason; a year the program has
    none reads the former programs' (summed)."""
    by_key = personnel_costs_for(
        [program, *former], fiscal_years, program_years, allocations=allocations, unit_costs=unit_costs
    )
    result = {}
    for fy in fiscal_years:
        own = by_key[(program.pk, fy)]
        result[fy] = own if own is not None else costs.sum_amounts(by_key[(p.pk, fy)] for p in former)
    return result


def program_sheet_context(*, sheet_id: int, sheet: EvaluationSheet | None = None) -> ProgramSheetContext:
    """Build the 個表 context in a fixed number of queries, whatever the number of rows.

    ``sheet``: the sheet already fetched with :data:`SHEET_RELATED` (the page has it), saving a query.
    """
    if sheet is None or sheet.pk != sheet_id:
        sheet = _sheet_with_subject(sheet_id)
    elif sheet.form_type != FormType.KAMAKURA_PROGRAM:
        raise EvaluationSheet.DoesNotExist
    program = sheet.program
    e, s = sheet.evaluation_fy, sheet.subject_fy
    children, former = _children_and_predecessors(program)
    # Filtered and sorted in memory: a much cheaper query than the filtered, ordered one.
    subs = sorted(
        (
            child
            for child in children
            if child.kind == ProgramKind.SUB_PROGRAM and _active_in_any(child, [s, e])
        ),
        key=_print_order,
    )
    owners = [program, *subs]
    everything = [*owners, *former]
    staff_years = list(range(e - STAFFING_WINDOW + 1, e + 1))

    program_years = {
        (py.program_id, py.fiscal_year): py
        for py in ProgramYear.objects.filter(
            program_id__in=[p.pk for p in everything], fiscal_year__in={s, e}
        ).order_by()
    }
    fetched = [
        ind
        for ind in _in_order(Indicator.objects.filter(program_id__in=[p.pk for p in everything]))
        if ind.kind in (IndicatorKind.ACTIVITY, IndicatorKind.REFERENCE)
    ]
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
    cost_index = _cost_index(everything, {s, e})

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
    allocations = _staff_allocations([program, *former], staff_years)
    categories, unit_costs = _categories_and_unit_costs(program, former, staff_years, allocations)
    personnel = _personnel_costs(program, staff_years, program_years, former, allocations, unit_costs)
    personnel_costs = [
        personnel.get(c.fiscal_year) if c.basis in (CostBasis.SETTLEMENT, CostBasis.BUDGET) else None
        for c in cost_columns
    ]
    staff_rows, staff_from_former = _staff_rows(program, staff_years, former, allocations, categories)
    if staff_from_former:
        years = "・".join(fy_label(fy, "plain") for fy in staff_from_former)
        lineage_notes.append(f"{years}の職員数は旧事業（{lineage.former_names(former)}）のものです。")
    field_label, policy_label, related_unit_names = _policy_labels_and_related_units(program, e)
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
        related_unit_names=related_unit_names,
        evaluators=_evaluators(sheet),
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
        benchmark_comparisons=_benchmark_comparisons(sheet),
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
        return own.amount, own.lines, sub_amounts, False
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


def _staff_rows(
    program, staff_years, former=(), allocations=None, categories=None
) -> tuple[list[StaffRow], list[int]]:
    """職員数 per category and year; a year without any allocation of the program takes the former
    programs' allocations, summed per category. Also returns those years.

    ``allocations``: the (program_id, fiscal_year, category_id, fte) rows of the program and the former
    programs in ``staff_years`` when already read; ``categories``: the organisation's categories and
    any other an allocation names, when already read.
    """
    if allocations is None:
        allocations = _staff_allocations([program, *former], staff_years)
    if categories is None:
        # The organisation's categories, and any other an allocation names (a second query only then).
        categories = list(StaffCategory.objects.filter(organization_id=program.organization_id).order_by())
        others = {a.category_id for a in allocations} - {c.pk for c in categories}
        if others:
            categories += StaffCategory.objects.filter(pk__in=others).order_by()
    own_years = {a.fiscal_year for a in allocations if a.program_id == program.pk}
    former_years = sorted({a.fiscal_year for a in allocations if a.program_id != program.pk} - own_years)
    fte: dict[tuple[int, int], list] = {}
    for a in allocations:
        if a.program_id == program.pk or a.fiscal_year in former_years:
            fte.setdefault((a.category_id, a.fiscal_year), []).append(a.fte)
    rows = [
        StaffRow(category, [costs.sum_amounts(fte.get((category.pk, fy), [])) for fy in staff_years])
        for category in sorted(categories, key=lambda c: (c.order, c.pk))
    ]
    return rows, former_years


def _evaluators(sheet) -> list[str]:
    # By the signatory's order (the default ordering would join the sheet for nothing).
    return [
        f"{title}　{name}"
        for *_, title, name in sorted(
            SheetSignatory.objects.filter(sheet_id=sheet.pk)
            .order_by()
            .values_list("order", "id", "title", "person_name")
        )
    ]


def _evaluations(sheet, subs) -> list[SubProgramEvaluation]:
    if not subs:  # one row per sub-program: nothing to read
        return []
    by_sub = {ev.sub_program_id: ev for ev in SubProgramEvaluation.objects.filter(sheet_id=sheet.pk)}
    evaluations = []
    for sub in subs:
        evaluation = by_sub.get(sub.pk) or SubProgramEvaluation(sheet=sheet)
        evaluation.sub_program = sub  # the already-fetched row: no query per evaluation
        evaluations.append(evaluation)
    return evaluations


def _viewpoints(sheet) -> list[ViewpointRow]:
    """The questions of the year, each joined with the sheet's answer, its option and the option's
    parent: one query. ``select_related`` through the filtered relation builds the joins once, which
    costs much less than resolving every answer and option column as a ``values_list`` path."""
    answer = FilteredRelation("viewpointanswer", condition=Q(viewpointanswer__sheet_id=sheet.pk))
    rows = []
    for question in (
        ViewpointQuestion.objects.filter(
            organization_id=sheet.organization_id, valid_from_fy__lte=sheet.evaluation_fy
        )
        .annotate(answer=answer)
        .select_related("answer__option__parent")
        .order_by()
    ):
        # Set only when the join found an answer (one per sheet and question at most).
        found = getattr(question, "answer", None)
        rows.append(ViewpointRow(question, found.option if found else None, found.free_text if found else ""))
    return sorted(rows, key=lambda row: (row.question.order, row.question.pk))


def _directions(sheet, program_sheet) -> list[Check]:
    chosen = program_sheet.direction_id if program_sheet else None
    return [
        Check(label, pk == chosen)
        for pk, label in choice_option_values(
            DIRECTION, "pk", "label", organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy
        )
    ]


def _benchmark_comparisons(sheet) -> list:
    """The comparisons with their entries and values, each in its default order within its parent
    (ordered by their own columns: the default orderings join up to the sheet)."""
    return _in_order(
        sheet.benchmark_comparisons.order_by().prefetch_related(
            Prefetch("entries", queryset=BenchmarkEntry.objects.order_by("order", "id")),
            Prefetch("entries__metric_values", queryset=BenchmarkMetricValue.objects.order_by("order")),
        )
    )


def _reference(series: IndicatorSeries, years: list[int]) -> ReferenceIndicator:
    return ReferenceIndicator(
        series=series,
        targets=[series.cell(y, ValueType.TARGET, decimals=1) for y in years],
        actuals=[series.cell(y, ValueType.ACTUAL, decimals=1) for y in years],
        rates=[series.achievement(y, decimals=REFERENCE_RATE_DECIMALS) for y in years],
    )


__all__ = ["SHEET_RELATED", "ProgramSheetContext", "program_sheet_context"]
