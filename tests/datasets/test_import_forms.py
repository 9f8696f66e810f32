"""Importing the per-sheet workbooks of the 検証票, the 施策の方針 and the 施策マネジメントシート.

Each test exports a demo sheet exactly as a user downloads it (``sheet_export(sheet, "xlsx")``),
changes cells with openpyxl as Excel would, and imports it: the dry run reports exactly the changed
cells, the confirmation writes exactly them (the sheet's context and PDF print them), a rolled-up
money cell is refused with its reason, a moved row refuses the file, and a sheet that may no longer
be edited refuses every change.
"""

import io
import subprocess
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from datasets.choices import Action, ImportLayout, ImportStatus
from datasets.models import ImportJob
from datasets.services import import_apply, import_preview
from indicators.choices import CostBasis, ValueStatus, ValueType
from indicators.models import BudgetProject, CostRecord, Indicator, IndicatorValue
from sheets.choices import FormType, SheetStatus
from sheets.exports import sheet_context, sheet_export
from sheets.models import EvaluationSheet

from .conftest import diff, save_bytes, table_snapshot

ROLLED_UP = "事業から集計される値のため取り込めません"


# ---- helpers ------------------------------------------------------------------------------------


def _workbook(sheet, open_xlsx):
    wb = open_xlsx(sheet_export(sheet, "xlsx").content)
    return wb, wb.worksheets[0]


def _named_rows(ws, name: str) -> tuple[int, int]:
    from openpyxl.utils import range_boundaries

    _c1, r1, _c2, r2 = range_boundaries(ws.defined_names[name].attr_text.split("!")[1].replace("$", ""))
    return r1, r2


def _row_of(ws, text: str, col: str = "A") -> int:
    rows = [c.row for c in ws[col] if isinstance(c.value, str) and c.value.startswith(text)]
    assert len(rows) == 1, (text, rows)
    return rows[0]


def _preview(content: bytes, user):
    return import_preview(io.BytesIO(content), name="sheet.xlsx", user=user)


def _apply(content: bytes, user):
    return import_apply(io.BytesIO(content), name="sheet.xlsx", user=user)


def _changes(report) -> list[tuple]:
    return sorted((e.row, e.column, e.action, e.old, e.new) for e in report.changes)


def _rejected(report) -> list[str]:
    return [e.text for e in report.rejected] + report.file_errors


