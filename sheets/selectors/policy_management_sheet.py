"""The 施策マネジメントシート context (Kunitachi, form 004): page, PDF and Excel share it.

The sheet evaluates a 基本施策 (the sheet's policy node) over the whole plan period (R2 … R9):

- §1/§2 come from the policy tree: the node's 対象 and 目的, its 展開方向 children with 目的 and 手段.
- §3 prints every year of the plan: 対象指標 (実績値 up to S, 見込み値 after S) and 成果指標 per
  展開方向 (目標値, 実績値, 成り行き値), with 目標達成度 and 前年度比較 of S; then the cost by funding
  source, 延べ業務時間 and 人件費 **rolled up from the programs linked to the node or to one of its
  展開方向 in that year** (決算 up to S, 予算 after), and 事務事業数 = the programs linked in S.
  A year where no linked program has cost data prints the node's own CostRecord (published totals of
  years before per-program data existed); a year with neither prints blank, never 0 (V-BLANK).
- §4 suggests a grade from the data (share of 達成; three-year trend) beside the stored choice; a
  choice two or more steps away needs a reason (:func:`grade_needs_reason`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from hikikomori_eval.wareki import fy_label
from indicators import calculations, costs
from indicators.choices import CostBasis, FundingSource, IndicatorKind, ValueType, YearOverYear
from indicators.models import CostRecord, Indicator
from indicators.selectors import IndicatorSeries, ValueCell, indicator_series_for
from sheets.choices import (
    KNI_GOAL_GRADE,
    KNI_OVERALL_GRADE,
    KNI_TREND_GRADE,
    FormType,
    ProgramKind,
    SignatoryRole,
)
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    NarrativeBlock,
    PolicyManagementSheet,
    PolicyNode,
    Program,
    ProgramPolicyLink,
)
from sheets.selectors.common import choice_options

OBJECT_SLOTS = ("ア", "イ", "ウ", "エ")
OUTCOME_SLOTS = ("ア", "イ")
DIRECTION_SLOTS = 4  # The form prints 展開方向 1–4, blank when a plan has fewer.
TREND_SPAN = 3  # §4(2) 時系列比較（過去3ヶ年の比較）
REASON_STEPS = 2  # A grade this many steps from the suggestion needs a reason.

#: §3 施策コスト rows: the form's label and the funding sources it adds up.
KUNITACHI_FUNDING_ROWS: tuple[tuple[str, frozenset[str]], ...] = (
    ("国庫支出金", frozenset({FundingSource.NATIONAL})),
    ("都道府県支出金", frozenset({FundingSource.PREFECTURAL})),
    ("地方債", frozenset({FundingSource.LOCAL_BOND})),
    # 国県支出金 entered as one line cannot be split here: it is counted in その他 (and warned about),
    # so that 事業費計 (A) stays the sum of every source.
    (
        "その他",
        frozenset({FundingSource.OTHER, FundingSource.OTHER_SPECIFIC, FundingSource.NATIONAL_PREFECTURAL}),
    ),
    ("一般財源", frozenset({FundingSource.GENERAL})),
)
ATTAINMENT_TEXT = {True: "達成", False: "未達成"}
YEAR_OVER_YEAR_TEXT = {
    YearOverYear.IMPROVED: "向上",
    YearOverYear.FLAT: "横ばい",
    YearOverYear.WORSENED: "低下",
}

#: Narrative blocks (NarrativeBlock.section_key, column_key) and their printed headings.
NARRATIVE_KEYS = (
    ("004.5.1", ""),
    ("004.5.2", ""),
    ("004.5.3", ""),
    ("004.5.4", "current"),
    ("004.5.4", "next"),
    ("004.6.1", "results"),
    ("004.6.1", "issues"),
    ("004.7.1", ""),
    ("004.7.2", ""),
)


def _note(indicator: Indicator | None) -> str:
    """基本計画における指標の説明又は出典元: the description, then 出典：source."""
    if indicator is None:
        return ""
    source = _("出典：%(source)s") % {"source": indicator.source_text} if indicator.source_text else ""
    return "\n".join(t for t in (indicator.description, source) if t)


class _SlotRow:
    """What both kinds of grid rows print about their indicator (``series``; blank for an empty slot)."""

    @property
    def indicator(self) -> Indicator | None:
        return self.series.indicator if self.series else None

    @property
    def name(self) -> str:
        return self.indicator.name if self.indicator else ""

    @property
    def unit(self) -> str:
        return self.indicator.unit if self.indicator else ""

    @property
    def note(self) -> str:
        return _note(self.indicator)


@dataclass
class ObjectIndicatorRow(_SlotRow):
    """③ 対象指標 (slot ア–エ): 実績値 up to S and 見込み値 after S."""

    slot: str
    series: IndicatorSeries | None
    actuals: list[ValueCell]
    projections: list[ValueCell]


@dataclass
class OutcomeIndicatorRow(_SlotRow):
    """④ 成果指標 of one 展開方向 × slot: 目標値, 実績値, 成り行き値, 目標達成度 and 前年度比較 of S."""

    slot: str
    series: IndicatorSeries | None
    targets: list[ValueCell]
    actuals: list[ValueCell]
    trends: list[ValueCell]
    achieved: bool | None = None
    year_over_year: YearOverYear | None = None
    three_year: YearOverYear | None = None

    @property
    def attainment_text(self) -> str:
        return ATTAINMENT_TEXT.get(self.achieved, "")

    @property
    def year_over_year_text(self) -> str:
        return YEAR_OVER_YEAR_TEXT.get(self.year_over_year, "")


@dataclass
class DirectionBlock:
    """One 展開方向 (or a blank slot of the form)."""

    no: int
    node: PolicyNode | None
    outcomes: list[OutcomeIndicatorRow]

    @property
    def name(self) -> str:
        return self.node.name if self.node else ""

    @property
    def purpose(self) -> str:
        return self.node.purpose_text if self.node else ""

    @property
    def means(self) -> list[str]:
        return list(self.node.means_items) if self.node else []


@dataclass
class CostYear:
    """One year's column of §3 施策コスト."""

    fiscal_year: int
    basis: str
    funding: list[Decimal | None]  # in the order of KUNITACHI_FUNDING_ROWS
    project_cost: Decimal | None  # 事業費計 (A)
    work_hours: Decimal | None
    personnel_cost: Decimal | None  # 人件費計 (B)
    total_cost: Decimal | None  # トータルコスト (A)+(B)
    from_policy_record: bool = False
    mixed_national_prefectural: bool = False


