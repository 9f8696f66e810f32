"""Public versions of the sheet forms: small counts withheld, rates on them withheld or marked 参考値."""

import re
import subprocess
from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from benchmarks.choices import SmallCountMode
from benchmarks.models import PublicationSettings
from benchmarks.public_outputs import (
    PublishedRateCell,
    PublishedValueCell,
    Rule,
    public_context,
    settings_for,
)
from hikikomori_eval.pdf import render_pdf
from indicators.choices import AchievementMethod, ValueType
from indicators.models import Indicator, IndicatorValue
from sheets.demo_policy import kamakura_policy_demo_load
from sheets.exports import BODY_TEMPLATES, PRINT_TEMPLATES, WORKBOOKS
from sheets.selectors import (
    initiative_sheet_context,
    policy_management_context,
    policy_sheet_context,
    program_sheet_context,
)

SUPPRESS, BAND = SmallCountMode.SUPPRESS, SmallCountMode.BAND
CONSULTATIONS = "相談支援件数"  # 健福-17 sub-program 1, 人: S actual 60, target 72 (83%)


def _set(indicator_name, fiscal_year, value, value_type=ValueType.ACTUAL):
    updated = IndicatorValue.objects.filter(
        indicator__name=indicator_name, fiscal_year=fiscal_year, value_type=value_type
    ).update(value=value)
    assert updated == 1


def _print_context(sheet, ctx) -> dict:
    return {"ctx": ctx, "body_template": BODY_TEMPLATES[sheet.form_type]}


def _pdf_text(sheet, ctx, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(
        render_pdf(template_name=PRINT_TEMPLATES[sheet.form_type], context=_print_context(sheet, ctx))
    )
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    )
    return re.sub(r"[ \t]+", " ", out.stdout)


def _line(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)


# -- settings ----------------------------------------------------------------------------------------


def test_settings_for_defaults_and_the_organisation_setting(demo_sheet):
    org = demo_sheet.organization
    assert settings_for(org) == Rule(5, SUPPRESS)
    PublicationSettings.objects.create(organization=org, small_count_threshold=10, small_count_mode=BAND)
    assert settings_for(org) == Rule(10, BAND)


def test_an_unknown_context_is_refused():
    with pytest.raises(TypeError):
        public_context(object(), threshold=5, mode=SUPPRESS)


# -- 行政評価シート【個表】 ---------------------------------------------------------------------------


@pytest.fixture
def small_program_ctx(demo_sheet):
    """健福-17 with the S actual of sub-program 1 set to 3人 (target 72人 → 達成度 4%)."""
    _set(CONSULTATIONS, demo_sheet.subject_fy, 3)
    return program_sheet_context(sheet_id=demo_sheet.pk)


def test_program_sheet_withholds_a_small_count_and_the_rate_that_gives_it_back(small_program_ctx):
    ctx = small_program_ctx
    public = public_context(ctx, threshold=5, mode=SUPPRESS)
    row, original = public.sub_rows[0], ctx.sub_rows[0]
    assert isinstance(row.actual_s, PublishedValueCell)
    assert (row.actual_s.text, row.actual_s.text_with_unit, row.actual_s.number) == ("X", "X", None)
    # 4% next to the printed target 72人 is 3人 again: withheld as well, never a number.
    assert isinstance(row.achievement_s, PublishedRateCell)
    assert (row.achievement_s.text, row.achievement_s.percent, row.achievement_s.shown) == ("X", None, None)
    assert row.target_s is original.target_s and row.target_s.text == "72"
    assert row.target_e is original.target_e
    # Money is never suppressed.
    assert (row.settlement_s, row.initial_budget_s, row.budget_e) == (
        original.settlement_s,
        original.initial_budget_s,
        original.budget_e,
    )
    assert public.project_costs == ctx.project_costs and public.funding_rows is ctx.funding_rows
    # Counts at or above the threshold are unchanged.
    assert [r.actual_s.text for r in public.sub_rows[2::2]] == ["36", "84"]
    assert [r.achievement_s.text for r in public.sub_rows[2::2]] == ["72%", "78%"]
    assert public.warnings == []


