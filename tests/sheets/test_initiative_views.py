"""The 「主な取組」検証票 in the browser: page, PDF, Excel, access and query counts."""

import pytest
from django.urls import reverse

from sheets.models import CheckFactor, ChoiceOption, ImprovementPlan


def test_detail_page_shows_the_form_with_the_raw_ratio_and_the_warning(client, login_as, okinawa_sheets):
    login_as("oki_staff")
    content = client.get(reverse("sheets:detail", args=[okinawa_sheets[1].pk])).content.decode()
    for text in ["「主な取組」検証票", "協議会：4回（8回）", "100.0%", "（実数 150.0%）", "12,622", "順調"]:
        assert text in content
    first = client.get(reverse("sheets:detail", args=[okinawa_sheets[0].pk])).content.decode()
    assert "進捗状況「概ね順調」は達成割合 0.0% の目安と一致しません" in first


def test_pdf_preview_and_downloads(client, login_as, okinawa_sheets):
    login_as("oki_evaluator")
    sheet = okinawa_sheets[2]
    html = client.get(reverse("sheets:pdf", args=[sheet.pk]), {"format": "html"})
    assert "1,800件（5,400件）" in html.content.decode()
    assert client.get(reverse("sheets:pdf", args=[sheet.pk])).content.startswith(b"%PDF-")
    xlsx = client.get(reverse("sheets:xlsx", args=[sheet.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("name", ["sheets:detail", "sheets:pdf", "sheets:xlsx"])
def test_other_municipalities_users_are_refused(client, login_as, okinawa_sheets, name):
    login_as("staff")  # 鎌倉市
    assert client.get(reverse(name, args=[okinawa_sheets[0].pk])).status_code == 403


@pytest.mark.parametrize("rows", [2, 20])
def test_detail_page_query_count_is_constant(
    client, login_as, okinawa_sheets, django_assert_max_num_queries, rows
):
    sheet = okinawa_sheets[2]
    check = ChoiceOption.objects.get(choice_set__key="OKI_CHECK_TYPE", code="②")
    action = ChoiceOption.objects.get(choice_set__key="OKI_ACTION_TYPE", code="②")
    for i in range(rows):
        CheckFactor.objects.create(sheet=sheet, factor_type=check, content=f"追加の要因{i}", order=20 + i)
        ImprovementPlan.objects.create(
            sheet=sheet, plan_type=action, content=f"追加の改善{i}", order=20 + i, target_fy=2023
        )
    login_as("oki_staff")
    with django_assert_max_num_queries(24):
        response = client.get(reverse("sheets:detail", args=[sheet.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("追加の要因") == rows
