"""The 施策マネジメントシート (Kunitachi, form 004) as an Excel workbook: numbers, formulas, printing.

Every workbook is built the way a user gets it (``sheet_export(sheet, "xlsx")``) and read back from
its bytes. openpyxl writes formulas without cached values, so the tests check each formula's text and
evaluate it here, from the workbook's own cells, against the FY2023 figures of the published sheet.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from io import BytesIO

import openpyxl
import pytest
from django.db import transaction

from indicators.choices import FundingSource
from indicators.models import FundingLine
from sheets.choices import KNI_GOAL_GRADE, FormType
from sheets.demo import global_option
from sheets.demo_kunitachi import kunitachi_demo_load
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet, PolicyManagementSheet
from sheets.selectors import policy_management_context
from sheets.workbooks_policy_management import DEFINED_NAMES, LAYOUT, policy_management_workbook
from tests.sheets.test_workbooks import named_cell, named_range, row_labelled

pytestmark = pytest.mark.django_db

TITLE = "施策マネジメントシート"
YEARS = ["R2年度", "R3年度", "R4年度", "R5年度", "R6年度", "R7年度", "R8年度", "R9年度"]


def _sheet() -> EvaluationSheet:
    kunitachi_demo_load()
    return EvaluationSheet.objects.get(form_type=FormType.KUNITACHI_POLICY, evaluation_fy=2024)


@pytest.fixture(scope="module")
def demo_export(django_db_setup, django_db_blocker):
    """基本施策 12 exported once for the read-only tests; the demo data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        sheet = _sheet()
        exported = sheet_export(sheet, "xlsx")
        ctx = policy_management_context(sheet_id=sheet.pk)
        transaction.set_rollback(True)
    return sheet.pk, exported, ctx


def _worksheet(content: bytes):
    return openpyxl.load_workbook(BytesIO(content))[TITLE]


@pytest.fixture
def wb(demo_export):
    return openpyxl.load_workbook(BytesIO(demo_export[1].content))


@pytest.fixture
def ws(wb):
    return wb[TITLE]


# -- reading the workbook back -------------------------------------------------------------------


def year_columns(ws) -> dict[str, str]:
    """R2年度 … R9年度 → the column letter of the §3 grid."""
    header = row_labelled(ws, "区分")
    return {
        ws.cell(row=header, column=c).value: ws.cell(row=header, column=c).column_letter for c in range(5, 13)
    }


def grid_row(ws, label: str, value_type: str) -> int:
    """The §3 row of the indicator labelled ``label`` (merged over its rows) with that 数値区分."""
    first = row_labelled(ws, label, column="B", start=row_labelled(ws, "区分"))
    for row in range(first, first + 3):
        if ws[f"D{row}"].value == value_type:
            return row
    raise AssertionError(f"no {value_type} row under {label!r}")


_SUM = re.compile(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)")
_PLUS = re.compile(r"=([A-Z]+\d+)\+([A-Z]+\d+)")


def evaluate(ws, coordinate: str):
    """The value Excel would show, for the two formula shapes the sheet uses (SUM, A+B); blank = 0."""
    value = ws[coordinate].value
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    if m := _SUM.fullmatch(value):
        cells = [c for row in ws[f"{m[1]}{m[2]}:{m[3]}{m[4]}"] for c in row]
        return sum(evaluate(ws, c.coordinate) or 0 for c in cells)
    if m := _PLUS.fullmatch(value):
        return (evaluate(ws, m[1]) or 0) + (evaluate(ws, m[2]) or 0)
    raise AssertionError(f"unexpected formula in {coordinate}: {value}")


def cost_rows(ws) -> dict[str, int]:
    _, first, _, last = named_range(ws, "funding")
    rows = {ws[f"B{r}"].value: r for r in range(first, last + 1)}
    for key in ("project_cost", "work_hours", "personnel_cost", "total_cost", "program_count"):
        rows[key] = named_range(ws, key)[1]
    return rows


# -- the file ------------------------------------------------------------------------------------


def test_export_is_one_worksheet_with_layout_properties_and_names(demo_export, wb, ws):
    sheet_id, exported, _ctx = demo_export
    assert exported.filename == "2024_12_支え合いの地域づくりと自立支援.xlsx"
    assert exported.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert wb.sheetnames == [TITLE]
    assert ws["A1"].value == TITLE and "A1:O1" in {str(r) for r in ws.merged_cells.ranges}
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props == {"layout": LAYOUT, "sheet_id": sheet_id, "evaluation_fy": 2024}
    assert LAYOUT == "kni_policy/1"
    assert set(ws.defined_names) == set(DEFINED_NAMES)