def test_program_sheet_public_copy_leaves_the_internal_context_alone(small_program_ctx):
    ctx = small_program_ctx
    comparisons = ctx.benchmark_comparisons
    public_context(ctx, threshold=100, mode=BAND)
    assert ctx.sub_rows[0].actual_s.text == "3"
    assert ctx.sub_rows[0].achievement_s.text == "4%"
    assert ctx.reference_indicators[0].series.values  # the raw values stay on the internal context
    assert ctx.benchmark_comparisons is comparisons
    assert comparisons[0].entries.all()[0].value_text == "13人/84人/56回"


def test_program_sheet_band_mode_zero_and_the_threshold(demo_sheet, small_program_ctx):
    row = public_context(small_program_ctx, threshold=5, mode=BAND).sub_rows[0]
    assert (row.actual_s.text, row.actual_s.number, row.achievement_s.text) == ("5人未満", None, "X")
    for value, shown, rate in ((0, "0", "0%"), (5, "5", "7%")):
        _set(CONSULTATIONS, demo_sheet.subject_fy, value)
        ctx = program_sheet_context(sheet_id=demo_sheet.pk)
        row = public_context(ctx, threshold=5, mode=SUPPRESS).sub_rows[0]
        assert row.actual_s is ctx.sub_rows[0].actual_s
        assert (row.actual_s.text, row.achievement_s.text) == (shown, rate)


def test_program_sheet_a_small_target_is_withheld_too(demo_sheet):
    _set(CONSULTATIONS, demo_sheet.subject_fy, 4, ValueType.TARGET)
    _set(CONSULTATIONS, demo_sheet.evaluation_fy, 2, ValueType.TARGET)
    row = public_context(program_sheet_context(sheet_id=demo_sheet.pk), threshold=5, mode=SUPPRESS).sub_rows[
        0
    ]
    assert (row.actual_s.text, row.target_s.text, row.achievement_s.text, row.target_e.text) == (
        "60",
        "X",
        "X",  # 1500% with the actual 60人 printed would give the target back
        "X",
    )


def test_program_sheet_a_binary_rate_is_printed_as_reference(demo_sheet):
    Indicator.objects.filter(name=CONSULTATIONS).update(achievement_method=AchievementMethod.BINARY)
    _set(CONSULTATIONS, demo_sheet.subject_fy, 3)
    ctx = program_sheet_context(sheet_id=demo_sheet.pk)
    rate = public_context(ctx, threshold=5, mode=SUPPRESS).sub_rows[0].achievement_s
    assert ctx.sub_rows[0].achievement_s.text == "0%"
    assert (rate.text, rate.reference, rate.percent) == ("0%（参考値）", True, None)


def test_program_sheet_reference_indicators(demo_sheet):
    _set("ひきこもり相談件数", 2021, 4)  # 【参考】 target 20 → 達成率 20.0%
    ctx = program_sheet_context(sheet_id=demo_sheet.pk)
    ref = public_context(ctx, threshold=5, mode=SUPPRESS).reference_indicators[0]
    assert [c.text for c in ref.actuals] == ["13.0", "X", "60.0", "60.0", "60.0", ""]
    assert [r.text for r in ref.rates] == ["", "X", "120.0%", "90.9%", "83.3%", ""]
    assert [c.text for c in ref.targets] == [c.text for c in ctx.reference_indicators[0].targets]
    assert ref.series.indicator.name == "ひきこもり相談件数" and not ref.series.values


def test_program_sheet_benchmark_rows(demo_sheet):
    ctx = program_sheet_context(sheet_id=demo_sheet.pk)

    def texts(mode):
        public = public_context(ctx, threshold=15, mode=mode)
        return [[e.value_text for e in c.entries.all()] for c in public.benchmark_comparisons]

    assert texts(SUPPRESS) == [
        ["X/84人/56回", "98名/12回", "28人/101人/平日"],  # 56回 is no count of people
        ["60人/1,5１5件", "49人/719件", "42件"],  # unchanged rows keep the text as typed
    ]
    assert texts(BAND)[0][0] == "15人未満/84人/56回"
    public = public_context(ctx, threshold=15, mode=SUPPRESS)
    first = public.benchmark_comparisons[0]
    assert first.subject_text == ctx.benchmark_comparisons[0].subject_text
    assert [(e.org_name, e.is_self) for e in first.entries.all()][0] == ("鎌倉市", True)


