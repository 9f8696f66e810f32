"""行政評価シート（施策の方針） (Kamakura, form 002): roll-ups, rows, indicators, page and PDF of the demo."""

import subprocess
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.choices import CostBasis
from indicators.models import CostRecord, StaffAllocation
from sheets.choices import DIRECTION, FormType, ProgramKind
from sheets.demo_policy import kamakura_policy_demo_load
from sheets.exports import sheet_export
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    NarrativeBlock,
    PolicyNode,
    Program,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    ProgramSheet,
    ProgramYear,
)
from sheets.selectors import policy_sheet_context


@pytest.fixture
def policy_sheet(demo):
    return kamakura_policy_demo_load()


def _ctx(sheet):
    return policy_sheet_context(sheet_id=sheet.pk)


def _year(ctx, fy):
    return next(y for y in ctx.cost_years if y.fiscal_year == fy)


def _row(ctx, code):
    return next(r for r in ctx.program_rows if r.code == code)


def test_section2_fy2024_rolls_up_from_the_37_programs(policy_sheet):
    ctx = _ctx(policy_sheet)
    fy2024 = _year(ctx, 2024)
    assert (fy2024.project_cost, fy2024.personnel_cost, fy2024.total_cost) == (
        Decimal(9133184),
        Decimal(587494),
        Decimal(9720678),
    )
    assert not fy2024.from_policy_record
    assert [y.fiscal_year for y in ctx.cost_years] == [2020, 2021, 2022, 2023, 2024, 2025]
    assert _year(ctx, 2025).basis == CostBasis.BUDGET


def test_section2_earlier_years_use_the_policy_record_only_without_program_data(policy_sheet):
    ctx = _ctx(policy_sheet)
    fy2020 = _year(ctx, 2020)
    assert fy2020.from_policy_record
    assert (fy2020.project_cost, fy2020.personnel_cost, fy2020.total_cost) == (
        Decimal(7085638),
        Decimal(546981),
        Decimal(7632619),
    )
    # A policy record for a year that has program data is ignored: the roll-up wins.
    CostRecord.objects.create(
        policy_node=policy_sheet.policy_node, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=1
    )
    assert _year(_ctx(policy_sheet), 2024).project_cost == Decimal(9133184)


def test_section2_evaluation_year_without_budget_is_blank_not_zero(policy_sheet):
    programs = Program.objects.filter(policy_links__policy_node=policy_sheet.policy_node)
    CostRecord.objects.filter(program__in=programs, fiscal_year=2025).delete()
    CostRecord.objects.filter(program__parent__in=programs, fiscal_year=2025).delete()
    StaffAllocation.objects.filter(program__in=programs, fiscal_year=2025).delete()
    fy2025 = _year(_ctx(policy_sheet), 2025)
    assert (fy2025.project_cost, fy2025.personnel_cost, fy2025.total_cost) == (None, None, None)


def test_changing_a_sub_program_cost_changes_the_roll_up(policy_sheet):
    sub = Program.objects.filter(parent__code="健福-17", kind=ProgramKind.SUB_PROGRAM).first()
    record = CostRecord.objects.get(program=sub, fiscal_year=2024, basis=CostBasis.SETTLEMENT)
    record.amount += 100
    record.save()
    ctx = _ctx(policy_sheet)
    assert _year(ctx, 2024).project_cost == Decimal(9133284)
    assert _row(ctx, "健福-17").project_cost == Decimal(1456)


def test_section3_rows(policy_sheet):
    ctx = _ctx(policy_sheet)
    assert len(ctx.program_rows) == 37
    assert [r.code for r in ctx.program_rows[:3]] == ["共生-17", "こども-32", "健福-02"]
    row = _row(ctx, "健福-17")
    assert (row.project_cost, row.personnel_cost, row.total_cost) == (
        Decimal(1356),
        Decimal(19797),
        Decimal(21153),
    )
    assert (row.program_evaluation, row.contribution, row.final_evaluation) == ("拡充", "Ａ", "拡充")
    assert row.department.name == "健康福祉部"
    assert _row(ctx, "健福-36").name == "障害者福祉運営事業"  # 健福-3６ normalised
    assert sum(r.is_statutory for r in ctx.program_rows) == 8
    assert (ctx.program_project_total, ctx.program_personnel_total, ctx.program_total_cost) == (
        Decimal(9133184),
        Decimal(587494),
        Decimal(9720678),
    )
    assert ctx.warnings == []


def test_existing_demo_programs_match_the_published_totals(policy_sheet):
    ctx = _ctx(policy_sheet)
    assert _row(ctx, "健福-18").total_cost == Decimal(40720)
    assert _row(ctx, "健福-05").total_cost == Decimal(18591)