@dataclass
class GradeBlock:
    """§4 (1) or (2): the suggested grade, the chosen one and the reason a distant choice needs."""

    options: list[ChoiceOption]
    score: Decimal | None
    suggested: ChoiceOption | None
    chosen: ChoiceOption | None
    reason: str

    @property
    def needs_reason(self) -> bool:
        return grade_needs_reason(self.options, self.suggested, self.chosen)

    @property
    def score_percent(self) -> Decimal | None:
        return calculations.ratio_to_percent(self.score, decimals=0)


@dataclass
class PolicyManagementContext:
    """Everything the 施策マネジメントシート prints, computed once for page, PDF and Excel."""

    sheet: EvaluationSheet
    evaluation_fy: int
    subject_fy: int
    years: list[int]
    plan_label: str
    policy_name: str
    basic_policy: PolicyNode
    lead_unit_name: str
    lead_person: str
    related_unit_names: list[str]
    object_rows: list[ObjectIndicatorRow]
    directions: list[DirectionBlock]
    cost_years: list[CostYear]
    program_counts: list[int | None]  # 事務事業数 per year (linked programs), blank without links
    goal: GradeBlock
    trend: GradeBlock
    grade_background: str
    overall_options: list[ChoiceOption]
    overall_grade: ChoiceOption | None
    narratives: dict[tuple[str, str], str]
    warnings: list[str] = field(default_factory=list)

    @property
    def year_labels(self) -> list[str]:
        return [fy_label(y, "short") for y in self.years]

    @property
    def s_label(self) -> str:
        return fy_label(self.subject_fy, "number")

    @property
    def next_label(self) -> str:
        return fy_label(self.subject_fy + 1, "number")

    @property
    def after_next_label(self) -> str:
        return fy_label(self.subject_fy + 2, "number")

    @property
    def program_count(self) -> int:
        """事務事業数 of S."""
        return self.program_counts[self.years.index(self.subject_fy)] or 0

    @property
    def overall_checks(self) -> list[tuple[ChoiceOption, bool]]:
        """§6(2): every grade with its definition, the chosen one checked (■)."""
        chosen = self.overall_grade.pk if self.overall_grade else None
        return [(option, option.pk == chosen) for option in self.overall_options]

    @property
    def funding_labels(self) -> list[str]:
        return [label for label, _ in KUNITACHI_FUNDING_ROWS]

    @property
    def funding_rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """(label, amount per year) for each 財源 row, in the form's order."""
        return [
            (label, [c.funding[i] for c in self.cost_years]) for i, label in enumerate(self.funding_labels)
        ]

    @property
    def outcome_rows(self) -> list[tuple[DirectionBlock, OutcomeIndicatorRow]]:
        return [(d, row) for d in self.directions for row in d.outcomes]

    @property
    def indicator_series(self) -> dict[int, IndicatorSeries]:
        """Every indicator the grid prints, by id, with its values."""
        rows = [*self.object_rows, *(row for _, row in self.outcome_rows)]
        return {row.series.indicator.pk: row.series for row in rows if row.series}

    def narrative(self, section_key: str, column_key: str = "") -> str:
        return self.narratives.get((section_key, column_key), "")

    # Templates cannot index the tuple-keyed dict: one property per printed block.
    section_5_1 = property(lambda self: self.narrative("004.5.1"))
    section_5_2 = property(lambda self: self.narrative("004.5.2"))
    section_5_3 = property(lambda self: self.narrative("004.5.3"))
    section_5_4_current = property(lambda self: self.narrative("004.5.4", "current"))
    section_5_4_next = property(lambda self: self.narrative("004.5.4", "next"))
    section_6_1_results = property(lambda self: self.narrative("004.6.1", "results"))
    section_6_1_issues = property(lambda self: self.narrative("004.6.1", "issues"))
    section_7_1 = property(lambda self: self.narrative("004.7.1"))
    section_7_2 = property(lambda self: self.narrative("004.7.2"))


