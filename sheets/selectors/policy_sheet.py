"""The 行政評価シート（施策の方針） context (Kamakura, form 002): page, PDF and Excel share it.

Most of what the sheet prints is rolled up from the programs linked to the policy node in each year
(``ProgramPolicyLink``) and is never retyped:

- §2 投入コスト over E−5 … E: 事業費 and 人件費 of every program linked in that year (決算 for past
  years, 予算 for E), each program's 事業費 by ``costs.project_cost`` (Σ of its sub-programs when it has
  some) and its 人件費 by ``personnel_costs_for`` (FTE × unit cost or the ProgramYear override).
  **Fallback rule:** a year where *no* linked program has any cost data prints the policy node's own
  ``CostRecord(policy_node=…, fiscal_year, basis)`` (``amount`` = 事業費, ``personnel_cost`` = 人件費):
  the published totals of years before per-program data existed. A year with neither prints blank.
- §3 one row per program linked in S, with its S 決算 figures and its evaluations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from hikikomori_eval.wareki import date_label, fy_label
from indicators import costs
from indicators.choices import CostBasis, IndicatorKind, ValueStatus, ValueType
from indicators.models import CostRecord, Indicator
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for
from sheets.choices import AdministrativeCategory, FormType, OrgUnitKind, ProgramKind
from sheets.models import (
    EvaluationSheet,
    NarrativeBlock,
    OrgUnit,
    PolicyNodeItem,
    Program,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    ProgramSheet,
    ProgramYear,
    SheetSignatory,
)
from sheets.selectors.common import YearLabels, personnel_costs_for

POLICY_WINDOW = 6  # §2 and §5 print E−5 … E.
INDICATOR_DECIMALS = 1  # 達成率 103.4%
NOT_RATED = "―"  # 達成率 of a year whose 実績 is a status (未実施 / 未定)

SECTION_TITLES = {
    "002.1": "１．前年度（評価対象年度）の当該施策の目標",
    "002.4": "４．評価対象年度の主な実施内容",
    "002.4x": "※実施できなかった事業とその理由",
    "002.6": "６．「施策の方針の成果指標」の達成状況等を踏まえた施策の達成状況の分析",
    "002.7": "７．主な実施内容と施策の達成状況の分析を踏まえた評価",
    "002.8": "８．今後の方向性",
    "002.9": "９．今年度（評価年度）の目標",
}


@dataclass
class CostYear:
    """One column of §2 投入コスト."""

    fiscal_year: int
    basis: str
    project_cost: Decimal | None
    personnel_cost: Decimal | None
    total_cost: Decimal | None
    from_policy_record: bool = False

    @property
    def label(self) -> str:
        return fy_label(self.fiscal_year, "long")


@dataclass
class PolicyProgramRow:
    """One row of §3 施策の方針にひもづく事務事業とその評価結果."""

    program: Program
    department: OrgUnit | None
    is_priority: bool
    is_statutory: bool
    project_cost: Decimal | None
    personnel_cost: Decimal | None
    total_cost: Decimal | None
    program_evaluation: str
    contribution: str
    final_evaluation: str

    @property
    def code(self) -> str:
        return self.program.code

    @property
    def name(self) -> str:
        return self.program.name


@dataclass
class OutcomeIndicatorRow:
    """One indicator of §5 成果指標 with its targets, actuals and 達成率 over the window."""

    no: int
    series: IndicatorSeries
    targets: list[ValueCell]
    actuals: list[ValueCell]
    rates: list[RateCell]
    rate_texts: list[str]

    @property
    def indicator(self) -> Indicator:
        return self.series.indicator

    @property
    def baseline(self) -> ValueCell:
        ind = self.indicator
        return ValueCell(value=ind.baseline_value, decimals=ind.decimals, unit=ind.unit)


@dataclass
class NarrativeEntry:
    department: OrgUnit | None
    text: str
    carried_over: bool = False

    @property
    def department_name(self) -> str:
        return self.department.name if self.department else ""


@dataclass
class NarrativeSection:
    key: str
    title: str
    entries: list[NarrativeEntry]


@dataclass
class PolicySheetContext(YearLabels):
    """Everything the 行政評価シート（施策の方針） prints, computed once for page, PDF and Excel."""

    sheet: EvaluationSheet
    evaluation_fy: int
    subject_fy: int
    title: str
    sheet_date_label: str
    field_label: str
    policy_label: str
    vision_text: str
    departments: list[OrgUnit]
    evaluators: list[tuple[str, str]]  # (department, "title　name")
    items: list[PolicyNodeItem]
    narratives: dict[str, NarrativeSection]
    cost_years: list[CostYear]
    program_rows: list[PolicyProgramRow]
    program_project_total: Decimal | None
    program_personnel_total: Decimal | None
    program_total_cost: Decimal | None
    indicator_years: list[int]
    indicators: list[OutcomeIndicatorRow]
    warnings: list[str] = field(default_factory=list)

    @property
    def node(self):
        return self.sheet.policy_node

    @property
    def indicator_year_labels(self) -> list[str]:
        return [fy_label(y, "long") for y in self.indicator_years]

    @property
    def section_1(self) -> NarrativeSection:
        return self.narratives["002.1"]

    @property
    def section_4(self) -> NarrativeSection:
        return self.narratives["002.4"]

    @property
    def section_4x(self) -> NarrativeSection:
        return self.narratives["002.4x"]

    @property
    def program_sections(self) -> list[NarrativeSection]:
        """§4 and §4x, printed after the programs (a list: the page loops instead of including)."""
        return [self.narratives["002.4"], self.narratives["002.4x"]]

    @property
    def late_sections(self) -> list[NarrativeSection]:
        """§6 … §9, printed after the outcome indicators."""
        return [self.narratives[key] for key in ("002.6", "002.7", "002.8", "002.9")]


def _in_order(queryset) -> list:
    """The rows sorted here by (order, id): building an ORDER BY costs more than this sort."""
    return sorted(queryset.order_by(), key=lambda row: (row.order, row.pk))


def _by_no(item: PolicyNodeItem) -> tuple:
    return item.no, item.pk


def _department(unit: OrgUnit | None) -> OrgUnit | None:
    """The 部 an org unit belongs to (the unit itself when it is one); parents are select_related."""
    while unit is not None and unit.kind != OrgUnitKind.DEPARTMENT:
        unit = unit.parent
    return unit


def _basis(fiscal_year: int, evaluation_fy: int) -> str:
    return CostBasis.BUDGET if fiscal_year >= evaluation_fy else CostBasis.SETTLEMENT


_PROGRAM_YEAR_FIELDS = (
    "program_id",
    "fiscal_year",
    "is_priority",
    "administrative_category",
    "personnel_cost_override",
)


def program_costs(programs, years, evaluation_fy):
    """(事業費, 人件費) per (program id, year) in a fixed number of queries (the portfolio uses it too),
    and the programs' years as rows (``program_id``, ``fiscal_year``, ``is_priority``,
    ``administrative_category``, ``personnel_cost_override``) by (program id, year).

    Sub-programs, cost records and program years are read as plain rows without the default
    orderings (which join the organisation): only these few columns are used.
    """
    program_ids = [p.pk for p in programs]
    subs = defaultdict(list)
    for sub in (
        Program.objects.filter(parent_id__in=program_ids, kind=ProgramKind.SUB_PROGRAM)
        .order_by()
        .values_list("pk", "parent_id", "valid_from_fy", "valid_to_fy", named=True)
    ):
        subs[sub.parent_id].append(sub)
    owner_ids = [*program_ids, *(s.pk for group in subs.values() for s in group)]
    records = {
        (program_id, fy, basis): amount
        for program_id, fy, basis, amount in CostRecord.objects.filter(
            program_id__in=owner_ids, fiscal_year__in=years
        )
        .order_by()
        .values_list("program_id", "fiscal_year", "basis", "amount")
    }
    program_years = {
        (py.program_id, py.fiscal_year): py
        for py in ProgramYear.objects.filter(program_id__in=program_ids, fiscal_year__in=years)
        .order_by()
        .values_list(*_PROGRAM_YEAR_FIELDS, named=True)
    }
    personnel = personnel_costs_for(programs, years, program_years)
    result = {}
    for program in programs:
        for fy in years:
            basis = _basis(fy, evaluation_fy)
            project = costs.project_cost(
                own_amount=records.get((program.pk, fy, basis)),
                sub_amounts=[records.get((s.pk, fy, basis)) for s in subs[program.pk] if _active_in(s, fy)],
            )
            result[(program.pk, fy)] = (project, personnel[(program.pk, fy)])
    return result, program_years


def _active_in(sub, fiscal_year: int) -> bool:
    """``Program.is_active_in`` of a sub-program read as a row."""
    return (sub.valid_from_fy is None or sub.valid_from_fy <= fiscal_year) and (
        sub.valid_to_fy is None or sub.valid_to_fy >= fiscal_year
    )


def _cost_years(node, years, evaluation_fy, programs_by_year, program_costs) -> list[CostYear]:
    node_records = {
        (fy, basis): (amount, personnel_cost)
        for fy, basis, amount, personnel_cost in CostRecord.objects.filter(policy_node_id=node.pk)
        .order_by()
        .values_list("fiscal_year", "basis", "amount", "personnel_cost")
    }
    columns = []
    for fy in years:
        basis = _basis(fy, evaluation_fy)
        pairs = [program_costs[(program.pk, fy)] for program in programs_by_year.get(fy, [])]
        project = costs.sum_amounts(p for p, _ in pairs)
        personnel = costs.sum_amounts(q for _, q in pairs)
        from_record = False
        if project is None and personnel is None and (record := node_records.get((fy, basis))):
            # No linked program has data for the year: the policy node's published totals.
            (project, personnel), from_record = record, True
        columns.append(
            CostYear(
                fiscal_year=fy,
                basis=basis,
                project_cost=project,
                personnel_cost=personnel,
                total_cost=costs.total_cost(project_cost=project, personnel_cost=personnel),
                from_policy_record=from_record,
            )
        )
    return columns


def _program_rows(sheet, programs, program_costs, program_years, s) -> list[PolicyProgramRow]:
    """§3: one row per program linked in S (``programs``, in link order)."""
    # (order, 事業評価, 貢献度, 最終評価) per program: only the options' labels are printed.
    evaluations = {
        program_id: row
        for program_id, *row in ProgramPolicyEvaluation.objects.filter(sheet_id=sheet.pk)
        .order_by()
        .values_list(
            "program_id",
            "order",
            "program_evaluation__label",
            "contribution__label",
            "final_evaluation__label",
        )
    }
    # Each linked program's 今後の方針 label (a program has one 個表 a year).
    directions = dict(
        ProgramSheet.objects.filter(
            sheet__form_type=FormType.KAMAKURA_PROGRAM,
            sheet__evaluation_fy=sheet.evaluation_fy,
            sheet__program_id__in=[program.pk for program in programs],
        ).values_list("sheet__program_id", "direction__label")
    )
    rows = []
    for program in programs:
        _order, program_evaluation, contribution, final_evaluation = evaluations.get(program.pk, (None,) * 4)
        py = program_years.get((program.pk, s))
        project, personnel = program_costs[(program.pk, s)]
        rows.append(
            PolicyProgramRow(
                program=program,
                department=_department(program.owner_unit),
                is_priority=bool(py and py.is_priority),
                is_statutory=bool(
                    py and py.administrative_category == AdministrativeCategory.STATUTORY_ENTRUSTED
                ),
                project_cost=project,
                personnel_cost=personnel,
                total_cost=costs.total_cost(project_cost=project, personnel_cost=personnel),
                program_evaluation=program_evaluation or directions.get(program.pk) or "",
                contribution=contribution or "",
                final_evaluation=final_evaluation or "",
            )
        )
    order = {pk: (row[0], 0) for pk, row in evaluations.items()}
    rows.sort(key=lambda r: (*order.get(r.program.pk, (10_000, 0)), r.program.code))
    return rows


def _indicator_rows(node, years) -> list[OutcomeIndicatorRow]:
    indicators = _in_order(Indicator.objects.filter(policy_node_id=node.pk, kind=IndicatorKind.OUTCOME))
    rows = []
    for no, series in enumerate(indicator_series_for(indicators), start=1):
        actuals = [series.cell(y, ValueType.ACTUAL) for y in years]
        rates = [series.achievement(y, decimals=INDICATOR_DECIMALS) for y in years]
        rows.append(
            OutcomeIndicatorRow(
                no=no,
                series=series,
                targets=[series.cell(y, ValueType.TARGET) for y in years],
                actuals=actuals,
                rates=rates,
                rate_texts=[
                    NOT_RATED if cell.status not in ("", ValueStatus.OK) else rate.text
                    for cell, rate in zip(actuals, rates, strict=True)
                ],
            )
        )
    return rows


def _narratives(sheet, departments) -> dict[str, NarrativeSection]:
    """Per-department text blocks; §1 falls back to last year's §9 when it has not been written."""
    # The sheet's blocks and last year's §9 in one query, as plain rows in the default order.
    blocks, previous = {}, {}
    for sheet_id, section_key, org_unit_id, text in (
        NarrativeBlock.objects.filter(
            Q(sheet_id=sheet.pk)
            | Q(
                sheet__form_type=FormType.KAMAKURA_POLICY,
                sheet__policy_node_id=sheet.policy_node_id,
                sheet__evaluation_fy=sheet.evaluation_fy - 1,
                section_key="002.9",
            )
        )
        .order_by("sheet_id", "section_key", "order", "id")
        .values_list("sheet_id", "section_key", "org_unit_id", "text")
    ):
        if sheet_id == sheet.pk:
            blocks[(section_key, org_unit_id)] = text
        else:
            previous[org_unit_id] = text
    sections = {}
    for key, title in SECTION_TITLES.items():
        entries = []
        for dept in departments:
            text = blocks.get((key, dept.pk), "")
            carried = False
            if key == "002.1" and not text and previous.get(dept.pk):
                text, carried = previous[dept.pk], True
            entries.append(NarrativeEntry(dept, text, carried))
        sections[key] = NarrativeSection(key, title, entries)
    return sections


