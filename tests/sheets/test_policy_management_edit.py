"""Editing the 施策マネジメントシート: values, grades with the reason rule, texts, locking, queries."""

from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.choices import ValueStatus, ValueType
from indicators.models import IndicatorValue
from sheets.choices import KNI_GOAL_GRADE, SheetStatus
from sheets.forms.policy_management_sheet import PolicyManagementSheetEditForm
from sheets.models import ChoiceOption, NarrativeBlock, PolicyManagementSheet
from sheets.selectors import policy_management_context
from tests.sheets.test_policy_management_sheet import _add_indicators, _add_programs


def _url(sheet):
    return reverse("sheets:policy_management_edit", args=[sheet.pk])


def _data(sheet, **changes) -> dict:
    """The edit form as the browser posts it untouched, with some fields changed (names without prefix)."""
    form = PolicyManagementSheetEditForm(ctx=policy_management_context(sheet_id=sheet.pk))
    data = {}
    for bound in form:
        value = bound.value()
        data[bound.html_name] = "" if value is None else value
    for name, value in changes.items():
        data[f"pm-{name}"] = value
    return data


def _value_field(sheet, slot_code, fy, value_type):
    """The input name of one indicator cell, e.g. ("12-1", "イ") R5 実績値."""
    node_code, slot = slot_code
    indicator = sheet.policy_node.plan.nodes.get(code=node_code).indicators.get(slot=slot)
    return f"v_{indicator.pk}_{fy}_{value_type}", indicator


def _option(code):
    return ChoiceOption.objects.get(choice_set__key=KNI_GOAL_GRADE, code=code)


@pytest.fixture
def staff(kunitachi_sheet, login_as):
    return login_as("kni_staff")


def test_edit_page_shows_the_grid_grades_and_suggestions(kunitachi_sheet, staff, client):
    response = client.get(_url(kunitachi_sheet))
    assert response.status_code == 200
    page = response.content.decode()
    assert "福祉活動に取り組んでいる市民の割合" in page
    assert 'value="12.1"' in page and 'value="―"' in page
    assert "提案（データから算出）" in page and "C（横ばい）" in page
    assert "368,045" in page  # the cost roll-up, shown read-only
    assert "国立市の取組状況はどうか" in page


def test_sheet_page_offers_the_edit_button(kunitachi_sheet, staff, client):
    response = client.get(reverse("sheets:detail", args=[kunitachi_sheet.pk]))
    assert _url(kunitachi_sheet) in response.content.decode()


def test_save_changes_exactly_the_posted_values(kunitachi_sheet, staff, client):
    name, indicator = _value_field(kunitachi_sheet, ("12-1", "イ"), 2023, ValueType.ACTUAL)
    before = {(v.indicator_id, v.fiscal_year, v.value_type): v.value for v in IndicatorValue.objects.all()}
    data = _data(
        kunitachi_sheet, **{name: "１３．５", "n_004_7_2": "中期的な方針（改訂）", "lead_person": "谷保 花子"}
    )
    response = client.post(_url(kunitachi_sheet), data)
    assert response.status_code == 302, response.content.decode()
    after = {(v.indicator_id, v.fiscal_year, v.value_type): v.value for v in IndicatorValue.objects.all()}
    changed = {k for k in after if before.get(k) != after[k]}
    assert changed == {(indicator.pk, 2023, ValueType.ACTUAL)}
    assert after[(indicator.pk, 2023, ValueType.ACTUAL)] == Decimal("13.5")
    assert (
        NarrativeBlock.objects.get(sheet=kunitachi_sheet, section_key="004.7.2").text
        == "中期的な方針（改訂）"
    )
    ctx = policy_management_context(sheet_id=kunitachi_sheet.pk)
    assert ctx.lead_person == "谷保 花子"
    kunitachi_sheet.refresh_from_db()
    assert kunitachi_sheet.version == 2
    page = client.get(reverse("sheets:detail", args=[kunitachi_sheet.pk])).content.decode()
    assert "13.5" in page and "谷保 花子" in page


def test_status_tokens_are_stored_as_status(kunitachi_sheet, staff, client):
    name, indicator = _value_field(kunitachi_sheet, ("12-2", "ア"), 2024, ValueType.ACTUAL)
    response = client.post(_url(kunitachi_sheet), _data(kunitachi_sheet, **{name: "未実施"}))
    assert response.status_code == 302
    value = IndicatorValue.objects.get(indicator=indicator, fiscal_year=2024, value_type=ValueType.ACTUAL)
    assert (value.value, value.status) == (None, ValueStatus.NOT_CONDUCTED)