def test_section3_program_evaluation_defaults_to_the_program_sheet_direction(policy_sheet):
    evaluation = ProgramPolicyEvaluation.objects.get(sheet=policy_sheet, program__code="健福-17")
    assert evaluation.program_evaluation is None
    maintain = ChoiceOption.objects.get(
        choice_set__key=DIRECTION, choice_set__organization__isnull=True, code="maintain"
    )
    ProgramSheet.objects.filter(sheet__program__code="健福-17", sheet__evaluation_fy=2025).update(
        direction=maintain
    )
    assert _row(_ctx(policy_sheet), "健福-17").program_evaluation == "現状維持"


def test_section5_rates_polarity_and_status_tokens(policy_sheet):
    ind1, _ind2, ind3, ind4 = _ctx(policy_sheet).indicators
    assert ind3.rate_texts[0] == "103.4%"  # 18.5 / 17.9, lower is better
    assert ind3.actuals[4].text == "未定"
    assert ind3.rate_texts[4] == "―"
    assert ind3.indicator.remark == "例年10月前後ぐらいに公表されるため"
    assert ind1.actuals[0].text == "未実施"
    assert ind1.actuals[0].number is None
    assert ind1.rate_texts[:5] == ["―", "102.2%", "98.7%", "95.8%", "97.0%"]
    assert ind1.rate_texts[5] == ""
    assert (ind1.baseline.text, ind1.indicator.baseline_label) == ("52.8", "令和２年１月")
    assert ind4.rate_texts[4] == "109.3%"
    assert ind4.actuals[4].text == "2,186"


def test_header_and_evaluators(policy_sheet):
    ctx = _ctx(policy_sheet)
    assert ctx.title == "令和７年（2025年）度行政評価シート"
    assert ctx.sheet_date_label == "令和7年6月4日"
    assert ctx.policy_label == "4-(1)-①　多様性のある福祉サービスの充実"
    assert [d for d, _ in ctx.evaluators] == ["共生共創部", "こどもみらい部", "健康福祉部"]
    assert len(ctx.items) == 8


def test_section1_is_carried_over_from_last_years_section9(policy_sheet):
    health = policy_sheet.signatories.get(org_unit__name="健康福祉部").org_unit
    last_year = EvaluationSheet.objects.create(
        organization=policy_sheet.organization,
        form_type=FormType.KAMAKURA_POLICY,
        evaluation_fy=2024,
        policy_node=policy_sheet.policy_node,
    )
    NarrativeBlock.objects.create(sheet=last_year, section_key="002.9", org_unit=health, text="昨年度の目標")
    NarrativeBlock.objects.filter(sheet=policy_sheet, section_key="002.1", org_unit=health).delete()
    entry = next(e for e in _ctx(policy_sheet).section_1.entries if e.department == health)
    assert (entry.text, entry.carried_over) == ("昨年度の目標", True)


def test_demo_load_is_idempotent(policy_sheet):
    counts = (
        ProgramPolicyEvaluation.objects.count(),
        ProgramPolicyLink.objects.count(),
        CostRecord.objects.count(),
    )
    kamakura_policy_demo_load()
    assert (
        ProgramPolicyEvaluation.objects.count(),
        ProgramPolicyLink.objects.count(),
        CostRecord.objects.count(),
    ) == counts
    assert (
        ProgramYear.objects.filter(personnel_override_reason="施策評価シート（公表値）の人件費").count() == 34
    )