def test_header_fields(ws):
    assert [ws[c].value for c in ("A2", "A3", "A4", "I2", "I3")] == [
        "政策名",
        "基本施策名",
        "主な関係課",
        "施策統括課",
        "氏名",
    ]
    assert named_cell(ws, "policy_name").value == "保健・福祉"
    assert named_cell(ws, "basic_policy").value == "支え合いの地域づくりと自立支援"
    assert named_cell(ws, "lead_unit").value == "福祉総務課"
    assert named_cell(ws, "lead_person").value == "国立 一郎"
    assert named_cell(ws, "related_units").value == "生活福祉担当"


def test_section_headings_and_items_in_printed_order(ws):
    headings = [c.value for c in ws["A"] if c.style == "he_heading"]
    assert headings == [
        "１　施策の目的と指標",
        "２　第２次基本計画期間（令和２～令和９年度）内における取組内容",
        "３　総事業費・指標等の実績推移と目標値、実績状況把握",
        "４　施策の成果指標実績値に対する評価",
        "５　施策の現状　※必要に応じて展開方向ごとに記載",
        "６　5年度の評価結果　※必要に応じて展開方向ごとに記載",
        "７　施策の課題・今後の方向性　※必要に応じて展開方向ごとに記載",
    ]
    labels = [str(c.value) for c in ws["A"] if c.style == "he_label" and c.value]
    expected = [
        "① 対象",
        "② 施策の目的",
        "③ 対象指標",
        "④ 成果指標",
        "（1）施策全体の成果実績目標達成度　A（高度に達成）～E（ほぼ未達成）",
        "（2）時系列比較（過去3ヶ年の比較）　A（かなり向上）～E（かなり低下）",
        "（3）上記（1）（2）の理由・背景",
        "(1) 施策を取り巻く状況",
        "(2) この施策に対して関係者",
        "(3) この施策に関して他自治体",
        "(4) 施策の具体的な取組状況",
        "5年度の取組状況",
        "(1) 施策の全体総括",
        "〇成果実績",
        "〇改善余地のある事項・課題等",
        "(2) 施策の5年度における総合評価",
        "（1）7年度の取組方針",
        "（2）中期的な取組方針（概ね実施計画期間を想定）",
    ]
    found = [next(i for i, text in enumerate(labels) if text.startswith(prefix)) for prefix in expected]
    assert found == sorted(found)
    r = row_labelled(ws, "5年度の取組状況")
    assert ws[f"I{r}"].value == "6年度の取組予定"


def test_sections_1_and_2_print_the_policy_tree(ws):
    assert named_cell(ws, "target_items").value == (
        "・市民\n・地域コミュニティ（自治会等）\n・ボランティア団体\n・NPO（分野、領域を問わず）"
    )
    assert named_cell(ws, "purpose_text").value.startswith("ソーシャルインクルージョンの考え方を地域で共有し")
    _, first, _, last = named_range(ws, "object_indicators")
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value, ws[f"N{r}"].value) for r in range(first, last + 1)] == [
        ("ア", "人口（各年４月１日現在）", "人"),
        ("イ", "地域コミュニティ数（自治会等）", "団体"),
        ("ウ", "NPO・ボランティア団体数", "団体"),
        ("エ", None, None),
    ]
    _, first, _, last = named_range(ws, "outcome_indicators")
    assert last - first + 1 == 8  # 展開方向 1–4 × ア/イ, the unused ones blank
    assert (ws[f"A{first}"].value, ws[f"B{first}"].value) == (1, "支え合いの地域づくり")
    assert ws[f"D{first}"].value == "グループ活動や地域活動に参加していない市民の割合"
    assert ws[f"D{first + 3}"].value.startswith("生活に困窮している市民から相談を受け")
    assert ws[f"N{first}"].value == "%" and ws[f"D{first + 4}"].value is None
    _, first, _, last = named_range(ws, "directions")
    assert [ws[f"B{r}"].value for r in range(first, last + 1)] == [
        "支え合いの地域づくり",
        "福祉の総合的な相談と自立支援の推進",
        None,
        None,
    ]
    assert ws[f"C{first}"].value.startswith("支え合いの地域づくりを進めることで")
    means = ws[f"G{first}"].value.split("\n")
    assert len(means) == 6 and all(m.startswith("◆") for m in means)


# -- §3 the grid -----------------------------------------------------------------------------------


def test_year_columns_cover_the_plan_period(ws):
    assert list(year_columns(ws)) == YEARS