def test_a_bad_number_names_the_cell_and_writes_nothing(kunitachi_sheet, staff, client):
    name, indicator = _value_field(kunitachi_sheet, ("12-1", "イ"), 2023, ValueType.ACTUAL)
    response = client.post(
        _url(kunitachi_sheet), _data(kunitachi_sheet, **{name: "たくさん", "grade_background": "変更"})
    )
    assert response.status_code == 200
    assert "数値" in response.content.decode()
    assert PolicyManagementSheet.objects.get(sheet=kunitachi_sheet).grade_background != "変更"


def test_a_grade_two_steps_from_the_suggestion_needs_a_reason(kunitachi_sheet, staff, client):
    response = client.post(_url(kunitachi_sheet), _data(kunitachi_sheet, goal_grade=str(_option("C").pk)))
    assert response.status_code == 200
    assert "2段階以上異なるため、理由を入力してください" in response.content.decode()
    assert PolicyManagementSheet.objects.get(sheet=kunitachi_sheet).goal_grade.code == "E"
    response = client.post(
        _url(kunitachi_sheet),
        _data(kunitachi_sheet, goal_grade=str(_option("C").pk), goal_grade_reason="調査方法が変わったため。"),
    )
    assert response.status_code == 302
    assert PolicyManagementSheet.objects.get(sheet=kunitachi_sheet).goal_grade.code == "C"


def test_the_reason_rule_uses_the_values_typed_in_the_same_save(kunitachi_sheet, staff, client):
    """Meeting every target makes A the suggestion: E is then four steps away and needs a reason."""
    changes = {}
    for node_code, slot, value in (
        ("12-1", "ア", "50"),
        ("12-1", "イ", "20"),
        ("12-2", "ア", "50"),
        ("12-2", "イ", "80"),
    ):
        name, _ = _value_field(kunitachi_sheet, (node_code, slot), 2023, ValueType.ACTUAL)
        changes[name] = value
    response = client.post(_url(kunitachi_sheet), _data(kunitachi_sheet, **changes))
    assert response.status_code == 200
    assert "A（高度に達成）" in response.content.decode()
    assert not IndicatorValue.objects.filter(value=Decimal("80")).exists()  # nothing written


def test_a_stale_version_is_refused_and_keeps_what_was_typed(kunitachi_sheet, staff, client):
    stale = _data(kunitachi_sheet, grade_background="古い版からの入力")
    assert (
        client.post(_url(kunitachi_sheet), _data(kunitachi_sheet, grade_background="先に保存")).status_code
        == 302
    )
    response = client.post(_url(kunitachi_sheet), stale)
    assert response.status_code == 200
    page = response.content.decode()
    assert "他の利用者が先に保存しました" in page and "古い版からの入力" in page
    # The refusal shows what the other save changed.
    assert "先に保存された変更" in page and "→ 先に保存" in page
    assert PolicyManagementSheet.objects.get(sheet=kunitachi_sheet).grade_background == "先に保存"


@pytest.mark.parametrize("username", ["staff", "oki_staff"])
def test_users_of_other_municipalities_cannot_edit(
    kunitachi_sheet, demo, okinawa_sheets, login_as, client, username
):
    login_as(username)
    assert client.get(_url(kunitachi_sheet)).status_code == 403
    assert client.post(_url(kunitachi_sheet), _data(kunitachi_sheet)).status_code == 403


def test_a_submitted_sheet_cannot_be_edited(kunitachi_sheet, staff, client):
    kunitachi_sheet.status = SheetStatus.SUBMITTED
    kunitachi_sheet.save()
    assert client.get(_url(kunitachi_sheet)).status_code == 403


def test_edit_page_query_count_is_constant(kunitachi_sheet, staff, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(40) as few:
        client.get(_url(kunitachi_sheet))
    _add_programs(kunitachi_sheet, 40)
    _add_indicators(kunitachi_sheet, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(_url(kunitachi_sheet))


def test_sheet_list_shows_the_lead_unit_of_a_policy_sheet(kunitachi_sheet, staff, client):
    page = client.get(reverse("sheets:list") + "?year=2024").content.decode()
    assert "支え合いの地域づくりと自立支援" in page and "福祉総務課" in page


@pytest.mark.parametrize("page", ["sheets:detail", "sheets:pdf"])
def test_sheet_page_query_count_is_constant(
    kunitachi_sheet, staff, client, django_assert_max_num_queries, page
):
    url = reverse(page, args=[kunitachi_sheet.pk]) + ("?format=html" if page == "sheets:pdf" else "")
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).status_code == 200
    _add_programs(kunitachi_sheet, 40)
    _add_indicators(kunitachi_sheet, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
