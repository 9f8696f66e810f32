"""Trends (target vs actual over the years) and the department / policy portfolio, on the page, in the
PDF and in Excel."""

import io
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from benchmarks.analytics import program_trend_context
from benchmarks.selectors import department_portfolio_context
from indicators.choices import CostBasis, ValueType
from sheets.models import ProgramPolicyLink
from tests.factories import (
    CostRecordFactory,
    EvaluationSheetFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    OrgUnitFactory,
    ProgramFactory,
    add_sub_programs,
)


def test_trend_of_the_reference_indicator_reproduces_the_printed_rates(demo_sheet):
    ctx = program_trend_context(sheet=demo_sheet)
    trend = next(t for t in ctx.indicators if t.indicator.name == "ひきこもり相談件数")
    assert [y.label for y in trend.years] == ["R2年度", "R3年度", "R4年度", "R5年度", "R6年度"]
    assert [y.target.number for y in trend.years] == [None, 20, 50, 66, 72]
    assert [y.actual.number for y in trend.years] == [13, 44, 60, 60, 60]
    assert [y.rate.text for y in trend.years] == ["", "220.0%", "120.0%", "90.9%", "83.3%"]
    assert 'font-family="HikiIPAexGothic"' in trend.chart
    assert "ひきこもり相談件数 の目標値と実績値</title>" in trend.chart
    names = [t.indicator.name for t in ctx.indicators]
    assert "ひきこもり居場所利用のべ人数" in names and "相談支援件数" in names


def test_trend_page_shows_charts_and_their_figures(client, login_as, demo_sheet):
    login_as("auditor")
    content = client.get(reverse("benchmarks:program_trends", args=[demo_sheet.pk])).content.decode()
    assert content.count("<svg") == 5
    for text in ("220.0%", "154.2%", "77.8%", "グラフの数値"):
        assert text in content


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_trend_pdf_has_the_charts_drawn_with_the_project_font(client, login_as, demo_sheet, tmp_path):
    login_as("auditor")
    response = client.get(reverse("benchmarks:program_trends_pdf", args=[demo_sheet.pk]))
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "trend.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True).stdout
    # Text drawn inside the SVG (legend, axis labels, point values) is in the PDF as text.
    for figure in ("目標値", "実績値", "R3年度", "72.0人", "108.0人", "220.0%"):
        assert figure in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    families = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    assert families == {"HikiIPAexGothic"}


def test_department_portfolio_figures(demo_sheet):
    department = demo_sheet.program.owner_unit.department
    ctx = department_portfolio_context(unit=department, evaluation_fy=2025)
    rows = {r.program.code: r for r in ctx.rows}
    assert set(rows) == {"健福-05", "健福-17", "健福-18"}
    kf17 = rows["健福-17"]
    assert (kf17.project_cost, kf17.personnel_cost, kf17.total_cost) == (1356, 19797, 21153)
    assert kf17.direction == "拡充"
    assert (kf17.achieved, kf17.rated) == (0, 5)
    directions, achievement = ctx.distributions
    assert dict(directions.counts)["拡充"] == 2 and dict(directions.counts)["現状維持"] == 1
    assert dict(achievement.counts) == {"100%以上": 1, "80%以上100%未満": 5, "80%未満": 3, "算定不可": 0}
    assert ctx.total == sum(r.total_cost for r in ctx.rows)


def test_year_over_year_change(db):
    sheet = EvaluationSheetFactory()
    program = sheet.program
    CostRecordFactory(program=program, fiscal_year=2023, basis=CostBasis.SETTLEMENT, amount=Decimal(800))
    CostRecordFactory(program=program, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=Decimal(1000))
    ctx = department_portfolio_context(unit=program.owner_unit, evaluation_fy=2025)
    row = ctx.rows[0]
    assert (row.previous_total, row.total_cost, row.change, row.change_pct) == (
        800,
        1000,
        200,
        Decimal("25.0"),
    )
    assert row.direction == "未評価"


def test_portfolio_page_and_excel(client, login_as, demo_sheet):
    login_as("auditor")
    department = demo_sheet.program.owner_unit.department
    content = client.get(reverse("benchmarks:department_portfolio", args=[department.pk])).content.decode()
    assert content.count("<svg") == 3
    for text in ("21,153", "19,797", "拡充", "指標の達成度の分布"):
        assert text in content
    response = client.get(
        reverse("benchmarks:department_portfolio_xlsx", args=[department.pk]), {"year": 2025}
    )
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb["事業別"]
    rows = {
        ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(1, 13)] for r in range(4, ws.max_row + 1)
    }
    assert rows["健福-17"][6] == 21153 and rows["健福-17"][3] == "拡充"
    assert "今後の方針（総合評価）の分布" in wb.sheetnames


def test_policy_portfolio_covers_the_programs_linked_in_the_subject_year(client, login_as, demo_sheet):
    link = ProgramPolicyLink.objects.filter(program=demo_sheet.program, fiscal_year=2024).first()
    assert link is not None
    login_as("auditor")
    content = client.get(reverse("benchmarks:policy_portfolio", args=[link.policy_node_id]), {"year": 2025})
    assert content.status_code == 200
    assert "ひきこもり対策推進事業" in content.content.decode()


@pytest.mark.parametrize("rows", [2, 20])
def test_portfolio_query_count_is_constant(
    client, db, django_user_model, django_assert_max_num_queries, rows
):
    unit = OrgUnitFactory()
    for _ in range(rows):
        sheet = EvaluationSheetFactory(
            program=ProgramFactory(organization=unit.organization, owner_unit=unit)
        )
        add_sub_programs(sheet.program, 2)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    with django_assert_max_num_queries(18):
        response = client.get(reverse("benchmarks:department_portfolio", args=[unit.pk]), {"year": 2025})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_trend_page_query_count_is_constant(
    client, db, django_user_model, django_assert_max_num_queries, rows
):
    sheet = EvaluationSheetFactory()
    for n in range(rows):
        indicator = IndicatorFactory(program=sheet.program, name=f"指標{n}")
        for fy in (2022, 2023, 2024):
            IndicatorValueFactory(indicator=indicator, fiscal_year=fy, value_type=ValueType.TARGET, value=10)
            IndicatorValueFactory(
                indicator=indicator, fiscal_year=fy, value_type=ValueType.ACTUAL, value=fy - 2015
            )
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("benchmarks:program_trends", args=[sheet.pk]))
    assert response.content.decode().count("<svg") == rows