def test_cost_figures_are_numbers_in_thousands_and_blank_years_stay_empty(ws):
    years, rows = year_columns(ws), cost_rows(ws)
    r5 = years["R5年度"]
    expected = {
        "国庫支出金": 31371,
        "都道府県支出金": 20556,
        "地方債": None,
        "その他": None,
        "一般財源": 316118,
    }
    assert {label: ws[f"{r5}{rows[label]}"].value for label in expected} == expected
    national = ws[f"{r5}{rows['国庫支出金']}"]
    assert type(national.value) is int and national.number_format == "#,##0"
    assert ws[f"{r5}{rows['work_hours']}"].value == 67820
    assert ws[f"{r5}{rows['personnel_cost']}"].value == 229568
    assert ws[f"{r5}{rows['personnel_cost']}"].number_format == "#,##0"
    assert ws[f"A{rows['total_cost']}"].value == "トータルコスト（A）＋（B）"
    for label, col in years.items():
        if label == "R5年度":
            continue
        # Blank, never 0 — also in the (A) and (A)+(B) rows the published sheet filled with zeros.
        assert [ws[f"{col}{r}"].value for r in rows.values()] == [None] * len(rows), label


def test_project_cost_and_total_cost_are_formulas_over_the_right_cells(ws):
    r5, rows = year_columns(ws)["R5年度"], cost_rows(ws)
    _, first, _, last = named_range(ws, "funding")
    project = ws[f"{r5}{rows['project_cost']}"]
    assert ws[f"B{rows['project_cost']}"].value == "事業費計（A）"
    assert project.value == f"=SUM({r5}{first}:{r5}{last})"
    assert (first, last) == (rows["国庫支出金"], rows["一般財源"])
    assert evaluate(ws, project.coordinate) == 368045
    total = ws[f"{r5}{rows['total_cost']}"]
    assert total.value == f"={r5}{rows['project_cost']}+{r5}{rows['personnel_cost']}"
    assert evaluate(ws, total.coordinate) == 597613
    assert project.number_format == total.number_format == "#,##0"


def test_program_count_is_in_the_subject_year_column_only(ws):
    years, r = year_columns(ws), cost_rows(ws)["program_count"]
    assert ws[f"A{r}"].value == "事務事業数" and ws[f"C{r}"].value == "本数"
    assert {label: ws[f"{col}{r}"].value for label, col in years.items() if ws[f"{col}{r}"].value} == {
        "R5年度": 24
    }
    assert type(ws[f"{years['R5年度']}{r}"].value) is int


def test_indicator_values_are_numbers_and_status_tokens_are_text(ws):
    years = year_columns(ws)
    population = grid_row(ws, "ア　人口（各年４月１日現在）", "実績値")
    assert [ws[f"{years[y]}{population}"].value for y in YEARS[:4]] == [76423, 76278, 76182, None]
    assert type(ws[f"{years['R2年度']}{population}"].value) is int
    assert ws[f"D{population + 1}"].value == "見込み値"
    welfare = "イ　福祉活動に取り組んでいる市民の割合"
    actual = grid_row(ws, welfare, "実績値")
    assert [ws[f"{years[y]}{actual}"].value for y in YEARS[:5]] == [12.8, 14.8, "―", 12.1, None]
    assert ws[f"{years['R4年度']}{actual}"].data_type == "s"
    assert ws[f"{years['R5年度']}{actual}"].number_format == "#,##0.0"
    target = grid_row(ws, welfare, "目標値")
    assert ws[f"{years['R9年度']}{target}"].value == 18
    trend = grid_row(
        ws, "イ　生活に困窮している市民から相談を受け、就労支援によって、就職につながった割合", "成り行き値"
    )
    assert ws[f"{years['R6年度']}{trend}"].value == 55.75  # the number as entered; the format rounds
    first = grid_row(ws, "ア　グループ活動や地域活動に参加していない市民の割合", "目標値")
    assert ws[f"M{first}"].value == "出典：国立市市民意識調査"
    _, grid_first, _, grid_last = named_range(ws, "indicator_grid")
    attainment = [ws[f"N{r}"].value for r in range(grid_first, grid_last + 1) if ws[f"N{r}"].value]
    year_over_year = [ws[f"O{r}"].value for r in range(grid_first, grid_last + 1) if ws[f"O{r}"].value]
    assert attainment == ["未達成"] * 4 and year_over_year == ["向上"]


# -- §4, §6 grades --------------------------------------------------------------------------------