#: What the context reads through the sheet; a caller that has the sheet already (the page) fetches
#: it with these so that the context needs no query of its own for it.
SHEET_RELATED = ("policy_node__parent",)


def policy_sheet_context(*, sheet_id: int, sheet: EvaluationSheet | None = None) -> PolicySheetContext:
    """Build the policy sheet context in a fixed number of queries, whatever the number of programs.

    ``sheet``: the sheet already fetched with :data:`SHEET_RELATED` (the page has it), saving a query.
    """
    if sheet is None or sheet.pk != sheet_id:
        # With the organisation too, for the callers that read it off ctx.sheet.
        sheet = EvaluationSheet.objects.select_related("organization", *SHEET_RELATED).get(
            pk=sheet_id, form_type=FormType.KAMAKURA_POLICY
        )
    elif sheet.form_type != FormType.KAMAKURA_POLICY:
        raise EvaluationSheet.DoesNotExist
    node = sheet.policy_node
    e, s = sheet.evaluation_fy, sheet.subject_fy
    years = list(range(e - POLICY_WINDOW + 1, e + 1))

    # The links as (year, program id) rows, sorted here as the default ordering would (by year, the
    # primary link first); then each linked program once with its units: a program is linked in most
    # of the six years, and an object per link costs more.
    links = [
        (fy, program_id)
        for fy, _primary, program_id in sorted(
            ProgramPolicyLink.objects.filter(policy_node_id=node.pk, fiscal_year__in=years)
            .order_by()
            .values_list("fiscal_year", "is_primary", "program_id"),
            key=lambda link: (link[0], not link[1]),
        )
    ]
    # Without the default ordering (it joins the organisation): the dict is looked up, never iterated.
    by_id = (
        Program.objects.select_related("owner_unit__parent__parent")
        .order_by()
        .in_bulk({pk for _, pk in links})
    )
    programs_by_year = defaultdict(list)
    for fy, program_id in links:
        programs_by_year[fy].append(by_id[program_id])
    programs = [by_id[pk] for pk in dict.fromkeys(pk for _, pk in links)]
    program_costs_by_year, program_years = program_costs(programs, years, e)
    program_rows = _program_rows(sheet, programs_by_year.get(s, []), program_costs_by_year, program_years, s)

    # By the signatory's order (the default ordering would join the sheet for nothing).
    signatories = _in_order(
        SheetSignatory.objects.filter(sheet_id=sheet.pk).select_related("org_unit__parent__parent")
    )
    departments = []
    for sig in signatories:
        dept = _department(sig.org_unit)
        if dept is not None and dept not in departments:
            departments.append(dept)

    warnings = [
        f"{row.code} {row.name}: 最終評価が未入力です。" for row in program_rows if not row.final_evaluation
    ]
    return PolicySheetContext(
        sheet=sheet,
        evaluation_fy=e,
        subject_fy=s,
        title=f"{fy_label(e, 'title')}行政評価シート",
        sheet_date_label=date_label(sheet.sheet_date) if sheet.sheet_date else "",
        field_label=str(node.parent) if node.parent else "",
        policy_label=str(node),
        vision_text=node.vision_text,
        departments=departments,
        evaluators=[
            (
                _department(sig.org_unit).name if _department(sig.org_unit) else "",
                f"{sig.title}　{sig.person_name}",
            )
            for sig in signatories
        ],
        items=sorted(PolicyNodeItem.objects.filter(policy_node_id=node.pk).order_by(), key=_by_no),
        narratives=_narratives(sheet, departments),
        cost_years=_cost_years(node, years, e, programs_by_year, program_costs_by_year),
        program_rows=program_rows,
        program_project_total=costs.sum_amounts(r.project_cost for r in program_rows),
        program_personnel_total=costs.sum_amounts(r.personnel_cost for r in program_rows),
        program_total_cost=costs.sum_amounts(r.total_cost for r in program_rows),
        indicator_years=years,
        indicators=_indicator_rows(node, years),
        warnings=warnings,
    )


__all__ = [
    "SHEET_RELATED",
    "CostYear",
    "NarrativeSection",
    "OutcomeIndicatorRow",
    "PolicyProgramRow",
    "PolicySheetContext",
    "policy_sheet_context",
]
