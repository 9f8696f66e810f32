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
    def late_sections(self) -> list[NarrativeSection]:
        """§6 … §9, printed after the outcome indicators."""
        return [self.narratives[key] for key in ("002.6", "002.7", "002.8", "002.9")]


def _department(unit: OrgUnit | None) -> OrgUnit | None:
    """The 部 an org unit belongs to (the unit itself when it is one); parents are select_related."""
    while unit is not None and unit.kind != OrgUnitKind.DEPARTMENT:
        unit = unit.parent
    return unit


def _basis(fiscal_year: int, evaluation_fy: int) -> str:
    return CostBasis.BUDGET if fiscal_year >= evaluation_fy else CostBasis.SETTLEMENT


def program_costs(programs, years, evaluation_fy):
    """(事業費, 人件費) per (program id, year) in a fixed number of queries (the portfolio uses it too)."""
    subs = defaultdict(list)
    for sub in Program.objects.filter(parent__in=programs, kind=ProgramKind.SUB_PROGRAM):
        subs[sub.parent_id].append(sub)
    owners = [*programs, *(s for group in subs.values() for s in group)]
    records = {
        (r.program_id, r.fiscal_year, r.basis): r.amount
        for r in CostRecord.objects.filter(program__in=owners, fiscal_year__in=years).only(
            "program_id", "fiscal_year", "basis", "amount"
        )
    }
    program_years = {
        (py.program_id, py.fiscal_year): py
        for py in ProgramYear.objects.filter(program__in=programs, fiscal_year__in=years)
    }
    personnel = personnel_costs_for(programs, years, program_years)
    result = {}
    for program in programs:
        for fy in years:
            basis = _basis(fy, evaluation_fy)
            project = costs.project_cost(
                own_amount=records.get((program.pk, fy, basis)),
                sub_amounts=[records.get((s.pk, fy, basis)) for s in subs[program.pk] if s.is_active_in(fy)],
            )
            result[(program.pk, fy)] = (project, personnel[(program.pk, fy)])
    return result, program_years


def _cost_years(node, years, evaluation_fy, links_by_year, program_costs) -> list[CostYear]:
    node_records = {(r.fiscal_year, r.basis): r for r in CostRecord.objects.filter(policy_node=node)}
    columns = []
    for fy in years:
        basis = _basis(fy, evaluation_fy)
        pairs = [program_costs[(link.program_id, fy)] for link in links_by_year.get(fy, [])]
        project = costs.sum_amounts(p for p, _ in pairs)
        personnel = costs.sum_amounts(q for _, q in pairs)
        from_record = False
        if project is None and personnel is None and (record := node_records.get((fy, basis))):
            # No linked program has data for the year: the policy node's published totals.
            project, personnel, from_record = record.amount, record.personnel_cost, True
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


def _label(option) -> str:
    return option.label if option else ""


def _program_rows(sheet, links, program_costs, program_years, s) -> list[PolicyProgramRow]:
    evaluations = {
        ev.program_id: ev
        for ev in ProgramPolicyEvaluation.objects.filter(sheet=sheet).select_related(
            "program_evaluation", "contribution", "final_evaluation"
        )
    }
    directions = {
        ps.sheet.program_id: ps.direction
        for ps in ProgramSheet.objects.filter(
            sheet__form_type=FormType.KAMAKURA_PROGRAM,
            sheet__evaluation_fy=sheet.evaluation_fy,
            sheet__program__in=[link.program_id for link in links],
        ).select_related("sheet", "direction")
    }
    rows = []
    for link in links:
        program = link.program
        ev = evaluations.get(program.pk)
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
                program_evaluation=_label(ev and ev.program_evaluation) or _label(directions.get(program.pk)),
                contribution=_label(ev and ev.contribution),
                final_evaluation=_label(ev and ev.final_evaluation),
            )
        )
    order = {pk: (ev.order, 0) for pk, ev in evaluations.items()}
    rows.sort(key=lambda r: (*order.get(r.program.pk, (10_000, 0)), r.program.code))
    return rows


def _indicator_rows(node, years) -> list[OutcomeIndicatorRow]:
    indicators = Indicator.objects.filter(policy_node=node, kind=IndicatorKind.OUTCOME).order_by(
        "order", "id"
    )
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
    blocks = {(b.section_key, b.org_unit_id): b.text for b in NarrativeBlock.objects.filter(sheet=sheet)}
    previous = {
        b.org_unit_id: b.text
        for b in NarrativeBlock.objects.filter(
            sheet__form_type=FormType.KAMAKURA_POLICY,
            sheet__policy_node_id=sheet.policy_node_id,
            sheet__evaluation_fy=sheet.evaluation_fy - 1,
            section_key="002.9",
        )
    }
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


def policy_sheet_context(*, sheet_id: int) -> PolicySheetContext:
    """Build the policy sheet context in a fixed number of queries, whatever the number of programs."""
    sheet = EvaluationSheet.objects.select_related("organization", "policy_node__parent").get(
        pk=sheet_id, form_type=FormType.KAMAKURA_POLICY
    )
    node = sheet.policy_node
    e, s = sheet.evaluation_fy, sheet.subject_fy
    years = list(range(e - POLICY_WINDOW + 1, e + 1))

    links_by_year = defaultdict(list)
    for link in ProgramPolicyLink.objects.filter(policy_node=node, fiscal_year__in=years).select_related(
        "program__owner_unit__parent__parent"
    ):
        links_by_year[link.fiscal_year].append(link)
    programs = list({link.program_id: link.program for ls in links_by_year.values() for link in ls}.values())
    program_costs_by_year, program_years = program_costs(programs, years, e)
    program_rows = _program_rows(sheet, links_by_year.get(s, []), program_costs_by_year, program_years, s)

    signatories = list(sheet.signatories.select_related("org_unit__parent__parent"))
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
        items=list(PolicyNodeItem.objects.filter(policy_node=node).order_by("no")),
        narratives=_narratives(sheet, departments),
        cost_years=_cost_years(node, years, e, links_by_year, program_costs_by_year),
        program_rows=program_rows,
        program_project_total=costs.sum_amounts(r.project_cost for r in program_rows),
        program_personnel_total=costs.sum_amounts(r.personnel_cost for r in program_rows),
        program_total_cost=costs.sum_amounts(r.total_cost for r in program_rows),
        indicator_years=years,
        indicators=_indicator_rows(node, years),
        warnings=warnings,
    )


__all__ = [
    "CostYear",
    "NarrativeSection",
    "OutcomeIndicatorRow",
    "PolicyProgramRow",
    "PolicySheetContext",
    "policy_sheet_context",
]