def test_program_sheet_public_pdf(demo_sheet, small_program_ctx, tmp_path):
    internal = _pdf_text(demo_sheet, small_program_ctx, tmp_path)
    assert "3人 72人 4%" in _line(internal, "相談支援件数（人）")

    public = _pdf_text(demo_sheet, public_context(small_program_ctx, threshold=5, mode=SUPPRESS), tmp_path)
    row = _line(public, "相談支援件数（人）")
    assert " X 72人 X " in row and "3人" not in row and "4%" not in row
    assert "36人 50人 72%" in public and "84人 108人 78%" in public
    assert _line(public, "事業費の合計（千円）") == _line(internal, "事業費の合計（千円）")

    band = _pdf_text(demo_sheet, public_context(small_program_ctx, threshold=15, mode=BAND), tmp_path)
    assert "15人未満 72人 X " in _line(band, "相談支援件数（人）")
    assert "15人未満/84人/56回" in band and "13人/84人/56回" not in band


def test_program_sheet_public_workbook(small_program_ctx):
    ctx = public_context(small_program_ctx, threshold=5, mode=SUPPRESS)
    ws = WORKBOOKS[ctx.sheet.form_type](ctx).active
    row = next(r for r in ws.iter_rows() if r[3].value == "相談支援件数（人）")
    actual, target, rate = row[4].value, row[5].value, row[6].value
    assert (actual, target) == ("X", 72)
    # A withheld rate is written as its text, never as a formula that could be reversed.
    assert rate == "X"
    assert [c.value for c in row[7:9]] == [0, 0]  # 決算 / 当初 (千円) unchanged
    assert not any(c.value == 3 for c in row[1:])


# -- 「主な取組」検証票 ------------------------------------------------------------------------------


def test_initiative_sheet_plan_values_actuals_and_rate(okinawa_sheets):
    ctx = initiative_sheet_context(sheet_id=okinawa_sheets[0].pk)  # 発行件数（累計） 件
    public = public_context(ctx, threshold=5, mode=SUPPRESS)
    assert ctx.plan_rows[0].texts == ["1件", "1件（2件）", "1件（3件）"]
    assert public.plan_rows[0].texts == ["X", "X", "X"]
    assert public.plan_cells_by_year == [["X"], ["X"], ["X"]]
    assert not public.plan_rows[0].stored and ctx.plan_rows[0].stored
    row = public.result_rows[0]
    assert [c.text_with_unit for c in row.earlier] == ["X", "0件"]
    assert (row.actual.text_with_unit, row.target_text) == ("0件", "X")
    assert row.rate.text == "X"  # 0.0% on the target 1件
    assert (public.status_problem, public.warnings) == ("", [])
    # 協議会 / 研修会 count sessions (回), not people: unchanged.
    other = initiative_sheet_context(sheet_id=okinawa_sheets[1].pk)
    assert public_context(other, threshold=5, mode=SUPPRESS).plan_rows[0].texts == other.plan_rows[0].texts


def test_initiative_sheet_capped_rate_is_printed_as_reference(okinawa_sheets, tmp_path):
    sheet = okinawa_sheets[2]  # 相談対応件数（累計）: A 2,386件, B 1,800件, 100.0% (実数 132.6%)
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    public = public_context(ctx, threshold=2000, mode=SUPPRESS)
    row = public.result_rows[0]
    assert [c.text for c in row.earlier] == ["X", "X"]
    assert (row.actual.text_with_unit, row.target_text) == ("2,386件", "X")
    assert (row.rate.text, row.rate.is_capped, row.rate.raw_text) == ("100.0%（参考値）", False, "")
    assert public.plan_rows[0].texts == ["X", "X（3,600件）", "X（5,400件）"]

    text = _pdf_text(sheet, public, tmp_path)
    assert "（参考値）" in text and "132.6" not in text
    assert "1,862" not in text and "1,800件" not in text and "2,386件" in text
    ws = WORKBOOKS[sheet.form_type](public).active
    values = [c.value for r in ws.iter_rows() for c in r]
    assert "X" in values and 2386 in values and not {1862, 1897, 1800} & set(values)