def grade_steps(options, a: ChoiceOption | None, b: ChoiceOption | None) -> int | None:
    """How many places apart two options of one grade scale are (None when either is missing)."""
    order = [o.pk for o in options]
    if a is None or b is None or a.pk not in order or b.pk not in order:
        return None
    return abs(order.index(a.pk) - order.index(b.pk))


def grade_needs_reason(options, suggested: ChoiceOption | None, chosen: ChoiceOption | None) -> bool:
    """A chosen grade two or more steps from the suggested one must be explained."""
    steps = grade_steps(options, suggested, chosen)
    return steps is not None and steps >= REASON_STEPS


def suggested_grade(options, score: Decimal | None) -> ChoiceOption | None:
    """The option whose ``ratio_min`` band holds the score (ChoiceOption.ratio_min, fixtures/choices.json)."""
    code = calculations.band_for_ratio(score, {o.code: o.ratio_min for o in options})
    return next((o for o in options if o.code == code), None)


def _basis(fiscal_year: int, subject_fy: int) -> str:
    return CostBasis.SETTLEMENT if fiscal_year <= subject_fy else CostBasis.BUDGET


def _record_funding(record: CostRecord) -> list[Decimal | None]:
    """A record's amount per §3 funding row; 一般財源 is what the specific sources leave of 事業費."""
    by_source = defaultdict(list)
    for line in record.funding_lines.all():
        by_source[line.source_type].append(line.amount)
    specific = [
        a for source, amounts in by_source.items() if source != FundingSource.GENERAL for a in amounts
    ]
    general = (
        costs.sum_amounts(by_source[FundingSource.GENERAL]) if FundingSource.GENERAL in by_source else None
    )
    if general is None:
        general = costs.general_revenue(project_cost=record.amount, specific_amounts=specific)
    return [
        general
        if FundingSource.GENERAL in sources
        else costs.sum_amounts(a for s in sources for a in by_source.get(s, []))
        for _, sources in KUNITACHI_FUNDING_ROWS
    ]


def _cost_year(fy, basis, records, from_policy_record=False) -> CostYear | None:
    if not records:
        return None
    per_record = [_record_funding(r) for r in records]
    funding = [costs.sum_amounts(f[i] for f in per_record) for i in range(len(KUNITACHI_FUNDING_ROWS))]
    project = costs.sum_amounts(funding)
    personnel = costs.sum_amounts(r.personnel_cost for r in records)
    return CostYear(
        fiscal_year=fy,
        basis=basis,
        funding=funding,
        project_cost=project,
        work_hours=costs.sum_amounts(r.work_hours for r in records),
        personnel_cost=personnel,
        total_cost=costs.total_cost(project_cost=project, personnel_cost=personnel),
        from_policy_record=from_policy_record,
        mixed_national_prefectural=any(
            line.source_type == FundingSource.NATIONAL_PREFECTURAL
            for r in records
            for line in r.funding_lines.all()
        ),
    )


