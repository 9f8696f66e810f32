"""施策マネジメントシート (Kunitachi, form 004): roll-ups, indicator grid, grade suggestions of the demo."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.choices import CostBasis, FundingSource, ValueType, YearOverYear
from indicators.models import CostRecord, FundingLine, Indicator, IndicatorValue
from sheets.choices import KNI_GOAL_GRADE, FormType
from sheets.demo_kunitachi import kunitachi_demo_load
from sheets.models import ChoiceOption, EvaluationSheet, PolicyManagementSheet, Program, ProgramPolicyLink
from sheets.selectors import policy_management_context
from sheets.selectors.policy_management_sheet import grade_needs_reason, suggested_grade
from tests.factories import CostRecordFactory, ProgramFactory


def _ctx(sheet):
    return policy_management_context(sheet_id=sheet.pk)


def _year(ctx, fy):
    return next(c for c in ctx.cost_years if c.fiscal_year == fy)


def _outcome(ctx, direction, slot):
    return next(r for d, r in ctx.outcome_rows if d.no == direction and r.slot == slot)


def test_header_and_policy_tree(kunitachi_sheet):
    ctx = _ctx(kunitachi_sheet)
    assert ctx.policy_name == "保健・福祉"
    assert ctx.basic_policy.name == "支え合いの地域づくりと自立支援"
    assert (ctx.lead_unit_name, ctx.related_unit_names) == ("福祉総務課", ["生活福祉担当"])
    assert ctx.lead_person
    assert ctx.plan_label == "第２次基本計画期間（令和２～令和９年度）"
    assert ctx.basic_policy.target_items[0] == "市民"
    assert [d.name for d in ctx.directions] == [
        "支え合いの地域づくり",
        "福祉の総合的な相談と自立支援の推進",
        "",
        "",
    ]
    assert len(ctx.directions[0].means) == 6
    assert ctx.year_labels[0] == "R2年度" and ctx.year_labels[-1] == "R9年度"
    assert (ctx.s_label, ctx.next_label, ctx.after_next_label) == ("5年度", "6年度", "7年度")


def test_cost_fy2023_rolls_up_from_the_24_linked_programs(kunitachi_sheet):
    ctx = _ctx(kunitachi_sheet)
    fy2023 = _year(ctx, 2023)
    assert fy2023.funding == [Decimal(31371), Decimal(20556), None, None, Decimal(316118)]
    assert (fy2023.project_cost, fy2023.work_hours, fy2023.personnel_cost, fy2023.total_cost) == (
        Decimal(368045),
        Decimal(67820),
        Decimal(229568),
        Decimal(597613),
    )
    assert fy2023.basis == CostBasis.SETTLEMENT and not fy2023.from_policy_record
    assert ctx.program_count == 24


@pytest.mark.parametrize("fy", [2020, 2021, 2022, 2024, 2025, 2026, 2027])
def test_years_without_cost_data_are_blank_not_zero(kunitachi_sheet, fy):
    column = _year(_ctx(kunitachi_sheet), fy)
    assert column.funding == [None] * 5
    assert (column.project_cost, column.personnel_cost, column.total_cost) == (None, None, None)


def test_changing_a_linked_program_cost_changes_the_roll_up(kunitachi_sheet):
    line = FundingLine.objects.filter(
        source_type=FundingSource.NATIONAL, cost_record__program__code="12-13"
    ).get()
    line.amount += 100
    line.save()
    record = line.cost_record
    record.amount += 100
    record.personnel_cost += 10
    record.save()
    fy2023 = _year(_ctx(kunitachi_sheet), 2023)
    assert fy2023.funding[0] == Decimal(31471)
    assert (fy2023.project_cost, fy2023.personnel_cost, fy2023.total_cost) == (
        Decimal(368145),
        Decimal(229578),
        Decimal(597723),
    )


def test_general_revenue_is_what_the_specific_sources_leave_when_not_entered(kunitachi_sheet):
    record = CostRecord.objects.get(program__code="12-13", fiscal_year=2023)
    general = record.funding_lines.get(source_type=FundingSource.GENERAL)
    general.delete()
    # 事業費 stays the same: 一般財源 is derived as amount − Σ specific sources.
    assert _year(_ctx(kunitachi_sheet), 2023).funding[4] == Decimal(316118)


def test_a_program_no_longer_linked_leaves_the_roll_up_and_the_count(kunitachi_sheet):
    link = ProgramPolicyLink.objects.get(program__code="12-24", fiscal_year=2023)
    amount = CostRecord.objects.get(program__code="12-24", fiscal_year=2023).amount
    link.delete()
    ctx = _ctx(kunitachi_sheet)
    assert ctx.program_count == 23
    assert _year(ctx, 2023).project_cost == Decimal(368045) - amount


def test_budget_years_and_the_policy_node_fallback(kunitachi_sheet):
    node = kunitachi_sheet.policy_node
    program = Program.objects.get(code="12-01")
    ProgramPolicyLink.objects.create(program=program, policy_node=node, fiscal_year=2024)
    CostRecordFactory(program=program, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=999)
    CostRecordFactory(program=program, fiscal_year=2024, basis=CostBasis.BUDGET, amount=500)
    published = CostRecord.objects.create(
        policy_node=node, fiscal_year=2021, basis=CostBasis.SETTLEMENT, amount=300, personnel_cost=40
    )
    FundingLine.objects.create(cost_record=published, source_type=FundingSource.NATIONAL, amount=100)
    ctx = _ctx(kunitachi_sheet)
    fy2024 = _year(ctx, 2024)
    # After S the sheet prints the budget, and 一般財源 is the part no specific source pays.
    assert (fy2024.basis, fy2024.project_cost, fy2024.funding[4]) == (CostBasis.BUDGET, 500, 500)
    fy2021 = _year(ctx, 2021)
    assert fy2021.from_policy_record
    assert (fy2021.funding[0], fy2021.funding[4], fy2021.total_cost) == (100, 200, 340)


def test_indicator_grid(kunitachi_sheet):
    ctx = _ctx(kunitachi_sheet)
    population = ctx.object_rows[0]
    assert population.name == "人口（各年４月１日現在）" and population.unit == "人"
    assert [c.text for c in population.actuals[:4]] == ["76,423", "76,278", "76,182", ""]
    assert [r.slot for r in ctx.object_rows] == ["ア", "イ", "ウ", "エ"] and ctx.object_rows[3].name == ""
    participation = _outcome(ctx, 1, "イ")
    assert [c.text for c in participation.targets] == [
        "14.9", "15.3", "15.7", "16.0", "16.5", "17.0", "17.5", "18.0"
    ]  # fmt: skip
    assert [c.text for c in participation.actuals[:4]] == ["12.8", "14.8", "―", "12.1"]
    employment = _outcome(ctx, 2, "イ")
    # 55.75 and 57.25 printed with the indicator's one decimal, rounded half up
    assert [c.text for c in employment.trends[4:7]] == ["55.8", "56.5", "57.3"]


def test_attainment_and_year_over_year_by_polarity(kunitachi_sheet):
    ctx = _ctx(kunitachi_sheet)
    rows = [r for _, r in ctx.outcome_rows if r.series]
    assert [r.attainment_text for r in rows] == ["未達成"] * 4
    # Only 2イ has a value for both R4 and R5; the survey indicators print '―' in R4: blank comparison.
    assert [r.year_over_year_text for r in rows] == ["", "", "", "向上"]
    not_participating = _outcome(ctx, 1, "ア")  # lower is better: 68.4 → 66.1 over three years
    assert not_participating.three_year == YearOverYear.IMPROVED
    assert _outcome(ctx, 1, "イ").three_year == YearOverYear.WORSENED


def test_lower_is_better_indicator_achieved_at_or_below_target(kunitachi_sheet):
    indicator = Indicator.objects.get(policy_node__code="12-1", slot="ア")
    IndicatorValue.objects.filter(indicator=indicator, fiscal_year=2023, value_type=ValueType.TARGET).update(
        value=Decimal("66.1")
    )
    assert _outcome(_ctx(kunitachi_sheet), 1, "ア").attainment_text == "達成"


def test_grades_suggested_from_the_data_beside_the_chosen_ones(kunitachi_sheet):
    ctx = _ctx(kunitachi_sheet)
    assert (ctx.goal.score, ctx.goal.suggested.code, ctx.goal.chosen.code) == (0, "E", "E")
    # 2 improved, 2 worsened: 横ばい suggested; the city chose B, one step away: no reason needed.
    assert (ctx.trend.score, ctx.trend.suggested.code, ctx.trend.chosen.code) == (Decimal("0.5"), "C", "B")
    assert not ctx.goal.needs_reason and not ctx.trend.needs_reason
    assert ctx.overall_grade.code == "C"
    assert [o.code for o in ctx.overall_options] == ["A", "B", "C", "D", "E"]
    assert ctx.warnings == []


def test_a_grade_two_steps_from_the_suggestion_needs_a_reason(kunitachi_sheet):
    management = PolicyManagementSheet.objects.get(sheet=kunitachi_sheet)
    management.goal_grade = ChoiceOption.objects.get(choice_set__key=KNI_GOAL_GRADE, code="C")
    management.save()
    ctx = _ctx(kunitachi_sheet)
    assert ctx.goal.needs_reason
    assert any("目標達成度" in w and "理由" in w for w in ctx.warnings)
    management.goal_grade_reason = "調査方法の変更により数値が比較できないため。"
    management.save()
    assert not any("目標達成度" in w for w in _ctx(kunitachi_sheet).warnings)


def test_grade_rules():
    options = [ChoiceOption(pk=i, code=c, ratio_min=Decimal(m)) for i, (c, m) in enumerate(
        [("A", "1"), ("B", "0.75"), ("C", "0.5"), ("D", "0.25"), ("E", "0")], start=1
    )]  # fmt: skip
    assert suggested_grade(options, Decimal("0.8")).code == "B"
    assert suggested_grade(options, None) is None
    a, b, c = options[:3]
    assert not grade_needs_reason(options, a, b)
    assert grade_needs_reason(options, a, c)
    assert not grade_needs_reason(options, None, c)


def test_demo_load_is_idempotent(kunitachi_sheet):
    counts = (Program.objects.count(), FundingLine.objects.count(), IndicatorValue.objects.count())
    kunitachi_demo_load()
    assert (Program.objects.count(), FundingLine.objects.count(), IndicatorValue.objects.count()) == counts
    assert EvaluationSheet.objects.filter(form_type=FormType.KUNITACHI_POLICY).count() == 1


def _add_programs(sheet, count):
    node = sheet.policy_node
    for _ in range(count):
        program = ProgramFactory(organization=sheet.organization, owner_unit=node.lead_unit)
        ProgramPolicyLink.objects.create(program=program, policy_node=node, fiscal_year=2023)
        record = CostRecordFactory(program=program, fiscal_year=2023, amount=10, personnel_cost=2)
        FundingLine.objects.create(cost_record=record, source_type=FundingSource.NATIONAL, amount=4)


def _add_indicators(sheet, count):
    direction = sheet.policy_node.children.first()
    for _ in range(count):
        indicator = Indicator.objects.create(
            organization=sheet.organization, policy_node=direction, kind="outcome", slot="", name="追加指標"
        )
        IndicatorValue.objects.create(
            indicator=indicator, fiscal_year=2023, value_type=ValueType.ACTUAL, value=1
        )


def _query_count(sheet) -> int:
    with CaptureQueriesContext(connection) as queries:
        _ctx(sheet)
    return len(queries.captured_queries)


def test_context_query_count_is_constant_in_programs_and_indicators(kunitachi_sheet):
    Program.objects.filter(code__startswith="12-").exclude(code__in=["12-01", "12-02"]).update(
        valid_to_fy=2000
    )
    ProgramPolicyLink.objects.filter(program__valid_to_fy=2000).delete()
    assert _ctx(kunitachi_sheet).program_count == 2
    few = _query_count(kunitachi_sheet)
    _add_programs(kunitachi_sheet, 38)
    _add_indicators(kunitachi_sheet, 40)
    assert _ctx(kunitachi_sheet).program_count == 40
    assert _query_count(kunitachi_sheet) == few


def test_a_combined_national_prefectural_line_counts_in_other_with_a_warning(kunitachi_sheet):
    record = CostRecord.objects.get(program__code="12-01", fiscal_year=2023)
    FundingLine.objects.create(cost_record=record, source_type=FundingSource.NATIONAL_PREFECTURAL, amount=50)
    record.amount += 50
    record.save()
    ctx = _ctx(kunitachi_sheet)
    fy2023 = _year(ctx, 2023)
    assert fy2023.funding[3] == 50 and fy2023.project_cost == Decimal(368095)
    assert any("国県支出金" in w for w in ctx.warnings)