def _pdf_text(sheet, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(sheet_export(sheet, "pdf").content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def _value(indicator, fy, value_type) -> IndicatorValue:
    return IndicatorValue.objects.get(indicator=indicator, fiscal_year=fy, value_type=value_type)


@pytest.fixture
def policy_sheet(demo):
    """鎌倉市 行政評価シート（施策の方針） 4-(1)-① of 令和7年度."""
    from sheets.demo_policy import kamakura_policy_demo_load

    return kamakura_policy_demo_load()


@pytest.fixture
def newsletter(okinawa_sheets):
    """The 検証票 of 「ひきこもり専門支援センター通信」の発行件数（累計） (one activity indicator)."""
    return okinawa_sheets[0]


# ---- 「主な取組」検証票 -----------------------------------------------------------------------------


def test_initiative_round_trip_changes_exactly_the_two_edited_cells(
    newsletter, open_xlsx, cli_user, tmp_path
):
    wb, ws = _workbook(newsletter, open_xlsx)
    plan_row, _ = _named_rows(ws, "plan_values")
    results_row, _ = _named_rows(ws, "results")
    assert (ws[f"C{plan_row}"].value, ws[f"C{results_row}"].value) == ("1件（2件）", 1)
    ws[f"C{plan_row}"] = "２件（2件）"  # R5 単年 1 → 2; the （累計） is computed, not read
    ws[f"C{results_row}"] = "未実施"  # R2 実績値 1 → 未実施
    content = save_bytes(wb)
    version, before = newsletter.version, table_snapshot()

    report = _preview(content, cli_user)

    assert report.ok, report.lines()
    assert report.layout == ImportLayout.INITIATIVE_SHEET
    assert _changes(report) == [
        (plan_row, "C", Action.CHANGED, "1", "2"),
        (results_row, "C", Action.CHANGED, "1", "未実施"),
    ]
    assert f"主な取組シート {plan_row}行目 C列（2023年度 計画値（単年））: 変更 1 → 2" in report.lines()
    assert table_snapshot() == before

    assert _apply(content, cli_user).ok
    indicator = sheet_context(newsletter).activity_indicator
    changed = diff(before, table_snapshot())
    assert changed == {
        "values": {
            (indicator.pk, 2023, ValueType.PLAN_SINGLE): (
                (Decimal(1), ValueStatus.OK, False, ""),
                (Decimal(2), ValueStatus.OK, False, ""),
            ),
            (indicator.pk, 2020, ValueType.ACTUAL): (
                (Decimal(1), ValueStatus.OK, False, ""),
                (None, ValueStatus.NOT_CONDUCTED, False, ""),
            ),
        }
    }
    assert (
        _value(indicator, 2023, ValueType.PLAN_SINGLE).raw_text == "２件"
    )  # as typed, without the computed total
    ctx = sheet_context(newsletter)
    assert ctx.plan_rows[0].cells[1].text == "2件（3件）"  # the cumulative follows
    assert ctx.plan_rows[0].cells[2].text == "1件（4件）"
    assert ctx.result_rows[0].earlier[0].text == "未実施"  # a status, never 0
    newsletter.refresh_from_db()
    assert newsletter.version == version + 1
    text = _pdf_text(newsletter, tmp_path)
    assert "2件（3件）" in text and "1件（4件）" in text and "未実施" in text


def test_initiative_component_lines_and_budget_figures(okinawa_sheets, open_xlsx, cli_user):
    sheet = okinawa_sheets[1]  # 協議会 and 研修会
    wb, ws = _workbook(sheet, open_xlsx)
    plan_row, _ = _named_rows(ws, "plan_values")
    budget_row, _ = _named_rows(ws, "budget")
    assert ws[f"D{plan_row}"].value == "協議会：4回（12回）\n研修会：1回（3回）"
    ws[f"D{plan_row}"] = "協議会：5回（12回）\n研修会：1回（3回）"
    assert ws[f"F{budget_row + 2}"].value == 14310  # R5 当初予算額 of ひきこもり支援推進事業
    ws[f"F{budget_row + 2}"] = "15,000"
    content = save_bytes(wb)

    report = _apply(content, cli_user)

    assert report.ok, report.lines()
    assert [(e.row, e.column, e.field, e.old, e.new) for e in report.changes] == [
        (plan_row, "D", "協議会 2024年度 計画値（単年）", "4", "5"),
        (budget_row + 2, "F", "ひきこもり支援推進事業 R5年度 当初予算額", "14310", "15000"),
    ]
    project = BudgetProject.objects.get(name="ひきこもり支援推進事業")
    record = CostRecord.objects.get(budget_project=project, fiscal_year=2023, basis=CostBasis.INITIAL_BUDGET)
    assert record.amount == 15000
    # shared by every initiative it funds: the other 検証票 print the new figure too
    assert sheet_context(okinawa_sheets[2]).budget_rows[0].cells[2].amount == 15000
    ctx = sheet_context(sheet)
    assert ctx.plan_cells_by_year[2] == ["協議会：5回（13回）", "研修会：1回（3回）"]


def test_initiative_cumulative_actual_is_turned_back_into_the_single_year(
    okinawa_sheets, open_xlsx, cli_user
):
    """(A) of a plan-period indicator prints the running total; a changed total stores S's own value."""
    sheet = okinawa_sheets[2]  # 相談対応件数（累計）: 1,862 / 1,897 / 2,386
    EvaluationSheet.objects.filter(form_type=FormType.OKINAWA_INITIATIVE, evaluation_fy=2022).update(
        status=SheetStatus.DRAFT
    )
    indicator = sheet_context(sheet).activity_indicator
    Indicator.objects.filter(pk=indicator.pk).update(cumulative_start_fy=2020)
    wb, ws = _workbook(sheet, open_xlsx)
    row, _ = _named_rows(ws, "results")
    assert ws[f"E{row}"].value == 1862 + 1897 + 2386
    ws[f"E{row}"] = 6200

    report = _apply(save_bytes(wb), cli_user)

    assert report.ok, report.lines()
    assert [(e.column, e.old, e.new) for e in report.changes] == [("E", "2386", "2441")]
    assert "累計 6200 から求めた単年の値" in report.changes[0].field
    assert _value(indicator, 2022, ValueType.ACTUAL).value == 2441
    assert sheet_context(sheet).result_rows[0].actual.number == 6200


def test_initiative_computed_target_is_refused_and_a_moved_row_refuses_the_file(
    newsletter, open_xlsx, cli_user
):
    wb, ws = _workbook(newsletter, open_xlsx)
    row, _ = _named_rows(ws, "results")
    ws[f"F{row}"] = 5  # 目標値(B) is the cumulative plan
    report = _preview(save_bytes(wb), cli_user)
    assert _rejected(report) == [
        f"主な取組シート {row}行目 F列（目標値(B)）: 年度別計画値の累計から計算される値のため取り込めません"
        "（計画値は「年度別計画値」に入力してください）"
    ]

    wb, ws = _workbook(newsletter, open_xlsx)
    ws.insert_rows(14)  # rows shift; the defined names do not
    before = table_snapshot()
    report = _apply(save_bytes(wb), cli_user)
    assert report.file_errors == [
        "「主な取組」検証票の Excel の構成が、現在の評価シートと一致しません"
        "（出力後に行や指標が変わった可能性があります）。"
        "もう一度 Excel を出力し、値を入力し直してから取り込んでください。"
    ]
    assert table_snapshot() == before


def test_initiative_submitted_sheet_and_missing_rights_are_refused(
    newsletter, okinawa_sheets, open_xlsx, cli_user
):
    wb, ws = _workbook(newsletter, open_xlsx)
    plan_row, _ = _named_rows(ws, "plan_values")
    ws[f"D{plan_row}"] = "3件"
    content = save_bytes(wb)
    staff = get_user_model().objects.get(username="staff")  # 鎌倉市の担当者
    code = newsletter.program.code or newsletter.program.name  # the initiatives have no code
    assert _rejected(_preview(content, staff)) == [
        f"主な取組シート {plan_row}行目 D列（2024年度 計画値（単年））: "
        f"この事業（{code}）を変更する権限がありません"
    ]
    EvaluationSheet.objects.filter(pk=newsletter.pk).update(status=SheetStatus.SUBMITTED)
    before = table_snapshot()
    report = _apply(content, cli_user)
    assert [e.message for e in report.rejected] == [
        f"令和5年度の評価シート（{code}）は提出済のため変更できません"
    ]
    assert table_snapshot() == before


def test_initiative_years_shown_on_an_approved_sheet_follow_the_edit_page(newsletter, open_xlsx, cli_user):
    """Last year's 検証票 (令和4年度) is approved, but only this sheet governs its own workbook (as on
    its edit page): the 令和4年度 決算見込額 it prints is imported. Locking the year is what freezes it."""
    wb, ws = _workbook(newsletter, open_xlsx)
    budget_row, _ = _named_rows(ws, "budget")
    ws[f"C{budget_row + 2}"] = 13000  # R4 決算見込額
    report = _preview(save_bytes(wb), cli_user)
    assert report.ok, report.lines()
    assert [e.new for e in report.entries if e.action == Action.CHANGED] == ["13000"]


# ---- 行政評価シート（施策の方針） -------------------------------------------------------------------


def test_policy_round_trip_changes_exactly_the_two_edited_cells(policy_sheet, open_xlsx, cli_user, tmp_path):
    wb, ws = _workbook(policy_sheet, open_xlsx)
    title = _row_of(ws, "成果指標1")
    target_row, actual_row = title + 3, title + 4
    assert (ws[f"G{target_row}"].value, ws[f"F{actual_row}"].value) == (70, 65.6)
    ws[f"G{target_row}"] = "72.5%"  # 令和7年度 目標値, with the unit typed
    ws[f"F{actual_row}"] = "未実施"  # 令和6年度 実績値
    content = save_bytes(wb)
    version, before = policy_sheet.version, table_snapshot()

    report = _preview(content, cli_user)

    assert report.ok, report.lines()
    assert report.layout == ImportLayout.POLICY_SHEET
    assert _changes(report) == [
        (target_row, "G", Action.CHANGED, "70", "72.5"),
        (actual_row, "F", Action.CHANGED, "65.6", "未実施"),
    ]
    assert (
        f"施策の方針シート {actual_row}行目 F列（成果指標1 2024年度 実績値）: 変更 65.6 → 未実施"
        in report.lines()
    )
    assert table_snapshot() == before

    assert _apply(content, cli_user).ok
    ctx = sheet_context(policy_sheet)
    indicator = ctx.indicators[0].indicator
    assert set(diff(before, table_snapshot())["values"]) == {
        (indicator.pk, 2025, ValueType.TARGET),
        (indicator.pk, 2024, ValueType.ACTUAL),
    }
    assert _value(indicator, 2024, ValueType.ACTUAL).status == ValueStatus.NOT_CONDUCTED
    assert ctx.indicators[0].targets[5].text == "72.5"
    assert (ctx.indicators[0].actuals[4].text, ctx.indicators[0].rate_texts[4]) == ("未実施", "―")
    policy_sheet.refresh_from_db()
    assert policy_sheet.version == version + 1
    text = _pdf_text(policy_sheet, tmp_path)
    assert "72.5" in text and "65.6" not in text


def test_policy_rolled_up_money_is_refused(policy_sheet, open_xlsx, cli_user):
    wb, ws = _workbook(policy_sheet, open_xlsx)
    program_row = _row_of(ws, "健福-17", col="B")
    cost_row = _row_of(ws, "事業費")
    total_row = _row_of(ws, "総事業費")
    ws[f"E{program_row}"] = 2000  # 健福-17 事業費 1,356
    ws[f"B{cost_row}"] = 7085638  # unchanged figure typed again: fine
    ws[f"G{total_row}"] = 76_000  # the SUM formula replaced by another figure
    ws[f"B{total_row}"] = 7085638 + 546981  # its value pasted over it: unchanged
    before = table_snapshot()
    report = _apply(save_bytes(wb), cli_user)
    assert _rejected(report) == [
        f"施策の方針シート {total_row}行目 G列（令和７年度 総事業費）: {ROLLED_UP}",
        f"施策の方針シート {program_row}行目 E列（健福-17 事業費（千円））: {ROLLED_UP}",
    ]
    assert table_snapshot() == before


def test_policy_moved_row_refuses_the_file(policy_sheet, open_xlsx, cli_user):
    wb, ws = _workbook(policy_sheet, open_xlsx)
    ws.insert_rows(_row_of(ws, "成果指標2") + 3)  # a row between 目標値 and 実績値
    assert "行政評価シート（施策の方針）の Excel の構成が" in _rejected(_preview(save_bytes(wb), cli_user))[0]


def test_policy_locked_or_submitted_sheet_is_refused(policy_sheet, open_xlsx, cli_user):
    wb, ws = _workbook(policy_sheet, open_xlsx)
    target_row = _row_of(ws, "成果指標4") + 3
    ws[f"G{target_row}"] = 2100
    content = save_bytes(wb)
    code = policy_sheet.policy_node.code
    EvaluationSheet.objects.filter(pk=policy_sheet.pk).update(status=SheetStatus.SUBMITTED)
    assert [e.message for e in _preview(content, cli_user).rejected] == [
        f"令和7年度の評価シート（{code}）は提出済のため変更できません"
    ]
    EvaluationSheet.objects.filter(pk=policy_sheet.pk).update(
        status=SheetStatus.APPROVED, locked_at=timezone.now()
    )
    before = table_snapshot()
    report = _apply(content, cli_user)
    assert [e.message for e in report.rejected] == [
        f"令和7年度の評価シート（{code}）は確定済みのため変更できません"
    ]
    assert table_snapshot() == before


# ---- 施策マネジメントシート -----------------------------------------------------------------------


def test_policy_management_round_trip_changes_exactly_the_two_edited_cells(
    kunitachi_sheet, open_xlsx, cli_user, tmp_path
):
    wb, ws = _workbook(kunitachi_sheet, open_xlsx)
    first, _ = _named_rows(ws, "indicator_grid")
    direction_1 = _row_of(ws, "展開方向1")
    assert ws[f"B{first}"].value.endswith("人口（各年４月１日現在）")
    assert (ws[f"H{direction_1 + 1}"].value, ws[f"E{direction_1 + 2}"].value) == (66.1, None)
    ws[f"H{direction_1 + 1}"] = "６７．５"  # 展開方向1 ア 実績値 R5, full-width
    ws[f"E{direction_1 + 2}"] = "未実施"  # 成り行き値 R2, blank until now
    content = save_bytes(wb)
    version, before = kunitachi_sheet.version, table_snapshot()

    report = _preview(content, cli_user)

    assert report.ok, report.lines()
    assert report.layout == ImportLayout.POLICY_MANAGEMENT_SHEET
    assert _changes(report) == [
        (direction_1 + 1, "H", Action.CHANGED, "66.1", "67.5"),
        (direction_1 + 2, "E", Action.CREATED, "", "未実施"),
    ]
    assert (
        f"施策マネジメントシート {direction_1 + 1}行目 H列（展開方向1 ア 2023年度 実績値）: 変更 66.1 → 67.5"
        in report.lines()
    )
    assert table_snapshot() == before

    assert _apply(content, cli_user).ok
    ctx = sheet_context(kunitachi_sheet)
    row = ctx.directions[0].outcomes[0]
    assert set(diff(before, table_snapshot())["values"]) == {
        (row.indicator.pk, 2023, ValueType.ACTUAL),
        (row.indicator.pk, 2020, ValueType.TREND),
    }
    assert (row.actuals[3].text, row.trends[0].text) == ("67.5", "未実施")
    kunitachi_sheet.refresh_from_db()
    assert kunitachi_sheet.version == version + 1
    text = _pdf_text(kunitachi_sheet, tmp_path)
    assert "67.5" in text and "66.1" not in text and "未実施" in text


def test_policy_management_costs_are_refused_and_foreign_cells_too(kunitachi_sheet, open_xlsx, cli_user):
    wb, ws = _workbook(kunitachi_sheet, open_xlsx)
    funding, _ = _named_rows(ws, "funding")
    project, _ = _named_rows(ws, "project_cost")
    count, _ = _named_rows(ws, "program_count")
    first, _ = _named_rows(ws, "indicator_grid")
    ws[f"H{funding}"] = 40000  # 国庫支出金 R5 31,371
    ws[f"H{project}"] = 368045  # =SUM(…) pasted as its value: unchanged
    ws[f"H{count}"] = 25  # 事務事業数 24
    ws[f"I{first}"] = 76000  # 対象指標ア 実績値 of R6 (after S: 見込み値 only)
    ws[f"E{first + 6}"] = 3  # 対象指標エ: no indicator
    report = _preview(save_bytes(wb), cli_user)
    assert _rejected(report) == [
        f"施策マネジメントシート {first}行目 I列（対象指標 ア 2024年度 実績値）: "
        "2023年度より後の年度は見込み値の行に入力してください",
        f"施策マネジメントシート {first + 6}行目 E列（対象指標 エ 2020年度 実績値）: "
        "指標が設定されていない行です（指標は画面で設定してください）",
        f"施策マネジメントシート {funding}行目 H列（国庫支出金 2023年度）: {ROLLED_UP}",
        f"施策マネジメントシート {count}行目 H列（事務事業数 2023年度）: {ROLLED_UP}",
    ]


def test_policy_management_moved_row_and_locked_sheet_are_refused(kunitachi_sheet, open_xlsx, cli_user):
    wb, ws = _workbook(kunitachi_sheet, open_xlsx)
    first, _ = _named_rows(ws, "indicator_grid")
    ws.insert_rows(first + 3)
    assert "施策マネジメントシートの Excel の構成が" in _rejected(_preview(save_bytes(wb), cli_user))[0]

    wb, ws = _workbook(kunitachi_sheet, open_xlsx)
    direction_2 = _row_of(ws, "展開方向2")
    ws[f"L{direction_2}"] = 50  # 展開方向2 ア 目標値 R9
    content = save_bytes(wb)
    EvaluationSheet.objects.filter(pk=kunitachi_sheet.pk).update(
        status=SheetStatus.APPROVED, locked_at=timezone.now()
    )
    before = table_snapshot()
    report = _apply(content, cli_user)
    code = kunitachi_sheet.policy_node.code
    assert [e.message for e in report.rejected] == [
        f"令和6年度の評価シート（{code}）は確定済みのため変更できません"
    ]
    assert table_snapshot() == before


# ---- the command and the page ---------------------------------------------------------------------


def test_import_workbook_command_reads_a_form_workbook(kunitachi_sheet, open_xlsx, tmp_path):
    wb, ws = _workbook(kunitachi_sheet, open_xlsx)
    funding, _ = _named_rows(ws, "funding")
    ws[f"H{funding}"] = 1
    path = tmp_path / "kunitachi.xlsx"
    path.write_bytes(save_bytes(wb))
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--dry-run", stdout=out)
    assert f"施策マネジメントシート {funding}行目 H列（国庫支出金 2023年度）: {ROLLED_UP}" in out.getvalue()


def test_import_page_accepts_a_form_workbook(policy_sheet, client, login_as, open_xlsx):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login_as("admin")
    wb, ws = _workbook(policy_sheet, open_xlsx)
    target_row = _row_of(ws, "成果指標3") + 3
    ws[f"G{target_row}"] = 20
    upload = SimpleUploadedFile("施策の方針.xlsx", save_bytes(wb))
    response = client.post(reverse("datasets:import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.url == reverse("datasets:import_detail", args=[job.pk])
    assert (job.layout, job.status) == (ImportLayout.POLICY_SHEET, ImportStatus.PREVIEWED)
    assert "行政評価シート（施策の方針）" in client.get(response.url).content.decode()
    client.post(reverse("datasets:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    indicator = sheet_context(policy_sheet).indicators[2].indicator
    assert _value(indicator, 2025, ValueType.TARGET).value == 20
