"""The 評価シート一覧: filters, paging and the organisation column of a multi-municipality reader."""

import pytest
from django.urls import reverse

from sheets.choices import Role, SheetStatus
from sheets.models import Membership
from tests.factories import EvaluationSheetFactory, OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader(django_user_model):
    """An auditor of a city with 120 program sheets of 令和7年度 (and one of 令和6年度)."""
    org = OrganizationFactory(name="試験市")
    for n in range(120):
        EvaluationSheetFactory(
            program=ProgramFactory(organization=org, code=f"試-{n:03d}", name=f"事業{n:03d}")
        )
    EvaluationSheetFactory(program=ProgramFactory(organization=org, name="前年度の事業"), evaluation_fy=2024)
    user = django_user_model.objects.create_user("reader", password="x")
    Membership.objects.create(user=user, organization=org, role=Role.AUDITOR)
    return user


def _page(client, **params) -> str:
    response = client.get(reverse("sheets:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_is_paged_and_the_pages_hold_every_sheet_once(client, reader):
    client.force_login(reader)
    first, last = _page(client), _page(client, page=3)
    assert "120 件" in first and "（1〜50 件目）" in first and "1 / 3 ページ" in first
    assert "事業000" in first and "事業049" in first and "事業050" not in first
    assert "事業119" in last and "事業069" not in last
    assert "前年度の事業" not in first  # the latest year by default


def test_paging_keeps_the_filters(client, reader):
    from urllib.parse import quote

    client.force_login(reader)
    content = _page(client, year=2025, q="事業1")  # 事業1xx: 20 sheets, one page
    assert "20 件" in content and "事業100" in content and "事業099" not in content
    assert "ページ</span>" not in content
    content = _page(client, status="draft", q="事業")  # 120 sheets: the next page keeps both filters
    assert f'href="?status=draft&amp;q={quote("事業")}&amp;page=2"' in content


@pytest.mark.parametrize(
    ("params", "shown", "hidden"),
    [
        ({"q": "試-007"}, "事業007", "事業008"),
        ({"status": SheetStatus.SUBMITTED}, "事業003", "事業004"),
        ({"year": 2024}, "前年度の事業", "事業000"),
        ({"form_type": "kmk_policy"}, "条件に合う評価シートはありません", "事業000"),
    ],
)
def test_filters(client, reader, params, shown, hidden):
    from sheets.models import EvaluationSheet

    EvaluationSheet.objects.filter(program__code="試-003").update(status=SheetStatus.SUBMITTED)
    client.force_login(reader)
    content = _page(client, **params)
    assert shown in content and hidden not in content


def test_the_list_runs_a_constant_number_of_queries(client, reader, django_assert_max_num_queries):
    client.force_login(reader)
    with django_assert_max_num_queries(12) as queries:
        _page(client)
    EvaluationSheetFactory.create_batch(30, program__organization=reader.memberships.get().organization)
    with django_assert_max_num_queries(len(queries)):
        _page(client)


def test_a_reader_of_several_municipalities_sees_which_is_which(client, reader):
    other = OrganizationFactory(name="比較市")
    EvaluationSheetFactory(program=ProgramFactory(organization=other, name="比較市の事業"))
    Membership.objects.create(user=reader, organization=other, role=Role.AUDITOR)
    client.force_login(reader)
    content = _page(client, organization=other.pk)
    assert "<th>団体</th>" in content and "比較市の事業" in content and "事業000" not in content
    assert "試験市" in _page(client)
