"""The 「主な取組」検証票 context (Okinawa, form 001): the page, the PDF and the Excel export read it.

Built in a fixed number of queries whatever the number of indicator components, Check / Action rows
or reflections. Figures come from the shared calculations: the cumulative plan from
``cumulative_series``, 達成割合 from ``achievement_ratio`` with the display cap (raw kept), the
status band from ``band_for_ratio`` over the ``ratio_min`` of the OKI_PROGRESS options.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import zip_longest

from hikikomori_eval.wareki import fy_label
from indicators import calculations, costs
from indicators.choices import CostBasis, CumulativeMode, IndicatorKind, ValueType
from indicators.models import BudgetProject, CostRecord, Indicator
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for, rate_cell
from sheets.choices import OKI_PROGRESS, FormType
from sheets.models import (
    CheckFactor,
    ChoiceOption,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    InitiativePlanYear,
    PolicyNode,
    Program,
    ProgramPolicyLink,
    ProgramYear,
)
from sheets.selectors.common import choice_options

FORM_LABEL = "様式１（主な取組）"
FORM_TITLE = "「主な取組」検証票"
RATE_DECIMALS = 1  # 達成割合 100.0%
RESULT_YEARS_BEFORE_S = 2  # 実績値 R2, R3 beside R4 (A)
BUDGET_COLUMNS = ((-1, CostBasis.SETTLEMENT, "決算額"), (0, CostBasis.SETTLEMENT_ESTIMATE, "決算見込額"))
BUDGET_NEXT = (1, CostBasis.INITIAL_BUDGET, "当初予算額")


def _short(fy: int) -> str:
    """R4 (the form's column heads print the era initial without 年度)."""
    return fy_label(fy, "short").removesuffix("年度")


@dataclass
class PlanCell:
    """One 年度別計画値 cell: 単年 and, after the plan's first year, （累計）."""

    single: ValueCell
    cumulative: ValueCell
    first_year: bool

    @property
    def text(self) -> str:
        single = self.single.text_with_unit
        if self.first_year or not single or self.cumulative.number is None:
            return single
        return f"{single}（{self.cumulative.text_with_unit}）"


@dataclass
class IndicatorPlanRow:
    """The plan values of the activity indicator, or of one of its components (協議会, 研修会)."""

    indicator: Indicator
    label: str  # component name; blank for an indicator without components
    cells: list[PlanCell]
    stored: dict = field(default_factory=dict)  # (fiscal year, value type) → IndicatorValue (edit page)

    def cell_texts(self) -> list[str]:
        prefix = f"{self.label}：" if self.label else ""
        return [f"{prefix}{c.text}" if c.text else "" for c in self.cells]

    @property
    def texts(self) -> list[str]:
        return self.cell_texts()


@dataclass
class ResultRow:
    """2 (1) 活動指標: 実績値 S−2, S−1, (A) S against (B) the cumulative plan of S, and A/B."""

    indicator: Indicator
    label: str
    earlier: list[ValueCell]
    actual: ValueCell
    target: ValueCell
    rate: RateCell
    cumulative_warning: str = ""  # V-CUM

    @property
    def target_text(self) -> str:
        text = self.target.text_with_unit
        return f"{self.label}：{text}" if self.label and text else text


@dataclass
class BudgetCell:
    fiscal_year: int
    basis: str
    label: str
    amount: Decimal | None
    main_funding: str = ""
    execution_method: str = ""
    main_funding_id: int | None = None
    execution_method_id: int | None = None

    @property
    def year_label(self) -> str:
        return f"{_short(self.fiscal_year)}年度"


@dataclass
class BudgetRow:
    """One 予算事業 of the initiative: printed on every initiative it funds, added up once (V-DUPCOST)."""

    project: BudgetProject
    name: str
    cells: list[BudgetCell]  # S−1 決算額, S 決算見込額, S+1 当初予算額


@dataclass
class ReflectionRow:
    """2 (2): last year's improvement plan and this year's 反映状況."""

    source_plan_id: int | None
    reflection_id: int | None
    plan_type: ChoiceOption | None
    plan_text: str
    reflection_text: str


@dataclass
class TypedRow:
    """A Check factor or an Action plan with its 類型."""

    pk: int | None
    option: ChoiceOption | None
    content: str

    @property
    def type_label(self) -> str:
        if self.option is None:
            return ""
        category = f"({self.option.category})" if self.option.category else ""
        return f"{self.option.code} {self.option.label}{category}"


@dataclass
class PlanTextSpan:
    text: str
    span: int


@dataclass
class InitiativeSheetContext:
    """Everything the 「主な取組」検証票 prints, computed once for page, PDF and Excel."""

    sheet: EvaluationSheet
    program: Program
    evaluation_fy: int
    subject_fy: int
    form_label: str
    title: str
    tenkai: PolicyNode | None
    shisaku: PolicyNode | None
    sub_item: PolicyNode | None
    direction_text: str
    outcome_indicator_name: str
    owner_unit_name: str
    phone: str
    related_url: str
    content_text: str
    implementing_body: str
    plan_years: list[int]
    plan_texts: list[PlanTextSpan]
    activity_indicator: Indicator | None
    plan_rows: list[IndicatorPlanRow]
    budget_rows: list[BudgetRow]
    activity_overview: str
    activity_done: str
    activity_plan: str
    result_years: list[int]
    result_rows: list[ResultRow]
    progress_status: ChoiceOption | None
    progress_options: list[ChoiceOption]
    status_basis: str
    status_problem: str
    reflections: list[ReflectionRow]
    check_rows: list[TypedRow]
    action_rows: list[TypedRow]
    warnings: list[str] = field(default_factory=list)
    plan_text_by_year: dict[int, str] = field(default_factory=dict)
    outcome_indicator_id: int | None = None

    @property
    def cumulative_warnings(self) -> list[str]:
        """V-CUM of the activity indicator (and its components): shown on the edit page and after save."""
        return [r.cumulative_warning for r in self.result_rows if r.cumulative_warning]

    @property
    def sub_item_label(self) -> str:
        return f"○{self.sub_item.name}" if self.sub_item else ""

    @property
    def plan_year_labels(self) -> list[str]:
        return [_short(fy) for fy in self.plan_years]

    @property
    def result_year_labels(self) -> list[str]:
        return [f"{_short(fy)}年度" for fy in self.result_years]

    @property
    def s_label(self) -> str:
        return fy_label(self.subject_fy, "plain")

    @property
    def s1_label(self) -> str:
        return fy_label(self.subject_fy + 1, "plain")

    @property
    def s_short(self) -> str:
        return f"{_short(self.subject_fy)}年度"

    @property
    def progress_label(self) -> str:
        return self.progress_status.label if self.progress_status else ""

    @property
    def related_url_text(self) -> str:
        return self.related_url or "―"

    @property
    def lowest_rate(self) -> RateCell | None:
        return _lowest_rate(self.result_rows)

    @property
    def check_action_pairs(self) -> list[tuple[TypedRow | None, TypedRow | None]]:
        """3 Check and 4 Action side by side, as the form prints them (the rows are not paired)."""
        return list(zip_longest(self.check_rows, self.action_rows))

    @property
    def plan_cells_by_year(self) -> list[list[str]]:
        """年度別計画値 per plan year: one line per component (協議会：4回（8回）, 研修会：1回（2回）)."""
        return [[row.texts[i] for row in self.plan_rows if row.texts[i]] for i in range(len(self.plan_years))]

    @property
    def reflection_year_label(self) -> str:
        return f"{fy_label(self.subject_fy, 'plain')}の取組改善案"


def _lowest_rate(rows: list[ResultRow]) -> RateCell | None:
    """Each component is evaluated on its own: the status answers for the weakest one."""
    rated = [r.rate for r in rows if r.rate.raw is not None]
    return min(rated, key=lambda r: r.raw) if rated else None


def progress_status_problem(
    *, status: ChoiceOption | None, rate: RateCell | None, options, basis: str = ""
) -> str:
    """V-STATUS: the chosen 進捗状況 outside the band of the 達成割合 → a warning (blank when it fits)."""
    if status is None or rate is None or rate.raw is None:
        return ""
    bands = {o.code: o.ratio_min for o in options}
    if (
        not any(v is not None for v in bands.values())
        or calculations.band_for_ratio(rate.raw, bands) == status.code
    ):
        return ""
    lower = (
        calculations.ratio_to_percent(status.ratio_min, decimals=RATE_DECIMALS)
        if status.ratio_min is not None
        else None
    )
    expected = f"（目安: {lower}%以上）" if lower is not None else ""
    message = f"進捗状況「{status.label}」は達成割合 {rate.text} の目安と一致しません{expected}。"
    return message + ("判定根拠を確認してください。" if basis.strip() else "判定根拠の記入が必要です。")


def _policy_path(program: Program, fiscal_year: int):
    link = (
        ProgramPolicyLink.objects.select_related("policy_node__parent__parent")
        .filter(program=program, fiscal_year__lte=fiscal_year, is_primary=True)
        .order_by("-fiscal_year")
        .first()
    )
    if link is None:
        return None, None, None
    sub_item = link.policy_node
    shisaku = sub_item.parent
    return (shisaku.parent if shisaku else None), shisaku, sub_item


def _plan_texts(plan_years: list[int], texts: dict[int, str]) -> list[PlanTextSpan]:
    """Consecutive years with the same plan print as one bar spanning them, as on the form."""
    spans: list[PlanTextSpan] = []
    for fy in plan_years:
        text = texts.get(fy, "")
        if spans and spans[-1].text == text:
            spans[-1].span += 1
        else:
            spans.append(PlanTextSpan(text, 1))
    return spans


CUMULATIVE_MODES = (CumulativeMode.PLAN_PERIOD, CumulativeMode.LIFETIME)


def cumulative_problem(indicator: Indicator, label: str, actuals: dict[int, Decimal | None]) -> str:
    """V-CUM: a cumulative actual lower than the previous known year's → a warning (blank otherwise)."""
    if indicator.cumulative_mode not in CUMULATIVE_MODES:
        return ""
    years = calculations.cumulative_decreases(actuals)
    if not years:
        return ""
    name = label or indicator.name
    shown = "、".join(f"{_short(fy)}年度" for fy in years)
    return (
        f"「{name}」は累計の指標ですが、{shown}の実績値（累計）が前年度より減っています。"
        "実績値を確認してください。"
    )


def _indicator_rows(
    series: list[IndicatorSeries], plan_years, s
) -> tuple[list[IndicatorPlanRow], list[ResultRow]]:
    result_years = list(range(s - RESULT_YEARS_BEFORE_S, s + 1))
    plan_rows, result_rows = [], []
    for sr in series:
        ind = sr.indicator
        label = ind.name if ind.parent_id else ""
        plan = sr.cumulative(ValueType.PLAN_SINGLE, sorted(set(plan_years) | {s}))
        actual = sr.cumulative(ValueType.ACTUAL, result_years)
        first = ind.cumulative_start_fy or (plan_years[0] if plan_years else s)
        plan_rows.append(
            IndicatorPlanRow(
                ind,
                label,
                [
                    PlanCell(
                        single=sr.cell(fy, ValueType.PLAN_SINGLE),
                        cumulative=ValueCell(value=plan.get(fy), decimals=ind.decimals, unit=ind.unit),
                        first_year=fy <= first,
                    )
                    for fy in plan_years
                ],
                sr.values,
            )
        )
        target_b, actual_a = plan.get(s), actual.get(s)
        result_rows.append(
            ResultRow(
                ind,
                label,
                earlier=[sr.cell(fy, ValueType.ACTUAL) for fy in result_years[:-1]],
                actual=ValueCell(value=actual_a, decimals=ind.decimals, unit=ind.unit)
                if actual_a is not None
                else sr.cell(s, ValueType.ACTUAL),
                target=ValueCell(value=target_b, decimals=ind.decimals, unit=ind.unit),
                rate=rate_cell(ind, target=target_b, actual=actual_a, decimals=RATE_DECIMALS),
                cumulative_warning=cumulative_problem(ind, label, actual),
            )
        )
    return plan_rows, result_rows


def indicator_rows(
    series: list[IndicatorSeries], plan_years: list[int], subject_fy: int
) -> tuple[list[IndicatorPlanRow], list[ResultRow]]:
    """The plan and result rows of given series: the edit page recomputes typed (unsaved) values with it."""
    return _indicator_rows(series, plan_years, subject_fy)


def _budget_rows(program: Program, s: int) -> list[BudgetRow]:
    columns = [*BUDGET_COLUMNS, BUDGET_NEXT]
    records = CostRecord.objects.filter(
        budget_project__programs=program, fiscal_year__in=[s + offset for offset, _b, _l in columns]
    ).select_related("budget_project", "main_funding", "execution_method")
    by_project: dict[int, dict] = defaultdict(dict)
    projects: dict[int, BudgetProject] = {}
    for r in records:
        by_project[r.budget_project_id][(r.fiscal_year, r.basis)] = r
        projects[r.budget_project_id] = r.budget_project
    for project in program.budget_projects.all():
        projects.setdefault(project.pk, project)
    rows = []
    for pk, project in sorted(projects.items(), key=lambda item: (item[1].name, item[0])):
        cells = []
        for offset, basis, label in columns:
            record = by_project[pk].get((s + offset, basis))
            cells.append(
                BudgetCell(
                    s + offset,
                    basis,
                    label,
                    record.amount if record else None,
                    str(record.main_funding.label) if record and record.main_funding else "",
                    str(record.execution_method.label) if record and record.execution_method else "",
                    record.main_funding_id if record else None,
                    record.execution_method_id if record else None,
                )
            )
        rows.append(BudgetRow(project, project.name, cells))
    return rows


def budget_totals(*, programs, fiscal_year: int, basis: str) -> Decimal | None:
    """Σ of the budget projects funding any of ``programs``: each project counted once (V-DUPCOST)."""
    projects = BudgetProject.objects.filter(programs__in=programs)
    return costs.sum_amounts(
        CostRecord.objects.filter(
            budget_project__in=projects, fiscal_year=fiscal_year, basis=basis
        ).values_list("amount", flat=True)
    )


def initiative_policy_nodes(*, organization_id: int) -> list[PolicyNode]:
    """施策の小項目 a sheet may be filed under: the deepest level of the organisation's plans."""
    nodes = list(
        PolicyNode.objects.filter(plan__organization_id=organization_id)
        .select_related("level", "parent", "plan")
        .order_by("plan", "order", "code", "id")
    )
    deepest: dict[int, int] = {}
    for node in nodes:
        deepest[node.plan_id] = max(deepest.get(node.plan_id, 0), node.level.depth)
    return [n for n in nodes if n.level.depth == deepest[n.plan_id]]


def outcome_indicator_options(*, organization_id: int):
    """成果指標 of the organisation an initiative may answer to (対応する成果指標)."""
    return Indicator.objects.filter(organization_id=organization_id, kind=IndicatorKind.OUTCOME).order_by(
        "order", "id"
    )


def _reflections(sheet: EvaluationSheet) -> list[ReflectionRow]:
    """Last year's Action plans, each with this year's reflection; saved reflections keep their snapshot."""
    previous = list(
        ImprovementPlan.objects.filter(
            sheet__program_id=sheet.program_id,
            sheet__form_type=sheet.form_type,
            sheet__evaluation_fy=sheet.evaluation_fy - 1,
        )
        .select_related("plan_type")
        .order_by("order", "id")
    )
    saved = list(ImprovementReflection.objects.filter(sheet=sheet).select_related("source_plan__plan_type"))
    by_source = {r.source_plan_id: r for r in saved if r.source_plan_id}
    rows = []
    for plan in previous:
        reflection = by_source.get(plan.pk)
        rows.append(
            ReflectionRow(
                plan.pk,
                reflection.pk if reflection else None,
                plan.plan_type,
                reflection.plan_text if reflection and reflection.plan_text else plan.content,
                reflection.reflection_text if reflection else "",
            )
        )
    known = {plan.pk for plan in previous}
    for r in sorted(saved, key=lambda r: (r.order, r.pk)):
        if r.source_plan_id not in known:  # the plan was deleted or entered by hand: keep the snapshot
            plan_type = r.source_plan.plan_type if r.source_plan else None
            rows.append(ReflectionRow(r.source_plan_id, r.pk, plan_type, r.plan_text, r.reflection_text))
    return rows


def initiative_sheet_context(*, sheet_id: int) -> InitiativeSheetContext:
    """Build the 検証票 context in a fixed number of queries, whatever the number of rows."""
    sheet = EvaluationSheet.objects.select_related(
        "organization", "program__owner_unit", "initiative_sheet__progress_status"
    ).get(pk=sheet_id, form_type=FormType.OKINAWA_INITIATIVE)
    program = sheet.program
    e, s = sheet.evaluation_fy, sheet.subject_fy
    program_year = (
        ProgramYear.objects.select_related("outcome_indicator")
        .filter(program=program, fiscal_year__lte=s)
        .order_by("-fiscal_year")
        .first()
    )
    tenkai, shisaku, sub_item = _policy_path(program, s)
    plan_year_rows = list(InitiativePlanYear.objects.filter(program=program).order_by("fiscal_year"))
    plan_years = [p.fiscal_year for p in plan_year_rows]
    indicators = list(
        Indicator.objects.filter(program=program, kind=IndicatorKind.ACTIVITY).order_by("order", "id")
    )
    top = [i for i in indicators if i.parent_id is None]
    activity = top[0] if top else None
    components = [i for i in indicators if activity and i.parent_id == activity.pk]
    shown = components or ([activity] if activity else [])
    series = indicator_series_for(shown)
    if not plan_years and activity and activity.cumulative_start_fy:
        plan_years = [activity.cumulative_start_fy]
    plan_rows, result_rows = _indicator_rows(series, plan_years, s)

    extension = getattr(sheet, "initiative_sheet", None)
    status = extension.progress_status if extension else None
    options = list(choice_options(OKI_PROGRESS, organization_id=sheet.organization_id, fiscal_year=e))
    basis = extension.status_basis if extension else ""
    problem = progress_status_problem(
        status=status, rate=_lowest_rate(result_rows), options=options, basis=basis
    )
    unit = program.owner_unit

    return InitiativeSheetContext(
        sheet=sheet,
        program=program,
        evaluation_fy=e,
        subject_fy=s,
        form_label=FORM_LABEL,
        title=FORM_TITLE,
        tenkai=tenkai,
        shisaku=shisaku,
        sub_item=sub_item,
        direction_text=sub_item.direction_text if sub_item else "",
        outcome_indicator_name=program_year.outcome_indicator.name
        if program_year and program_year.outcome_indicator
        else "",
        owner_unit_name=(
            f"{unit.parent.name}{unit.name}" if unit and unit.parent_id else (unit.name if unit else "")
        ),
        phone=unit.phone if unit else "",
        related_url=program_year.related_url if program_year else "",
        content_text=program_year.content_text if program_year else "",
        implementing_body=program_year.implementing_body if program_year else "",
        plan_years=plan_years,
        plan_texts=_plan_texts(plan_years, {p.fiscal_year: p.plan_text for p in plan_year_rows}),
        activity_indicator=activity,
        plan_rows=plan_rows,
        budget_rows=_budget_rows(program, s),
        activity_overview=extension.activity_overview if extension else "",
        activity_done=extension.activity_done if extension else "",
        activity_plan=extension.activity_plan if extension else "",
        result_years=list(range(s - RESULT_YEARS_BEFORE_S, s + 1)),
        result_rows=result_rows,
        progress_status=status,
        progress_options=options,
        status_basis=basis,
        status_problem=problem,
        reflections=_reflections(sheet),
        check_rows=[
            TypedRow(f.pk, f.factor_type, f.content)
            for f in CheckFactor.objects.filter(sheet=sheet).select_related("factor_type")
        ],
        action_rows=[
            TypedRow(p.pk, p.plan_type, p.content)
            for p in ImprovementPlan.objects.filter(sheet=sheet).select_related("plan_type")
        ],
        warnings=[problem] if problem else [],
        plan_text_by_year={p.fiscal_year: p.plan_text for p in plan_year_rows},
        outcome_indicator_id=program_year.outcome_indicator_id if program_year else None,
    )


__all__ = [
    "InitiativeSheetContext",
    "budget_totals",
    "cumulative_problem",
    "indicator_rows",
    "initiative_policy_nodes",
    "initiative_sheet_context",
    "outcome_indicator_options",
    "progress_status_problem",
]
