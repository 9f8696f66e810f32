"""The 「主な取組」検証票 context: every figure of the published Okinawa sheets comes out of the demo data."""

from decimal import Decimal

import pytest

from indicators.choices import CostBasis
from sheets.choices import FormType, SheetStatus
from sheets.models import (
    CheckFactor,
    ChoiceOption,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    OkinawaInitiativeSheet,
)
from sheets.selectors import budget_totals, initiative_sheet_context

D = Decimal


@pytest.fixture
def contexts(okinawa_sheets):
    return [initiative_sheet_context(sheet_id=sheet.pk) for sheet in okinawa_sheets]


def test_header_from_the_plan_tree(contexts):
    first = contexts[0]
    assert (first.form_label, first.title) == ("様式１（主な取組）", "「主な取組」検証票")
    assert (first.tenkai.code, first.tenkai.name) == ("2-(5)-ウ", "日常生活を支える福祉サービスの向上")
    assert (first.shisaku.code, first.shisaku.name) == ("③", "ひきこもり支援の推進")
    assert [c.sub_item_label for c in contexts] == [
        "○相談しやすい環境づくり",
        "○市町村との連携体制の強化及び効果的な体制づくり",
        "○中高年のひきこもりに対する相談・支援体制の強化",
    ]
    assert first.program.name == "ひきこもり支援に関する情報発信及び「ひきこもり専門相談窓口」の周知"
    assert first.outcome_indicator_name == "市町村担当課等からの個別事例の相談件数"
    assert (first.owner_unit_name, first.phone) == ("保健医療部地域保健課", "098-866-2215")
    assert first.related_url_text == "―"
    assert first.implementing_body == "県"
    assert first.plan_year_labels == ["R4", "R5", "R6"]
    assert [(p.span, bool(p.text)) for p in first.plan_texts] == [(3, True)]  # one bar over R4–R6


def test_cumulative_plan_values_print_single_and_cumulative(contexts):
    newsletter, meetings, consultations = contexts
    assert [r.texts for r in newsletter.plan_rows] == [["1件", "1件（2件）", "1件（3件）"]]
    assert [r.texts for r in meetings.plan_rows] == [
        ["協議会：4回", "協議会：4回（8回）", "協議会：4回（12回）"],
        ["研修会：1回", "研修会：1回（2回）", "研修会：1回（3回）"],
    ]
    assert consultations.plan_rows[0].texts == ["1,800件", "1,800件（3,600件）", "1,800件（5,400件）"]
    assert [c.cumulative.number for c in consultations.plan_rows[0].cells] == [D(1800), D(3600), D(5400)]


def test_activity_results_capped_at_100_with_the_raw_ratio_kept(contexts):
    rows = [(c.result_rows) for c in contexts]
    printed = [
        [
            ([e.text_with_unit for e in r.earlier], r.actual.text_with_unit, r.target_text, r.rate.text)
            for r in sheet_rows
        ]
        for sheet_rows in rows
    ]
    assert printed == [
        [(["1件", "0件"], "0件", "1件", "0.0%")],
        [(["4回", "3回"], "6回", "協議会：4回", "100.0%"), (["1回", "1回"], "1回", "研修会：1回", "100.0%")],
        [(["1,862件", "1,897件"], "2,386件", "1,800件", "100.0%")],
    ]
    council, training = rows[1]
    consultations = rows[2][0]
    assert council.rate.raw == D("1.5") and council.rate.raw_text == "150.0%" and council.rate.is_capped
    assert training.rate.raw == D(1) and not training.rate.is_capped
    assert consultations.rate.raw_text == "132.6%" and consultations.rate.is_capped
    assert contexts[0].result_year_labels == ["R2年度", "R3年度", "R4年度"]


def test_budget_printed_on_each_sheet_but_added_up_once(contexts, okinawa_sheets):
    for ctx in contexts:
        (row,) = ctx.budget_rows
        assert row.name == "ひきこもり支援推進事業"
        assert [(c.year_label, c.label, c.amount) for c in row.cells] == [
            ("R3年度", "決算額", D(10311)),
            ("R4年度", "決算見込額", D(12622)),
            ("R5年度", "当初予算額", D(14310)),
        ]
        assert [(c.main_funding, c.execution_method) for c in row.cells[1:]] == [("各省計上", "補助")] * 2
    programs = [sheet.program for sheet in okinawa_sheets]
    assert budget_totals(programs=programs, fiscal_year=2021, basis=CostBasis.SETTLEMENT) == D(10311)
    assert budget_totals(programs=programs, fiscal_year=2022, basis=CostBasis.SETTLEMENT_ESTIMATE) == D(12622)
    assert budget_totals(programs=programs, fiscal_year=2023, basis=CostBasis.INITIAL_BUDGET) == D(14310)
    assert budget_totals(programs=programs, fiscal_year=2024, basis=CostBasis.BUDGET) is None


def test_status_disagreeing_with_the_ratio_band_warns(contexts):
    newsletter, meetings, consultations = contexts
    assert newsletter.progress_label == "概ね順調"
    assert newsletter.status_problem.startswith("進捗状況「概ね順調」は達成割合 0.0% の目安と一致しません")
    assert newsletter.warnings == [newsletter.status_problem]
    assert (meetings.progress_label, meetings.status_problem) == ("順調", "")
    assert (consultations.progress_label, consultations.warnings) == ("順調", [])


