"""The 個表 edit page and its live recalculation: access, save, errors, stale saves, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.choices import IndicatorKind, ValueType
from indicators.models import CostRecord, Indicator, IndicatorValue, StaffCategory
from sheets import services
from sheets.choices import ProgramKind
from sheets.forms import ProgramSheetEditForm
from sheets.models import EvaluationSheet, Program, ProgramYear, SubProgramEvaluation
from tests.sheets.test_forms import edit_post_data

pytestmark = pytest.mark.django_db


def edit_url(sheet):
    return reverse("sheets:edit", args=[sheet.pk])


def recalc_url(sheet):
    return reverse("sheets:recalc", args=[sheet.pk])


def posted(sheet, **changes) -> dict:
    """The untouched edit page as the browser would post it, with some fields changed."""
    data = edit_post_data(ProgramSheetEditForm(state=services.program_sheet_edit_state(sheet_id=sheet.pk)))
    data.update(changes)
    return data


def actual_2024(name="ひきこもり家庭等相談支援事業"):
    return IndicatorValue.objects.get(
        indicator__program__name=name, fiscal_year=2024, value_type=ValueType.ACTUAL
    )


# ---- access ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, demo_sheet):
    for response in (client.get(edit_url(demo_sheet)), client.post(recalc_url(demo_sheet), {})):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("username", ["auditor", "policy_owner"])
def test_users_who_may_not_edit_get_403(client, demo_sheet, login_as, username):
    login_as(username)
    assert client.get(edit_url(demo_sheet)).status_code == 403
    assert client.post(edit_url(demo_sheet), {}).status_code == 403
    assert client.post(recalc_url(demo_sheet), {}).status_code == 403


def test_a_submitted_sheet_cannot_be_edited(client, demo_sheet, login_as):
    EvaluationSheet.objects.filter(pk=demo_sheet.pk).update(status="submitted")
    login_as("staff")
    assert client.get(edit_url(demo_sheet)).status_code == 403


def test_recalc_only_accepts_post(client, demo_sheet, login_as):
    login_as("staff")
    assert client.get(recalc_url(demo_sheet)).status_code == 405


# ---- the page -------------------------------------------------------------------------------


def test_staff_of_the_owning_unit_sees_the_form_filled_from_the_database(client, demo_sheet, login_as):
    login_as("staff")
    response = client.get(edit_url(demo_sheet))
    assert response.status_code == 200
    html = response.content.decode()
    assert "令和７年（2025年）度行政評価シート【個表】" in html
    assert 'name="sub-0-actual_s" value="60"' in html
    assert 'name="sub-4-name"' in html and "居場所事業" in html
    assert 'data-testid="achievement-0" class="derived derived-rate">83%</output>' in html
    assert 'data-testid="project-cost-settlement" class="derived derived-amount">1,356</output>' in html
    assert 'data-testid="general-revenue-initial_budget" class="derived derived-amount">917</output>' in html
    assert 'data-testid="personnel-2024" class="derived derived-amount">19,797</output>' in html
    assert 'data-testid="reference-rate-0-2024" class="derived derived-rate">83.3%</output>' in html
    assert 'name="header-version" value="1"' in html
    assert html.count('data-testid="save-') == 2
    assert 'inputmode="decimal"' in html


def test_post_valid_data_saves_and_the_sheet_page_shows_it(client, demo_sheet, login_as):
    login_as("staff")
    data = posted(
        demo_sheet, **{"sub-0-actual_s": "６６", "direction-direction_text": "訪問支援を新たに始める。"}
    )
    response = client.post(edit_url(demo_sheet), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("sheets:detail", args=[demo_sheet.pk])
    assert (actual_2024().value, actual_2024().raw_text) == (Decimal(66), "６６")
    page = client.get(response["Location"]).content.decode()
    assert "保存しました。" in page
    assert "訪問支援を新たに始める。" in page
    assert "92%" in page
    demo_sheet.refresh_from_db()
    assert demo_sheet.version == 2


def test_a_warning_does_not_block_the_save(client, demo_sheet, login_as):
    login_as("staff")
    response = client.post(edit_url(demo_sheet), posted(demo_sheet, **{"sub-0-actual_s": ""}), follow=True)
    assert response.redirect_chain[-1][1] == 302
    assert "ひきこもり家庭等相談支援事業: 令和6年度の実績値が未入力です" in response.content.decode()


def test_post_invalid_data_shows_the_message_keeps_the_typed_values_and_saves_nothing(
    client, demo_sheet, login_as
):
    login_as("staff")
    data = posted(
        demo_sheet,
        **{
            "sub-0-actual_s": "７２人x",
            "sub-2-actual_s": "40",
            "header-activities_summary": "書きかけの概要",
            "funding-settlement__general": "622",
        },
    )
    response = client.post(edit_url(demo_sheet), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "数値ではありません（&quot;７２人x&quot;）" in html
    # The funding check runs although another field of a row is in error: every problem at once.
    message = "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません"
    assert html.count(message) == 2  # in the summary and next to the field
    assert 'value="７２人x"' in html
    assert 'value="40"' in html
    assert "書きかけの概要" in html
    assert 'class="error-summary"' in html
    assert actual_2024().value == Decimal(60)
    assert actual_2024("ひきこもり周知啓発等事業").value == Decimal(36)
    assert EvaluationSheet.objects.get(pk=demo_sheet.pk).version == 1


def test_funding_mismatch_is_shown_next_to_the_field(client, demo_sheet, login_as):
    login_as("staff")
    response = client.post(edit_url(demo_sheet), posted(demo_sheet, **{"funding-settlement__general": "622"}))
    assert response.status_code == 200
    html = response.content.decode()
    message = "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません"
    assert html.count(message) == 2  # in the summary and next to the field
    assert 'name="funding-settlement__general" value="622"' in html


def test_stale_save_keeps_everything_typed_and_explains(client, demo_sheet, login_as):
    login_as("staff")
    data = posted(demo_sheet, **{"sub-0-actual_s": "66", "header-activities_summary": "私の変更"})
    EvaluationSheet.objects.filter(pk=demo_sheet.pk).update(version=2)  # someone saved meanwhile
    response = client.post(edit_url(demo_sheet), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "このシートは他の利用者が先に保存しました" in html
    assert "最新の内容を確認してから、もう一度保存してください。" in html
    assert "私の変更" in html and 'name="sub-0-actual_s" value="66"' in html
    assert actual_2024().value == Decimal(60)
    # After being told, the editor may save again: the form now carries the stored version.
    assert 'name="header-version" value="2"' in html


# ---- recalculation --------------------------------------------------------------------------


def test_recalc_returns_the_new_achievement_rate_without_saving(client, demo_sheet, login_as):
    login_as("staff")
    response = client.post(recalc_url(demo_sheet), posted(demo_sheet, **{"sub-0-actual_s": "66"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="achievement-0" class="derived derived-rate" hx-swap-oob="true">92%</output>' in html
    assert actual_2024().value == Decimal(60)


def test_recalc_updates_totals_general_revenue_and_personnel_cost(client, demo_sheet, login_as):
    login_as("staff")
    regular = StaffCategory.objects.get(code="regular")
    changes = {
        "sub-1-amount_settlement": "100",
        f"staff-fte_2024_{regular.pk}": "3.0",
        "ref-0-actual_2024": "66",
    }
    html = client.post(recalc_url(demo_sheet), posted(demo_sheet, **changes)).content.decode()
    assert (
        'data-testid="project-cost-settlement" class="derived derived-amount" hx-swap-oob="true">1,407<'
        in html
    )
    assert (
        'data-testid="general-revenue-settlement" class="derived derived-amount" hx-swap-oob="true">729<'
        in html
    )
    # 3.0 × 7,865 + 2.0 × 1,640.1 = 26,875.2 → 26,875
    assert 'data-testid="personnel-2024" class="derived derived-amount" hx-swap-oob="true">26,875<' in html
    assert (
        'data-testid="reference-rate-0-2024" class="derived derived-rate" hx-swap-oob="true">91.7%<' in html
    )


def test_recalc_shows_the_funding_check_and_row_warnings_live(client, demo_sheet, login_as):
    login_as("staff")
    changes = {"funding-settlement__general": "622", "sub-2-actual_s": ""}
    html = client.post(recalc_url(demo_sheet), posted(demo_sheet, **changes)).content.decode()
    assert "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません" in html
    assert "令和6年度の実績値が未入力です" in html


# ---- query counts ---------------------------------------------------------------------------


def _sheet_with_sub_programs(count) -> EvaluationSheet:
    """健福-18 (2 sub-programs in the demo) with sub-programs added up to ``count``."""
    sheet = EvaluationSheet.objects.get(program__code="健福-18")
    program = sheet.program
    for n in range(count - program.children.count()):
        sub = Program.objects.create(
            organization=program.organization,
            kind=ProgramKind.SUB_PROGRAM,
            parent=program,
            name=f"追加の事務事業{n}",
            branch_no=10 + n,
            order=10 + n,
            owner_unit=program.owner_unit,
        )
        ProgramYear.objects.create(program=sub, fiscal_year=2024, main_expenses="消耗品")
        for fy, basis in ((2024, "settlement"), (2024, "initial_budget"), (2025, "budget")):
            CostRecord.objects.create(program=sub, fiscal_year=fy, basis=basis, amount=Decimal(0))
        indicator = Indicator.objects.create(
            organization=program.organization,
            program=sub,
            kind=IndicatorKind.ACTIVITY,
            name="件数",
            unit="件",
        )
        IndicatorValue.objects.create(indicator=indicator, fiscal_year=2024, value_type="actual", value=3)
        IndicatorValue.objects.create(indicator=indicator, fiscal_year=2024, value_type="target", value=4)
        SubProgramEvaluation.objects.create(sheet=sheet, sub_program=sub, indicator_analysis="…")
    assert program.children.count() == count
    return sheet


def _count_queries(client, url, data=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data) if data is not None else client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("rows", [2, 20])
def test_edit_page_runs_a_constant_number_of_queries(
    client, demo, login_as, django_assert_max_num_queries, rows
):
    sheet = _sheet_with_sub_programs(rows)
    login_as("staff")
    with django_assert_max_num_queries(40):
        response = client.get(edit_url(sheet))
    assert response.content.decode().count('class="sub-row') == rows + 1  # + the template for a new row


def test_query_counts_do_not_grow_with_rows(client, demo, login_as):
    login_as("staff")
    small = _sheet_with_sub_programs(2)
    counts_small = (
        _count_queries(client, edit_url(small)),
        _count_queries(client, recalc_url(small), posted(small)),
    )
    large = _sheet_with_sub_programs(20)
    counts_large = (
        _count_queries(client, edit_url(large)),
        _count_queries(client, recalc_url(large), posted(large)),
    )
    assert counts_small == counts_large