def _cost_years(node, years, subject_fy, links_by_year) -> list[CostYear]:
    """§3 施策コスト per year, from the records of the programs linked that year (sub-programs first)."""
    program_ids = {link.program_id for links in links_by_year.values() for link in links}
    subs = defaultdict(list)
    for sub in Program.objects.filter(parent_id__in=program_ids, kind=ProgramKind.SUB_PROGRAM):
        subs[sub.parent_id].append(sub)
    records = defaultdict(list)
    for record in CostRecord.objects.filter(
        fiscal_year__in=years, program_id__in=program_ids | {s.pk for g in subs.values() for s in g}
    ).prefetch_related("funding_lines"):
        records[(record.program_id, record.fiscal_year, record.basis)].append(record)
    node_records = {
        (r.fiscal_year, r.basis): r
        for r in CostRecord.objects.filter(policy_node=node, fiscal_year__in=years).prefetch_related(
            "funding_lines"
        )
    }
    columns = []
    for fy in years:
        basis = _basis(fy, subject_fy)
        year_records = []
        for link in links_by_year.get(fy, []):
            active_subs = [s for s in subs[link.program_id] if s.is_active_in(fy)]
            owners = [s.pk for s in active_subs] or [link.program_id]
            year_records += [r for pk in owners for r in records[(pk, fy, basis)]]
        column = _cost_year(fy, basis, year_records)
        if column is None and (record := node_records.get((fy, basis))):
            column = _cost_year(fy, basis, [record], from_policy_record=True)
        columns.append(column or CostYear(fy, basis, [None] * len(KUNITACHI_FUNDING_ROWS), *[None] * 4))
    return columns


def _outcome_row(slot, series, years, s) -> OutcomeIndicatorRow:
    if series is None:
        blank = [ValueCell() for _ in years]
        return OutcomeIndicatorRow(slot, None, blank, blank, blank)
    ind = series.indicator
    actuals = series.numbers(ValueType.ACTUAL, range(s - TREND_SPAN + 1, s + 1))
    return OutcomeIndicatorRow(
        slot=slot,
        series=series,
        targets=[series.cell(y, ValueType.TARGET) for y in years],
        actuals=[series.cell(y, ValueType.ACTUAL) for y in years],
        trends=[series.cell(y, ValueType.TREND) for y in years],
        achieved=calculations.is_achieved(
            target=series.number(s, ValueType.TARGET), actual=actuals[s], polarity=ind.polarity
        ),
        year_over_year=calculations.year_over_year(
            current=actuals[s], previous=actuals.get(s - 1), polarity=ind.polarity
        ),
        three_year=calculations.trend_over_span(
            actuals, fiscal_year=s, span=TREND_SPAN, polarity=ind.polarity
        ),
    )


def _indicators(node, directions, years, s):
    indicators = Indicator.objects.filter(policy_node__in=[node, *directions]).order_by("order", "slot")
    series = {
        (x.indicator.policy_node_id, x.indicator.kind, x.indicator.slot): x
        for x in indicator_series_for(indicators)
    }
    object_rows = []
    for slot in OBJECT_SLOTS:
        found = series.get((node.pk, IndicatorKind.OBJECT, slot))
        object_rows.append(
            ObjectIndicatorRow(
                slot=slot,
                series=found,
                actuals=[found.cell(y, ValueType.ACTUAL) if found and y <= s else ValueCell() for y in years],
                projections=[
                    found.cell(y, ValueType.PROJECTION) if found and y > s else ValueCell() for y in years
                ],
            )
        )
    blocks = []
    for no in range(1, max(DIRECTION_SLOTS, len(directions)) + 1):
        direction = directions[no - 1] if no <= len(directions) else None
        blocks.append(
            DirectionBlock(
                no=no,
                node=direction,
                outcomes=[
                    _outcome_row(
                        slot,
                        series.get((direction.pk, IndicatorKind.OUTCOME, slot)) if direction else None,
                        years,
                        s,
                    )
                    for slot in OUTCOME_SLOTS
                ],
            )
        )
    return object_rows, blocks