def test_status_bands_are_data(contexts, okinawa_sheets):
    """Lowering the band of 概ね順調 to 0% (ChoiceOption.ratio_min) silences the warning."""
    ChoiceOption.objects.filter(choice_set__key="OKI_PROGRESS", code="mostly_on_track").update(ratio_min=0)
    ChoiceOption.objects.filter(
        choice_set__key="OKI_PROGRESS", code__in=["slightly_delayed", "much_delayed"]
    ).update(ratio_min=None)
    assert initiative_sheet_context(sheet_id=okinawa_sheets[0].pk).status_problem == ""


def test_last_years_improvement_plans_are_carried_into_2_2(contexts, okinawa_sheets):
    previous = ImprovementPlan.objects.get(
        sheet__program=okinawa_sheets[1].program,
        sheet__evaluation_fy=2022,
        sheet__form_type=FormType.OKINAWA_INITIATIVE,
    )
    (row,) = contexts[1].reflections
    assert row.source_plan_id == previous.pk
    assert row.plan_text == previous.content
    assert row.reflection_text.startswith("地域ごとに1回ずつ、計6回")


def test_carry_over_without_saved_reflections_and_snapshot(okinawa_sheets):
    from sheets.services import improvement_reflections_carry_over

    sheet = okinawa_sheets[2]
    ImprovementReflection.objects.filter(sheet=sheet).delete()
    (row,) = initiative_sheet_context(sheet_id=sheet.pk).reflections
    assert row.plan_text.startswith("相談の増加に合わせて相談員を1名増やし")
    assert (row.reflection_id, row.reflection_text) == (None, "")

    saved = improvement_reflections_carry_over(sheet=sheet)
    assert improvement_reflections_carry_over(sheet=sheet) == saved  # idempotent
    ImprovementPlan.objects.filter(pk=saved[0].source_plan_id).update(content="書き換えた改善案")
    (row,) = initiative_sheet_context(sheet_id=sheet.pk).reflections
    assert row.plan_text.startswith("相談の増加に合わせて")  # what the sheet printed stays


def test_this_years_action_plans_become_next_years_2_2(okinawa_sheets):
    sheet = okinawa_sheets[0]
    following = EvaluationSheet.objects.create(
        organization=sheet.organization,
        form_type=FormType.OKINAWA_INITIATIVE,
        evaluation_fy=2024,
        program=sheet.program,
    )
    texts = [r.plan_text for r in initiative_sheet_context(sheet_id=following.pk).reflections]
    assert texts == list(ImprovementPlan.objects.filter(sheet=sheet).values_list("content", flat=True))
    assert len(texts) == 2


def test_check_and_action_rows_with_their_types(contexts):
    assert [r.type_label for r in contexts[1].check_rows] == [
        "⑥ 他地域等の動向(外部環境の変化)",
        "② 他の実施主体の状況(内部要因)",
        "① 県の制度、執行体制(内部要因)",
    ]
    assert [r.option.code for r in contexts[1].action_rows] == ["②", "⑤", "②"]
    assert [r.option.code for r in contexts[2].check_rows] == ["②", "①", "①"]


def test_choice_lists_mark_inferred_options(demo):
    def observed(key):
        return dict(
            ChoiceOption.objects.filter(
                choice_set__key=key, choice_set__organization__isnull=True
            ).values_list("label", "observed")
        )

    assert observed("OKI_PROGRESS") == {"順調": True, "概ね順調": True, "やや遅れ": False, "大幅遅れ": False}
    assert observed("OKI_MAIN_FUNDING")["各省計上"] and not observed("OKI_MAIN_FUNDING")["県単等"]
    assert observed("OKI_EXECUTION_METHOD")["補助"] and not observed("OKI_EXECUTION_METHOD")["委託"]


def test_earlier_year_sheets_are_approved(okinawa_sheets):
    earlier = EvaluationSheet.objects.filter(form_type=FormType.OKINAWA_INITIATIVE, evaluation_fy=2022)
    assert earlier.count() == 3
    assert set(earlier.values_list("status", flat=True)) == {SheetStatus.APPROVED}


def test_demo_load_is_idempotent(okinawa_sheets):
    from sheets.demo import demo_is_loaded, demo_load

    counts = (
        CheckFactor.objects.count(),
        ImprovementPlan.objects.count(),
        ImprovementReflection.objects.count(),
    )
    demo_load()
    assert demo_is_loaded()
    assert (
        CheckFactor.objects.count(),
        ImprovementPlan.objects.count(),
        ImprovementReflection.objects.count(),
    ) == counts
    assert OkinawaInitiativeSheet.objects.count() == 6


@pytest.mark.parametrize("rows", [2, 20])
def test_context_query_count_is_constant(okinawa_sheets, django_assert_max_num_queries, rows):
    sheet = okinawa_sheets[1]
    option = ChoiceOption.objects.get(choice_set__key="OKI_CHECK_TYPE", code="①")
    action = ChoiceOption.objects.get(choice_set__key="OKI_ACTION_TYPE", code="①")
    for i in range(rows):
        CheckFactor.objects.create(sheet=sheet, factor_type=option, content=f"要因{i}", order=10 + i)
        ImprovementPlan.objects.create(
            sheet=sheet, plan_type=action, content=f"改善{i}", order=10 + i, target_fy=2023
        )
    with django_assert_max_num_queries(15):
        ctx = initiative_sheet_context(sheet_id=sheet.pk)
        [r.type_label for r in ctx.check_rows + ctx.action_rows]
    assert len(ctx.check_rows) == 3 + rows


def test_demo_is_loaded_only_with_both_demos(demo):
    from sheets.demo import demo_is_loaded

    assert not demo_is_loaded()  # 鎌倉市 only: load_demo still has the 沖縄県 sheets to load