def test_grades_show_the_choice_beside_the_suggestion_from_the_data(ws):
    goal = named_cell(ws, "goal_grade")
    assert goal.value == "E（ほぼ未達成）"
    r = goal.row
    assert [ws[f"{c}{r}"].value for c in "IKM"] == ["提案（データから算出）", "E（ほぼ未達成）", 0]
    assert ws[f"M{r}"].number_format.endswith("0%")
    trend = named_cell(ws, "trend_grade")
    assert trend.value == "B（どちらかと言えば向上）"
    assert [ws[f"{c}{trend.row}"].value for c in "IKM"] == ["提案（データから算出）", "C（横ばい）", 0.5]
    assert named_cell(ws, "grade_background").value.startswith("市民意識調査においては")
    assert all(c.value != "提案と異なる理由" for c in ws["A"])  # one step apart: no reason needed
    overall = named_cell(ws, "overall_grade")
    assert overall.value == "C"
    marks = [ws[f"A{r}"].value for r in range(overall.row + 1, overall.row + 6)]
    assert marks == ["□A", "□B", "■C", "□D", "□E"]
    assert ws[f"C{overall.row + 3}"].value == "成果向上のため、一層の努力が求められる。"


def test_narratives_of_sections_5_to_7(ws, demo_export):
    ctx = demo_export[2]
    _, first, _, last = named_range(ws, "current_state")
    texts = [ws[f"A{r}"].value for r in range(first, last + 1)]
    assert ctx.section_5_1 in texts and ctx.section_5_4_current in texts
    assert ws[f"I{last}"].value == ctx.section_5_4_next
    assert named_cell(ws, "overall_results").value == ctx.section_6_1_results
    assert named_cell(ws, "overall_issues").value == ctx.section_6_1_issues
    assert named_cell(ws, "policy_after_next").value.startswith("・様々な支援団体等と連携することで")
    assert named_cell(ws, "policy_mid_term").value == ctx.section_7_2


def test_a_grade_far_from_the_suggestion_prints_its_reason(kunitachi_sheet):
    PolicyManagementSheet.objects.filter(sheet=kunitachi_sheet).update(
        goal_grade=global_option(KNI_GOAL_GRADE, "A"), goal_grade_reason="定性的な成果を加味した。"
    )
    ws = _worksheet(sheet_export(kunitachi_sheet, "xlsx").content)
    goal = named_cell(ws, "goal_grade")
    assert goal.value == "A（高度に達成）"
    assert ws[f"K{goal.row}"].value == "E（ほぼ未達成）"
    assert ws[f"A{goal.row + 1}"].value == "提案と異なる理由"
    assert ws[f"C{goal.row + 1}"].value == "定性的な成果を加味した。"


# -- roll-up -------------------------------------------------------------------------------------


def test_a_program_funding_change_rolls_up_into_the_sheet(kunitachi_sheet):
    line = FundingLine.objects.get(
        cost_record__program__code="12-13",
        cost_record__fiscal_year=2023,
        source_type=FundingSource.NATIONAL,
    )
    line.amount += 100
    line.save()
    ws = _worksheet(sheet_export(kunitachi_sheet, "xlsx").content)
    r5, rows = year_columns(ws)["R5年度"], cost_rows(ws)
    assert ws[f"{r5}{rows['国庫支出金']}"].value == 31471
    assert ws[f"{r5}{rows['一般財源']}"].value == 316118
    assert evaluate(ws, f"{r5}{rows['project_cost']}") == 368145
    assert evaluate(ws, f"{r5}{rows['total_cost']}") == 597713


# -- printing ------------------------------------------------------------------------------------


def test_print_settings_a4_portrait_one_page_wide_four_pages(ws):
    assert ws.page_setup.orientation == "portrait"
    assert int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area.endswith(f"$A$1:$O${ws.max_row}")
    breaks = [b.id for b in ws.row_breaks.brk]
    assert len(breaks) == 3  # §1–2 | §3–4 | §5 | §6–7
    assert ws[f"A{breaks[0] + 1}"].value.startswith("３")
    assert ws[f"A{breaks[1] + 1}"].value.startswith("５")
    assert ws[f"A{breaks[2] + 1}"].value.startswith("６")


def test_building_the_workbook_runs_no_queries(demo_export, django_assert_num_queries):
    with django_assert_num_queries(0):
        policy_management_workbook(demo_export[2])


def test_libreoffice_recalculates_the_formulas_to_the_published_totals(demo_export, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "sheet.xlsx"
    source.write_bytes(demo_export[1].content)
    out = tmp_path / "out"
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    original = _worksheet(source.read_bytes())
    r5, rows = year_columns(original)["R5年度"], cost_rows(original)
    ws = openpyxl.load_workbook(out / "sheet.xlsx", data_only=True).active
    assert ws[f"{r5}{rows['project_cost']}"].value == 368045
    assert ws[f"{r5}{rows['total_cost']}"].value == 597613
    assert ws[f"{year_columns(original)['R4年度']}{rows['project_cost']}"].value is None
