"""The benchmarks pages: access, content and constant query counts."""

import pytest
from django.urls import reverse

from benchmarks.models import BenchmarkComparison, BenchmarkEntry, SurveyOption, SurveyOwnAnswer
from benchmarks.services import benchmark_entry_save
from sheets.choices import Role
from sheets.models import Membership, Organization, SizeClass
from tests.factories import EvaluationSheetFactory, OrganizationFactory, add_sub_programs

SURVEY = "national_hikikomori_2024"


def _program_urls(sheet):
    return [
        reverse("benchmarks:program", args=[sheet.pk]),
        reverse("benchmarks:program_trends", args=[sheet.pk]),
        reverse("benchmarks:program_trends_pdf", args=[sheet.pk]),
    ]


def test_anonymous_users_are_sent_to_the_login_page(client, demo_sheet):
    department = demo_sheet.program.owner_unit.department
    urls = [
        reverse("benchmarks:survey_index"),
        reverse("benchmarks:survey_question", args=[SURVEY, "Q3"]),
        *_program_urls(demo_sheet),
        reverse("benchmarks:department_portfolio", args=[department.pk]),
        reverse("benchmarks:department_portfolio_xlsx", args=[department.pk]),
        reverse("benchmarks:opendata_csv", args=[demo_sheet.organization_id, "indicators"]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_users_of_another_municipality_are_refused(client, demo_sheet, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x")
    Membership.objects.create(user=outsider, organization=OrganizationFactory(), role=Role.AUDITOR)
    client.force_login(outsider)
    department = demo_sheet.program.owner_unit.department
    urls = [
        *_program_urls(demo_sheet),
        reverse("benchmarks:department_portfolio", args=[department.pk]),
        reverse("benchmarks:department_portfolio_xlsx", args=[department.pk]),
        reverse("benchmarks:opendata_csv", args=[demo_sheet.organization_id, "comparisons"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("benchmarks:program_refresh", args=[demo_sheet.pk])).status_code == 403


def test_only_editors_may_refresh_the_comparisons(client, login_as, demo_sheet):
    login_as("auditor")
    assert client.post(reverse("benchmarks:program_refresh", args=[demo_sheet.pk])).status_code == 403
    login_as("staff")
    response = client.post(reverse("benchmarks:program_refresh", args=[demo_sheet.pk]))
    assert response.status_code == 302
    assert client.get(reverse("benchmarks:program_refresh", args=[demo_sheet.pk])).status_code == 405


def test_survey_index_lists_questions_issues_and_hearing_cases(client, login_as, demo, reference_data):
    login_as("auditor")
    content = client.get(reverse("benchmarks:survey_index")).content.decode()
    assert reference_data.title in content
    assert "1,741" in content and "1,187" in content and "68.2%" in content
    for code in ("003-1", "003-5", "003-10", "Q19", "ヒアリング調査"):
        assert code in content


def test_survey_question_shows_the_table_and_chart_with_the_users_size_class(
    client, login_as, demo, reference_data
):
    login_as("auditor")  # 鎌倉市: 一般市（人口10万人以上）
    content = client.get(reverse("benchmarks:survey_question", args=[SURVEY, "Q3"])).content.decode()
    assert content.count("<svg") == 1
    assert 'font-family="HikiIPAexGothic"' in content
    for figure in (
        "16.3%",
        "22.3%",
        "193",
        "1,187",
        "n=556",
        "各区分の件数・基数の合計は全体の行と一致します",
    ):
        assert figure in content
    assert "強調表示: 一般市（人口10万人以上）" in content
    by_row = client.get(
        reverse("benchmarks:survey_question", args=[SURVEY, "Q3"]), {"breakdown": "size_class", "row": "町村"}
    )
    assert "強調表示: 町村" in by_row.content.decode()


def test_survey_question_keeps_the_reports_inconsistencies_visible(client, login_as, demo, reference_data):
    login_as("auditor")
    url = reverse("benchmarks:survey_question", args=[SURVEY, "Q4"])
    content = client.get(url, {"breakdown": "q2_within_q1_non"}).content.decode()
    assert "補正値（印刷値 192）" in content
    assert "003-1" in content
    q7 = client.get(reverse("benchmarks:survey_question", args=[SURVEY, "Q7"])).content.decode()
    assert "※003-5" in q7 and "81.2%" in q7
    q9 = client.get(reverse("benchmarks:survey_question", args=[SURVEY, "Q9"]), {"breakdown": "q2_status"})
    assert "基数 226（印刷値 469）" in q9.content.decode()
    q11 = client.get(reverse("benchmarks:survey_question", args=[SURVEY, "Q11"])).content.decode()
    assert q11.count("<svg") == 9  # one chart per window, stages as series


def test_a_question_without_data_says_so(client, login_as, demo, reference_data):
    login_as("auditor")
    content = client.get(reverse("benchmarks:survey_question", args=[SURVEY, "Q13"])).content.decode()
    assert "集計値は報告書に掲載されていません" in content


def test_program_page_shows_the_size_class_beside_the_municipality(
    client, login_as, demo_sheet, reference_data
):
    login_as("auditor")
    content = client.get(reverse("benchmarks:program", args=[demo_sheet.pk])).content.decode()
    # Kamakura is a 一般市 of 10万人 or more: 10 of 145 have no designated window (6.9%), 16.3% nationally.
    assert "一般市（人口10万人以上）: 6.9% が「設定（明確化）していない」（全体 16.3%）" in content
    assert "79.7% が「訪問（アウトリーチ）」" in content
    # Its own consultation record is read off the program's indicator.
    assert "令和6年度実績 60人 から" in content
    # Peer table with per-10万人 figures where the population is known (鎌倉市 172,000 in the demo).
    for text in ("13人/84人/56回", "98名/12回", "34.9人", "880.8件", "7.6人", "人口未登録"):
        assert text in content


def test_program_page_for_a_town_headlines_its_class(client, reference_data, django_user_model):
    town = OrganizationFactory(size_class=SizeClass.objects.get(code="choson"))
    sheet = EvaluationSheetFactory(program__organization=town)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    content = client.get(reverse("benchmarks:program", args=[sheet.pk])).content.decode()
    assert "町村: 22.3% が「設定（明確化）していない」（全体 16.3%）" in content
    assert "町村: 61.1% が「相談実績がある」（全体 79.4%）" in content


def test_own_answers_entered_are_shown(client, login_as, demo_sheet, reference_data):
    option = SurveyOption.objects.get(question__code="Q5", label="訪問（アウトリーチ）")
    SurveyOwnAnswer.objects.create(organization=demo_sheet.organization, option=option, note="令和6年度 実施")
    login_as("auditor")
    content = client.get(reverse("benchmarks:program", args=[demo_sheet.pk])).content.decode()
    assert "令和6年度 実施" in content


def _peer_rows(sheet, rows):
    for n in range(rows):
        comparison = BenchmarkComparison.objects.create(
            sheet=sheet, subject_text=f"比較{n}", reference_fy=2024
        )
        for org in (sheet.organization, OrganizationFactory(population=50000)):
            benchmark_entry_save(
                entry=BenchmarkEntry(
                    comparison=comparison,
                    organization=org,
                    org_name=org.name,
                    is_self=org == sheet.organization,
                    metric_label="相談者/相談件数",
                    value_text="12人/40件",
                )
            )


@pytest.mark.parametrize("rows", [2, 20])
def test_program_page_query_count_is_constant(
    client, reference_data, django_user_model, django_assert_max_num_queries, rows
):
    sheet = EvaluationSheetFactory(program__organization__size_class=SizeClass.objects.get(code="choson"))
    add_sub_programs(sheet.program, rows)
    _peer_rows(sheet, rows)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    with django_assert_max_num_queries(22):
        response = client.get(reverse("benchmarks:program", args=[sheet.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("12人/40件") == 2 * rows


@pytest.mark.parametrize("question", ["Q3", "Q12", "Q11"])
def test_survey_pages_query_count_is_small(
    client, login_as, demo, reference_data, django_assert_max_num_queries, question
):
    login_as("auditor")
    with django_assert_max_num_queries(16):
        assert client.get(reverse("benchmarks:survey_question", args=[SURVEY, question])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("benchmarks:survey_index")).status_code == 200


def test_demo_registry_is_consistent_with_the_kamakura_demo(demo, reference_data):
    assert Organization.objects.filter(lg_code="142042").count() == 1
    assert Organization.objects.get(lg_code="142131").size_class.code == "ippanshi_ge100k"