def _grade_block(key, sheet, score, chosen, reason) -> GradeBlock:
    options = list(
        choice_options(key, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy)
    )
    return GradeBlock(
        options=options, score=score, suggested=suggested_grade(options, score), chosen=chosen, reason=reason
    )


def _plan_label(plan) -> str:
    """第２次基本計画期間（令和２～令和９年度）."""
    start = fy_label(plan.start_fy, "long").removesuffix("年度")
    return f"{plan.name}期間（{start}～{fy_label(plan.end_fy, 'long')}）"


def policy_management_context(*, sheet_id: int) -> PolicyManagementContext:
    """Build the 施策マネジメントシート context in a fixed number of queries, whatever the data size."""
    sheet = EvaluationSheet.objects.select_related(
        "organization", "policy_node__parent", "policy_node__plan", "policy_node__lead_unit"
    ).get(pk=sheet_id, form_type=FormType.KUNITACHI_POLICY)
    node = sheet.policy_node
    s = sheet.subject_fy
    plan = node.plan
    years = list(range(plan.start_fy, plan.end_fy + 1))
    directions = list(node.children.order_by("order", "code"))

    links_by_year = defaultdict(list)
    for link in ProgramPolicyLink.objects.filter(policy_node__in=[node, *directions], fiscal_year__in=years):
        links_by_year[link.fiscal_year].append(link)
    object_rows, blocks = _indicators(node, directions, years, s)
    outcome_rows = [row for block in blocks for row in block.outcomes if row.series]

    management = PolicyManagementSheet.objects.filter(sheet=sheet).select_related(
        "goal_grade", "trend_grade", "overall_grade"
    ).first() or PolicyManagementSheet(sheet=sheet)
    goal = _grade_block(
        KNI_GOAL_GRADE,
        sheet,
        calculations.share_achieved(r.achieved for r in outcome_rows),
        management.goal_grade,
        management.goal_grade_reason,
    )
    trend = _grade_block(
        KNI_TREND_GRADE,
        sheet,
        calculations.trend_score(r.three_year for r in outcome_rows),
        management.trend_grade,
        management.trend_grade_reason,
    )
    lead = next((sig for sig in sheet.signatories.all() if sig.role == SignatoryRole.LEAD), None)
    narratives = {
        (b.section_key, b.column_key): b.text
        for b in NarrativeBlock.objects.filter(sheet=sheet, section_key__startswith="004.")
    }
    cost_years = _cost_years(node, years, s, links_by_year)
    warnings = [
        f"§4({no}) {label}: 提案（{block.suggested.code}）と2段階以上異なる評価には理由を記入してください。"
        for no, label, block in ((1, "目標達成度", goal), (2, "時系列比較", trend))
        if block.needs_reason and not block.reason.strip()
    ]
    if any(c.mixed_national_prefectural for c in cost_years):
        warnings.append(
            "§3 国県支出金として入力された財源は「その他」に含めています。"
            "国庫支出金と都道府県支出金に分けて入力してください。"
        )
    if management.overall_grade is None:
        warnings.append("§6(2) 施策の総合評価が未入力です。")
    return PolicyManagementContext(
        sheet=sheet,
        evaluation_fy=sheet.evaluation_fy,
        subject_fy=s,
        years=years,
        plan_label=_plan_label(plan),
        policy_name=node.parent.name if node.parent else "",
        basic_policy=node,
        lead_unit_name=node.lead_unit.name if node.lead_unit else "",
        lead_person=lead.person_name if lead else "",
        related_unit_names=[u.name for u in node.related_units.all()],
        object_rows=object_rows,
        directions=blocks,
        cost_years=cost_years,
        program_counts=[len({link.program_id for link in links_by_year.get(fy, [])}) or None for fy in years],
        goal=goal,
        trend=trend,
        grade_background=management.grade_background,
        overall_options=list(
            choice_options(
                KNI_OVERALL_GRADE, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy
            )
        ),
        overall_grade=management.overall_grade,
        narratives=narratives,
        warnings=warnings,
    )


__all__ = [
    "KUNITACHI_FUNDING_ROWS",
    "CostYear",
    "DirectionBlock",
    "GradeBlock",
    "ObjectIndicatorRow",
    "OutcomeIndicatorRow",
    "PolicyManagementContext",
    "grade_needs_reason",
    "grade_steps",
    "policy_management_context",
    "suggested_grade",
]
