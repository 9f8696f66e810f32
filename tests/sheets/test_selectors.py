"""The 個表 context: every figure the published sheet prints comes out of the demo data."""

from decimal import Decimal

import pytest

from sheets.selectors import program_sheet_context
from tests.factories import EvaluationSheetFactory, add_sub_programs

D = Decimal


@pytest.fixture
def ctx(demo_sheet):
    return program_sheet_context(sheet_id=demo_sheet.pk)


def test_header(ctx):
    assert ctx.title == "令和７年（2025年）度行政評価シート【個表】"
    assert (ctx.program.code, ctx.program.name) == ("健福-17", "ひきこもり対策推進事業")
    assert [c.label for c in ctx.administrative_category if c.checked] == ["自治事務"]
    assert ctx.owner_unit_name == "生活福祉課"
    assert ctx.related_unit_names[0] == "青少年課" and ctx.related_unit_names[-1] == "福祉総務課"
    assert ctx.field_label == "4-(1)　健康福祉"
    assert ctx.policy_label == "4-(1)-①　多様性のある福祉サービスの充実"


def test_section3_rows_reproduce_the_printed_rates_and_costs(ctx):
    rows = {r.name: r for r in ctx.sub_rows}
    assert [r.achievement_s.text for r in ctx.sub_rows if r.indicator] == ["83%", "72%", "78%"]
    assert rows["ひきこもり家庭等相談支援事業"].actual_s.text == "60"
    assert rows["ひきこもり家庭等相談支援事業"].target_e.text == "72"
    assert (
        rows["居場所事業"].settlement_s,
        rows["居場所事業"].initial_budget_s,
        rows["居場所事業"].budget_e,
    ) == (
        D(411),
        D(687),
        D(449),
    )
    assert rows["出張旅費"].indicator is None and rows["出張旅費"].achievement_s.text == ""


def test_section3_footer_adds_up_both_ways(ctx):
    """事業費の合計 = Σ sub-programs = Σ funding lines, with 一般財源 derived where not entered."""
    assert ctx.project_costs == [D(1356), D(1830), D(1397)]
    funding = {row.label: row.amounts for row in ctx.funding_rows}
    assert funding["国県支出金"] == [D(678), D(913), D(697)]
    assert funding["一般財源"] == [D(678), D(917), D(700)]
    assert funding["地方債"] == [None, None, None]
    assert ctx.warnings == []


def test_personnel_cost_from_fte_and_unit_costs(ctx):
    """2.1 × 7,865 + 2.0 × 1,640.1 = 19,797 (R6 決算); the 当初 column prints no 人件費."""
    assert ctx.personnel_costs == [D(19797), None, D(13145)]
    assert ctx.total_cost_s == D(21153)


def test_staffing_window_is_six_years(ctx):
    assert ctx.staff_year_labels == [
        "令和２年度",
        "令和３年度",
        "令和４年度",
        "令和５年度",
        "令和６年度",
        "令和７年度",
    ]
    regular, kaikei = ctx.staff_rows
    assert regular.ftes == [D("0.1"), D("0.4"), D("0.8"), D("1.7"), D("2.1"), D("1.2")]
    assert kaikei.ftes[4] == D("2.0")


def test_reference_indicators_print_one_decimal(ctx):
    consultations, places = ctx.reference_indicators
    assert [r.text for r in consultations.rates] == ["", "220.0%", "120.0%", "90.9%", "83.3%", ""]
    assert [r.text for r in places.rates] == ["", "", "65.0%", "154.2%", "77.8%", ""]
    assert consultations.actuals[0].text == "13.0"  # the seed printed 13 beside 44.0: one format now


def test_viewpoints_direction_and_benchmarks(ctx):
    answers = {row.question.key: row.answer_text for row in ctx.viewpoints}
    assert (
        answers["fairness"]
        == "△.負担未導入　△-2　受益者はいるが、今後も公費により全額市が負担すべきものである"
    )
    assert [d.label for d in ctx.directions if d.checked] == ["拡充"]
    first, second = ctx.benchmark_comparisons
    assert [e.value_text for e in first.entries.all()] == ["13人/84人/56回", "98名/12回", "28人/101人/平日"]
    kamakura = second.entries.all()[0]
    assert kamakura.value_text == "60人/1,5１5件"
    assert [(m.metric, m.value) for m in kamakura.metric_values.all()] == [
        ("相談者", 60),
        ("相談支援件数", 1515),
    ]


def test_funding_mismatch_is_reported(demo_sheet):
    """An entered 一般財源 that makes the funding lines disagree with Σ sub-programs is flagged."""
    from indicators.models import CostRecord, FundingLine

    settlement = CostRecord.objects.get(program=demo_sheet.program, fiscal_year=2024, basis="settlement")
    settlement.funding_lines.update(amount=700)
    FundingLine.objects.create(cost_record=settlement, source_type="general", amount=600)
    ctx = program_sheet_context(sheet_id=demo_sheet.pk)
    assert ctx.warnings == [
        "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません。"
    ]


@pytest.mark.parametrize("rows", [2, 20])
def test_context_query_count_does_not_grow_with_rows(db, rows, django_assert_max_num_queries):
    sheet = EvaluationSheetFactory()
    add_sub_programs(sheet.program, rows)
    with django_assert_max_num_queries(24):
        ctx = program_sheet_context(sheet_id=sheet.pk)
        assert len(ctx.sub_rows) == rows
        assert all(row.achievement_s.text == "63%" for row in ctx.sub_rows)
