"""The national survey reference (seed 003): loading, reconciliation, and the report's own inconsistencies."""

from decimal import Decimal

import pytest

from benchmarks.calculations import parts_mismatch, pct_matches, percent
from benchmarks.choices import BreakdownKey
from benchmarks.models import (
    HearingCase,
    SurveyBreakdown,
    SurveyCell,
    SurveyFinding,
    SurveyIssue,
    SurveyOption,
    SurveyQuestion,
    SurveyRow,
)
from benchmarks.survey import breakdown_reconciliation, survey_load


def _breakdowns():
    return SurveyBreakdown.objects.select_related("question").prefetch_related("rows__cells__option")


def _cell(question, key, row, option):
    return SurveyCell.objects.get(
        row__breakdown__question__code=question, row__breakdown__key=key, row__label=row, option__label=option
    )


def test_percent_rounds_half_up_and_blank_stays_blank():
    assert percent(9, 179) == Decimal("5.0")
    assert percent(193, 1187) == Decimal("16.3")
    assert percent(1, 8) == Decimal("12.5")
    assert percent(None, 10) is None
    assert percent(3, 0) is None


def test_pct_matches_within_the_reports_rounding():
    assert pct_matches(124, 556, Decimal("22.3"))
    assert pct_matches(9, 179, Decimal("5.1")) is False
    assert pct_matches(None, 10, Decimal("1.0")) is None


def test_parts_mismatch_lists_only_keys_that_do_not_add_up():
    assert parts_mismatch({"a": 10, "b": 5}, [{"a": 4, "b": 2}, {"a": 6, "b": None}]) == {}
    assert parts_mismatch({"a": 10}, [{"a": 4}, {"a": 6}]) == {}
    assert parts_mismatch({"a": 10}, [{"a": 4}, {"a": 5}]) == {"a": (10, 9)}


def test_survey_loads_every_table(reference_data):
    survey = reference_data
    assert (survey.population_n, survey.responses_n, survey.response_rate) == (1741, 1187, Decimal("68.2"))
    assert SurveyQuestion.objects.filter(survey=survey).count() == 19
    assert SurveyBreakdown.objects.count() == 20
    assert SurveyCell.objects.count() == 1198
    assert SurveyIssue.objects.count() == 10
    assert SurveyFinding.objects.count() == 20
    assert HearingCase.objects.count() == 14
    q3 = SurveyBreakdown.objects.get(question__code="Q3", key=BreakdownKey.SIZE_CLASS)
    assert [(r.label, r.size_class and r.size_class.code) for r in q3.rows.select_related("size_class")] == [
        ("全体", None),
        ("特別区", "tokubetsuku"),
        ("指定都市", "shitei_toshi"),
        ("中核市", "chukakushi"),
        ("一般市（人口10万人以上）", "ippanshi_ge100k"),
        ("一般市（人口10万人未満）", "ippanshi_lt100k"),
        ("町村", "choson"),
    ]
    # Respondents per size class: the bases of the Q3 table (forms.md §8.2).
    assert [r.cells.first().base_n for r in q3.rows.all()] == [1187, 21, 19, 53, 145, 393, 556]


def test_cells_keep_their_source_line(reference_data):
    cell = _cell("Q3", BreakdownKey.SIZE_CLASS, "町村", "設定（明確化）していない")
    assert (cell.count, cell.base_n, cell.pct) == (124, 556, Decimal("22.3"))
    assert cell.src_line is not None
    total = _cell("Q3", BreakdownKey.SIZE_CLASS, "全体", "設定（明確化）していない")
    assert (total.count, total.base_n, total.pct, total.src_line) == (193, 1187, Decimal("16.3"), 414)
    # Q12's 21 options are printed in three parts, each with its own lines.
    assert _cell("Q12", BreakdownKey.SIZE_CLASS, "全体", "社会福祉協議会").src_line == 2937
    assert _cell("Q12", BreakdownKey.SIZE_CLASS, "全体", "NPO法人").src_line == 2974


def test_every_crosstab_reconciles_except_where_the_report_is_flagged(reference_data):
    """Sub-rows add up to the total row; count ÷ base = printed % within 0.05 (forms.md §6.5)."""
    flagged_pct = []
    checked_sums = 0
    for breakdown in _breakdowns():
        result = breakdown_reconciliation(breakdown)
        assert result.sum_mismatches == {}, (str(breakdown), result.sum_mismatches)
        checked_sums += any(row.is_total for row in breakdown.rows.all())
        flagged_pct += [(c.issue and c.issue.code, c.count, c.base_n, c.pct) for c in result.pct_mismatches]
    assert checked_sums == 17  # every table with a 全体 row (Q7, Q10, Q11 have none)
    assert flagged_pct == [("003-5", 9, 179, Decimal("5.1"))]