# -- 行政評価シート（施策の方針） ----------------------------------------------------------------------


def test_policy_sheet_outcome_indicators(demo):
    sheet = kamakura_policy_demo_load()
    ctx = policy_sheet_context(sheet_id=sheet.pk)
    public = public_context(ctx, threshold=2000, mode=SUPPRESS)
    percent_rows, count_row = public.indicators[:3], public.indicators[3]  # 就労している障害者数 人
    for row, original in zip(percent_rows, ctx.indicators[:3], strict=True):
        assert [c.text for c in row.actuals] == [c.text for c in original.actuals]
        assert row.rate_texts == original.rate_texts and row.baseline.text == original.baseline.text
    assert ctx.indicators[3].baseline.text == "1,526"
    assert count_row.baseline.text == "X"
    assert [c.text for c in count_row.targets] == ["X", "X", "2,000", "2,000", "2,000", "2,000"]
    assert [c.text for c in count_row.actuals] == ["X", "X", "X", "2,043", "2,186", ""]
    assert count_row.rate_texts == ["X", "X", "X", "102.2%", "109.3%", ""]
    assert count_row.indicator.name == "就労している障害者数"
    assert public.program_rows is ctx.program_rows and public.cost_years is ctx.cost_years

    html = render_to_string(PRINT_TEMPLATES[sheet.form_type], _print_context(sheet, public))
    assert "1,526" not in html and "1,623" not in html and "2,043" in html
    xlsx = WORKBOOKS[sheet.form_type](public).active
    values = [c.value for r in xlsx.iter_rows() for c in r]
    assert "X" in values and not {Decimal(1526), 1526, 1623, 1810} & set(values)


# -- 施策マネジメントシート ----------------------------------------------------------------------------

EMPLOYMENT = "生活に困窮している市民から相談を受け、就労支援によって、就職につながった割合"


def test_policy_management_sheet_grid(kunitachi_sheet):
    # The demo's outcome indicators are percentages: made a count here to exercise the rule.
    Indicator.objects.filter(name=EMPLOYMENT).update(unit="人")
    ctx = policy_management_context(sheet_id=kunitachi_sheet.pk)
    public = public_context(ctx, threshold=60, mode=SUPPRESS)
    pairs = list(zip(ctx.outcome_rows, public.outcome_rows, strict=True))
    (_d, original), (_d2, row) = next(p for p in pairs if p[0][1].name == EMPLOYMENT)
    assert [c.text for c in row.targets] == [c.text for c in original.targets]  # 70.8 … 75.0
    assert [c.text for c in row.actuals] == ["", "", "X", "X", "", "", "", ""]
    assert [c.text for c in row.trends] == ["X"] * 8
    assert (original.attainment_text, original.year_over_year_text) == ("未達成", "向上")
    assert (row.attainment_text, row.year_over_year_text) == ("未達成（参考値）", "向上（参考値）")
    for (_a, before), (_b, after) in pairs:
        if before.name != EMPLOYMENT:
            assert after.attainment_text == before.attainment_text
            assert [c.text for c in after.actuals] == [c.text for c in before.actuals]
    assert [c.text for c in public.object_rows[0].actuals][:3] == ["76,423", "76,278", "76,182"]
    assert public.cost_years is ctx.cost_years and public.program_counts is ctx.program_counts

    html = render_to_string(
        PRINT_TEMPLATES[kunitachi_sheet.form_type], _print_context(kunitachi_sheet, public)
    )
    assert "未達成（参考値）" in html and "52.7" not in html
    WORKBOOKS[kunitachi_sheet.form_type](public)  # the workbook reads the public rows as it reads the others
