"""Reading sheets in the browser: access, content and query counts."""

import pytest
from django.urls import reverse

from sheets.choices import Role
from sheets.models import Membership
from tests.factories import EvaluationSheetFactory, OrganizationFactory, add_sub_programs

URL_NAMES = ["sheets:detail", "sheets:pdf", "sheets:xlsx"]


@pytest.mark.parametrize("name", URL_NAMES)
def test_anonymous_users_are_sent_to_the_login_page(client, demo_sheet, name):
    response = client.get(reverse(name, args=[demo_sheet.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_anonymous_list_redirects_to_login(client, db):
    assert client.get(reverse("sheets:list")).status_code == 302


@pytest.mark.parametrize("name", URL_NAMES)
def test_users_of_another_municipality_are_refused(client, demo_sheet, django_user_model, name):
    outsider = django_user_model.objects.create_user("outsider", password="x")
    Membership.objects.create(user=outsider, organization=OrganizationFactory(), role=Role.AUDITOR)
    client.force_login(outsider)
    assert client.get(reverse(name, args=[demo_sheet.pk])).status_code == 403


def test_list_shows_the_years_sheets(client, login_as, demo_sheet):
    login_as("auditor")
    response = client.get(reverse("sheets:list"), {"year": 2025})
    assert response.status_code == 200
    content = response.content.decode()
    for name in ["ひきこもり対策推進事業", "生活保護事務", "共生社会推進事業"]:
        assert name in content
    assert "令和7年度" in content


def test_list_hides_other_municipalities_sheets(client, demo_sheet, django_user_model):
    other = EvaluationSheetFactory()
    user = django_user_model.objects.create_user("other", password="x")
    Membership.objects.create(user=user, organization=other.organization, role=Role.STAFF)
    client.force_login(user)
    content = client.get(reverse("sheets:list")).content.decode()
    assert other.program.name in content
    assert "ひきこもり対策推進事業" not in content


def test_detail_shows_the_sheet_with_derived_figures(client, login_as, demo_sheet):
    login_as("auditor")
    response = client.get(reverse("sheets:detail", args=[demo_sheet.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for figure in [
        "令和７年（2025年）度行政評価シート【個表】",
        "1,356",
        "19,797",
        "83%",
        "90.9%",
        "13人/84人/56回",
    ]:
        assert figure in content
    assert reverse("sheets:edit", args=[demo_sheet.pk]) not in content  # auditors read, never edit


def test_detail_offers_editing_to_the_owning_units_staff(client, login_as, demo_sheet):
    login_as("staff")
    content = client.get(reverse("sheets:detail", args=[demo_sheet.pk])).content.decode()
    assert reverse("sheets:edit", args=[demo_sheet.pk]) in content


def test_xlsx_download_is_an_attachment_with_the_program_in_its_name(client, login_as, demo_sheet):
    login_as("auditor")
    response = client.get(reverse("sheets:xlsx", args=[demo_sheet.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert "2025_" in response["Content-Disposition"]


@pytest.mark.parametrize("rows", [2, 20])
def test_detail_page_query_count_is_constant(
    client, db, django_user_model, django_assert_max_num_queries, rows
):
    sheet = EvaluationSheetFactory()
    add_sub_programs(sheet.program, rows)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    with django_assert_max_num_queries(30):
        response = client.get(reverse("sheets:detail", args=[sheet.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("63%") == rows