def test_the_printed_q4_unknowns_do_not_reconcile_and_are_kept_beside_the_correction(reference_data):
    """003-1: the printed 不明 column is Q3's 設定していない count; the corrected cells are derived."""
    breakdown = _breakdowns().get(question__code="Q4", key=BreakdownKey.Q2_WITHIN_Q1_NON)
    assert breakdown.issue.code == "003-1"
    as_printed = breakdown_reconciliation(breakdown, printed=True)
    assert not as_printed.ok
    assert {c.count_printed for c in as_printed.pct_mismatches} == {192, 21, 71, 100}
    derived = SurveyCell.objects.filter(row__breakdown=breakdown, derived=True).order_by("row__order")
    assert [(c.count, c.count_printed, c.pct) for c in derived] == [
        (27, 192, Decimal("3.6")),
        (5, 21, Decimal("3.2")),
        (9, 71, Decimal("2.9")),
        (13, 100, Decimal("4.6")),
    ]
    assert all(c.issue.code == "003-1" for c in derived)
    assert breakdown_reconciliation(breakdown).ok


def test_q9_keeps_the_wrong_printed_bases_as_notes(reference_data):
    """003-2: the second half of Q9 × 重層 prints the Q3 table's 合計; percentages use the true bases."""
    breakdown = _breakdowns().get(question__code="Q9", key=BreakdownKey.Q2_STATUS)
    cells = SurveyCell.objects.filter(row__breakdown=breakdown, base_n_printed__isnull=False)
    assert {(c.base_n, c.base_n_printed) for c in cells} == {(226, 469), (333, 150), (224, 164)}
    assert {c.issue.code for c in cells} == {"003-2"}
    assert breakdown_reconciliation(breakdown).ok
    assert not breakdown_reconciliation(breakdown, printed=True).ok


def test_q7_has_no_total_row_and_the_texts_overall_figure_is_flagged(reference_data):
    """003-3: 82.7% is the 推進事業 window's row; pooled over every window it is 1,108/1,365 = 81.2%."""
    family = SurveyCell.objects.filter(row__breakdown__question__code="Q7", option__label="家族・親族")
    assert sum(c.count for c in family) == 1108
    assert sum(c.base_n for c in family) == 1365
    assert percent(1108, 1365) == Decimal("81.2")
    finding = SurveyFinding.objects.get(src_line=1274)
    assert finding.issue.code == "003-3"
    assert not SurveyRow.objects.filter(breakdown__question__code="Q7", is_total=True).exists()


def test_every_issue_of_forms_md_is_kept(reference_data):
    assert set(SurveyIssue.objects.values_list("code", flat=True)) == {f"003-{n}" for n in range(1, 11)}
    assert HearingCase.objects.get(no=12).issue.code == "003-8"
    assert HearingCase.objects.get(no=7).issue.code == "003-9"
    absent = SurveyQuestion.objects.filter(answer_type="absent").values_list("code", flat=True)
    assert sorted(absent) == ["Q15", "Q16", "Q18"]


def test_national_figures_of_the_text_match_the_tables(reference_data):
    """forms.md §8.4: 16.3% overall, 町村 22.3%, 一般市（10万未満）14.2% have no designated window."""
    q3 = {
        c.row.label: c.pct
        for c in SurveyCell.objects.filter(
            row__breakdown__question__code="Q3",
            row__breakdown__key=BreakdownKey.SIZE_CLASS,
            option__label="設定（明確化）していない",
        ).select_related("row")
    }
    assert q3["全体"] == Decimal("16.3")
    assert q3["町村"] == Decimal("22.3")
    assert q3["一般市（人口10万人未満）"] == Decimal("14.2")
    assert _cell("Q4", BreakdownKey.SIZE_CLASS, "町村", "相談実績がある").pct == Decimal("61.1")
    assert _cell(
        "Q5", BreakdownKey.SIZE_CLASS, "一般市（人口10万人以上）", "訪問（アウトリーチ）"
    ).pct == Decimal("79.7")


def test_survey_load_is_idempotent_and_keeps_option_rows(reference_data):
    options = list(SurveyOption.objects.order_by("pk").values_list("pk", "label"))
    counts = (SurveyCell.objects.count(), SurveyRow.objects.count(), SurveyFinding.objects.count())
    survey_load()
    assert list(SurveyOption.objects.order_by("pk").values_list("pk", "label")) == options
    assert (SurveyCell.objects.count(), SurveyRow.objects.count(), SurveyFinding.objects.count()) == counts


@pytest.mark.parametrize("code", ["Q13", "Q14"])
def test_questions_without_data_say_so(reference_data, code):
    question = SurveyQuestion.objects.get(code=code)
    assert not question.breakdowns.exists()
    assert "003-6" in question.note