def test_pdf_text(policy_sheet, tmp_path):
    exported = sheet_export(policy_sheet, "pdf")
    assert exported.filename == "2025_4-(1)-①_多様性のある福祉サービスの充実.pdf"
    path = tmp_path / "policy.pdf"
    path.write_bytes(exported.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    for expected in (
        "令和７年（2025年）度行政評価シート",
        "9,133,184",
        "587,494",
        "9,720,678",
        "7,085,638",
        "21,153",
        "103.4%",
        "未定",
        "未実施",
        "投入コスト",
        "施策の方針にひもづく事務事業とその評価結果",
    ):
        assert expected in text, expected
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert "841.89 x 595.276" in info  # A4 landscape


def test_detail_page_shows_the_sheet(client, login_as, policy_sheet):
    login_as("auditor")
    response = client.get(reverse("sheets:detail", args=[policy_sheet.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "9,720,678" in body
    assert "ひきこもり対策推進事業" in body
    listing = client.get(reverse("sheets:list") + "?year=2025").content.decode()
    assert reverse("sheets:detail", args=[policy_sheet.pk]) in listing


def _policy_with_programs(policy_sheet, count) -> EvaluationSheet:
    """A fresh policy node of the demo plan with ``count`` linked programs, each with costs and rows."""
    base = policy_sheet.policy_node
    node = PolicyNode.objects.create(
        plan=base.plan, parent=base.parent, level=base.level, code=f"9-(9)-{count}", name="テスト施策"
    )
    sheet = EvaluationSheet.objects.create(
        organization=policy_sheet.organization,
        form_type=FormType.KAMAKURA_POLICY,
        evaluation_fy=2025,
        policy_node=node,
    )
    expand = ChoiceOption.objects.get(
        choice_set__key=DIRECTION, choice_set__organization__isnull=True, code="expand"
    )
    for i in range(count):
        program = Program.objects.create(
            organization=policy_sheet.organization, code=f"試験-{count}-{i}", name=f"試験事業{i}"
        )
        ProgramPolicyLink.objects.create(program=program, policy_node=node, fiscal_year=2024)
        CostRecord.objects.create(program=program, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=10)
        ProgramYear.objects.create(
            program=program, fiscal_year=2024, personnel_cost_override=5, personnel_override_reason="試験"
        )
        ProgramPolicyEvaluation.objects.create(sheet=sheet, program=program, order=i, final_evaluation=expand)
    return sheet


def test_detail_page_query_count_is_constant(client, login_as, policy_sheet):
    login_as("auditor")
    counts = {}
    for rows in (2, 40):
        sheet = _policy_with_programs(policy_sheet, rows)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("sheets:detail", args=[sheet.pk]))
        assert response.status_code == 200
        assert response.content.decode().count("試験事業") == rows
        counts[rows] = len(queries)
    assert counts[40] == counts[2], counts


@pytest.mark.parametrize("rows", [2, 40])
def test_detail_page_query_budget(client, login_as, policy_sheet, django_assert_max_num_queries, rows):
    sheet = _policy_with_programs(policy_sheet, rows)
    login_as("auditor")
    with django_assert_max_num_queries(22):
        response = client.get(reverse("sheets:detail", args=[sheet.pk]))
    assert response.status_code == 200


def test_workbook_numbers_and_sum_formulas(policy_sheet):
    from io import BytesIO

    from openpyxl import load_workbook

    exported = sheet_export(policy_sheet, "xlsx")
    assert exported.filename == "2025_4-(1)-①_多様性のある福祉サービスの充実.xlsx"
    ws = load_workbook(BytesIO(exported.content)).active
    rows = {
        row[0].value: row
        for row in ws.iter_rows()
        if row[0].value in ("事業費", "人件費", "総事業費", "合計")
    }
    project, personnel, total = rows["事業費"], rows["人件費"], rows["総事業費"]
    assert [c.value for c in project[1:6]] == [7085638, 7380435, 8070799, 8635131, 9133184]
    assert personnel[5].value == 587494
    assert total[5].value == f"=SUM(F{project[0].row}:F{personnel[0].row})"
    code_cells = {row[1].value: row for row in ws.iter_rows() if isinstance(row[1].value, str)}
    kenpuku17 = code_cells["健福-17"]
    assert [c.value for c in kenpuku17[4:7]] == [1356, 19797, 21153]
    first = code_cells["共生-17"][0].row
    last = code_cells["健福-54"][0].row
    assert rows["合計"][4].value == f"=SUM(E{first}:E{last})"
    statuses = [c.value for row in ws.iter_rows() for c in row if c.value in ("未実施", "未定")]
    assert statuses.count("未実施") == 2 and statuses.count("未定") == 1


def test_a_program_cost_change_reaches_the_pdf_and_the_workbook(policy_sheet, tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    sub = Program.objects.filter(parent__code="健福-17", kind=ProgramKind.SUB_PROGRAM).first()
    record = CostRecord.objects.get(program=sub, fiscal_year=2024, basis=CostBasis.SETTLEMENT)
    record.amount += 100
    record.save()
    path = tmp_path / "policy.pdf"
    path.write_bytes(sheet_export(policy_sheet, "pdf").content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout
    assert "9,133,284" in text and "9,720,778" in text and "9,133,184" not in text
    ws = load_workbook(BytesIO(sheet_export(policy_sheet, "xlsx").content)).active
    project = next(row for row in ws.iter_rows() if row[0].value == "事業費")
    assert project[5].value == 9133284


def test_export_sheets_writes_the_policy_sheet(policy_sheet, tmp_path):
    from django.core.management import call_command

    call_command("export_sheets", "--year", "2025", "--format", "pdf", "--out", str(tmp_path))
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.pdf"))
    assert "142042_鎌倉市/2025_4-(1)-①_多様性のある福祉サービスの充実.pdf" in files
    assert len(files) == 4


def test_admin_shows_the_program_evaluations(client, login_as, policy_sheet):
    login_as("admin")
    response = client.get(reverse("admin:sheets_evaluationsheet_change", args=[policy_sheet.pk]))
    assert response.status_code == 200
    assert "施策の方針にひもづく事業の評価" in response.content.decode()
