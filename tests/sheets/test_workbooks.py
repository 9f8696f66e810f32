"""The 個表 as an Excel workbook: numbers as numbers, formulas where the form has totals, A4 landscape.

Every workbook is built the way a user gets it (``sheet_export(sheet, "xlsx")``) and read back from
its bytes. openpyxl writes formulas without cached values, so the tests check each formula's text
and evaluate it here, from the workbook's own cells, against the figures the application computed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import transaction
from openpyxl.utils import column_index_from_string, get_column_letter, range_boundaries

from hikikomori_eval.excel import FONT_NAME, LABEL_FILL, decimal_format, excel_number, percent_format
from indicators.choices import AchievementMethod, CostBasis, ValueStatus, ValueType
from indicators.models import CostRecord, IndicatorValue
from sheets.choices import FormType
from sheets.demo import demo_load
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet
from sheets.selectors import program_sheet_context
from sheets.workbooks import DEFINED_NAMES, LAYOUT, program_sheet_workbook, rate_formula

pytestmark = pytest.mark.django_db


def _demo_sheet() -> EvaluationSheet:
    demo_load()
    return EvaluationSheet.objects.get(
        form_type=FormType.KAMAKURA_PROGRAM, evaluation_fy=2025, program__code="健福-17"
    )


@pytest.fixture(scope="module")
def demo_export(django_db_setup, django_db_blocker):
    """健福-17 exported once for the read-only tests; the demo data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        sheet = _demo_sheet()
        exported = sheet_export(sheet, "xlsx")
        ctx = program_sheet_context(sheet_id=sheet.pk)
        transaction.set_rollback(True)
    return sheet.pk, exported, ctx


@pytest.fixture
def sheet():
    """The demo sheet in the test's own transaction, for tests that change its data."""
    return _demo_sheet()


def _workbook(content: bytes):
    return openpyxl.load_workbook(BytesIO(content))


@pytest.fixture
def exported(demo_export):
    return demo_export[1]


@pytest.fixture
def wb(exported):
    return _workbook(exported.content)


@pytest.fixture
def ws(wb):
    return wb["健福-17"]


@pytest.fixture
def ctx(demo_export):
    return demo_export[2]


# -- reading the workbook back -------------------------------------------------------------------


def named_range(ws, name: str) -> tuple[int, int, int, int]:
    """(min_col, min_row, max_col, max_row) of a sheet-scoped defined name."""
    ((_title, coord),) = list(ws.defined_names[name].destinations)
    min_col, min_row, max_col, max_row = range_boundaries(coord.replace("$", ""))
    return min_col, min_row, max_col or min_col, max_row or min_row


def named_cell(ws, name: str):
    min_col, min_row, _, _ = named_range(ws, name)
    return ws.cell(row=min_row, column=min_col)


def row_labelled(ws, label: str, *, column: str = "A", start: int = 1) -> int:
    col = column_index_from_string(column)
    for row in range(start, ws.max_row + 1):
        if ws.cell(row=row, column=col).value == label:
            return row
    raise AssertionError(f"no row labelled {label!r} in column {column}")


def sub_program_rows(ws) -> dict[str, int]:
    _, first, _, last = named_range(ws, "sub_programs")
    return {ws.cell(row=r, column=2).value: r for r in range(first, last + 1)}


_SUM = re.compile(r"=SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)")
_DIFFERENCE = re.compile(r"=([A-Z]+\d+)-SUM\(([A-Z]+)(\d+):([A-Z]+)(\d+)\)")
_RATIO = re.compile(
    r'=IF\(AND\(ISNUMBER\(([A-Z]+\d+)\),ISNUMBER\(([A-Z]+\d+)\),([A-Z]+\d+)<>0\),([A-Z]+\d+)/([A-Z]+\d+),""\)'
)


def _range_sum(ws, col1, row1, col2, row2) -> Decimal:
    total = Decimal(0)
    for row in ws[f"{col1}{row1}:{col2}{row2}"]:
        for cell in row:
            value = evaluate(ws, cell.coordinate)
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                total += Decimal(str(value))
    return total


def evaluate(ws, coordinate: str):
    """The value Excel would show, for the few formula shapes the 個表 uses (SUM, total − SUM, ratio)."""
    value = ws[coordinate].value
    if not (isinstance(value, str) and value.startswith("=")):
        return value
    if m := _SUM.fullmatch(value):
        return _range_sum(ws, m[1], int(m[2]), m[3], int(m[4]))
    if m := _DIFFERENCE.fullmatch(value):
        return Decimal(str(evaluate(ws, m[1]))) - _range_sum(ws, m[2], int(m[3]), m[4], int(m[5]))
    if m := _RATIO.fullmatch(value):
        first, second, nonzero, numerator, denominator = m.groups()
        a, b, z = evaluate(ws, first), evaluate(ws, second), evaluate(ws, nonzero)
        numeric = all(isinstance(v, int | float | Decimal) for v in (a, b))
        if not numeric or z == 0:
            return ""
        return Decimal(str(evaluate(ws, numerator))) / Decimal(str(evaluate(ws, denominator)))
    raise AssertionError(f"unexpected formula in {coordinate}: {value}")


def percent(ratio, decimals: int) -> Decimal:
    return (Decimal(ratio) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


# -- the file ------------------------------------------------------------------------------------


def test_export_is_one_worksheet_named_after_the_program(exported, wb, ws):
    assert exported.filename.endswith("_健福-17_ひきこもり対策推進事業.xlsx")
    assert exported.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert wb.sheetnames == ["健福-17"]
    assert ws["A1"].value == "令和７年（2025年）度行政評価シート【個表】"
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}


def test_layout_is_findable_by_defined_names_and_properties(wb, ws, demo_export):
    """The import reads the blocks back through these names; their rows move with the data."""
    assert set(ws.defined_names) == set(DEFINED_NAMES)
    props = {p.name: p.value for p in wb.custom_doc_props}
    assert props == {
        "layout": LAYOUT,
        "sheet_id": demo_export[0],
        "program_code": "健福-17",
        "evaluation_fy": 2025,
    }
    assert named_cell(ws, "program_code").value == "健福-17"
    assert named_cell(ws, "program_name").value == "ひきこもり対策推進事業"


def test_header_fields_in_printed_order(ws):
    assert ws["A3"].value == "評価対象事業（番号）"
    assert named_cell(ws, "administrative_category").value == "■自治事務　□法定受託事務"
    assert named_cell(ws, "is_priority").value == "□"
    assert named_cell(ws, "owner_unit").value == "生活福祉課"
    assert named_cell(ws, "related_units").value.startswith("青少年課、地域共生課")
    assert named_cell(ws, "evaluators").value.startswith("生活福祉課長")
    assert named_cell(ws, "policy_field").value == "4-(1)　健康福祉"
    assert named_cell(ws, "policy").value == "4-(1)-①　多様性のある福祉サービスの充実"
    assert named_cell(ws, "direction").value.startswith("■拡充　□改善・変更")


def test_label_cells_are_grey_bordered_and_japanese(ws):
    label = ws["A3"]
    assert label.fill.fgColor.rgb == LABEL_FILL.fgColor.rgb
    assert label.border.left.style == "thin" and label.border.bottom.style == "thin"
    assert label.font.name == FONT_NAME
    assert named_cell(ws, "activities_summary").alignment.wrap_text


# -- §3 sub-programs, funding, totals --------------------------------------------------------------


def test_sub_program_costs_are_integers_in_thousands_format(ws):
    rows = sub_program_rows(ws)
    expected = {
        "ひきこもり家庭等相談支援事業": (0, 0, 0),
        "出張旅費": (49, 149, 104),
        "ひきこもり周知啓発等事業": (720, 780, 780),
        "一般事務経費": (176, 214, 64),
        "居場所事業": (411, 687, 449),
    }
    assert list(rows) == list(expected)
    for name, amounts in expected.items():
        cells = [ws[f"{col}{rows[name]}"] for col in "HIK"]
        assert [c.value for c in cells] == list(amounts)
        assert all(type(c.value) is int for c in cells)
        assert {c.number_format for c in cells} == {"#,##0"}


def test_indicator_values_are_numbers_and_expense_rows_stay_blank(ws):
    rows = sub_program_rows(ws)
    r = rows["ひきこもり家庭等相談支援事業"]
    assert ws[f"D{r}"].value == "相談支援件数（人）"
    assert (ws[f"E{r}"].value, ws[f"F{r}"].value, ws[f"J{r}"].value) == (60, 72, 72)
    assert all(isinstance(ws[f"{c}{r}"].value, int) for c in "EFJ")
    assert ws[f"E{r}"].number_format == "#,##0"
    travel = rows["出張旅費"]
    assert ws[f"D{travel}"].value == "―"
    assert [ws[f"{c}{travel}"].value for c in "EFGJ"] == [None, None, None, None]  # blank, never 0


def test_achievement_is_a_ratio_formula_matching_the_application(ws, ctx):
    rows = sub_program_rows(ws)
    computed = {row.name: row.achievement_s for row in ctx.sub_rows if row.indicator}
    assert [rate.text for rate in computed.values()] == ["83%", "72%", "78%"]
    for name, rate in computed.items():
        r = rows[name]
        cell = ws[f"G{r}"]
        assert cell.value == f'=IF(AND(ISNUMBER(E{r}),ISNUMBER(F{r}),F{r}<>0),E{r}/F{r},"")'
        assert cell.number_format == "0%"
        assert evaluate(ws, cell.coordinate) == rate.raw
        assert percent(evaluate(ws, cell.coordinate), 0) == rate.percent


def test_project_cost_total_is_a_sum_over_exactly_the_sub_program_rows(ws, ctx):
    _, first, _, last = named_range(ws, "sub_programs")
    _, total_row, _, _ = named_range(ws, "project_cost")
    assert ws[f"A{total_row}"].value == "事業費の合計（千円）"
    for col, expected in zip("HIK", ctx.project_costs, strict=True):
        cell = ws[f"{col}{total_row}"]
        assert cell.value == f"=SUM({col}{first}:{col}{last})"
        assert cell.number_format == "#,##0"
        assert evaluate(ws, cell.coordinate) == expected
    assert [evaluate(ws, f"{c}{total_row}") for c in "HIK"] == [1356, 1830, 1397]
    assert ws[f"J{total_row}"].value is None


def test_general_revenue_is_total_minus_specific_funding(ws):
    _, total_row, _, _ = named_range(ws, "project_cost")
    national = row_labelled(ws, "国県支出金", column="D")
    bond = row_labelled(ws, "地方債", column="D")
    other = row_labelled(ws, "その他特定財源", column="D")
    general = row_labelled(ws, "一般財源", column="D")
    assert [ws[f"{c}{national}"].value for c in "HIK"] == [678, 913, 697]
    assert [ws[f"{c}{bond}"].value for c in "HIK"] == [None, None, None]
    for col, expected in zip("HIK", (678, 917, 700), strict=True):
        cell = ws[f"{col}{general}"]
        if isinstance(cell.value, str):
            assert cell.value == f"={col}{total_row}-SUM({col}{national}:{col}{other})"
        else:
            assert cell.value == expected
        assert cell.number_format == "#,##0"
        # From the workbook's own cells: Σ sub-programs − Σ 特定財源.
        specific = sum(ws[f"{col}{r}"].value or 0 for r in (national, bond, other))
        assert evaluate(ws, f"{col}{total_row}") - specific == expected
        assert evaluate(ws, cell.coordinate) == expected


def test_personnel_cost_is_a_number_where_the_form_prints_it(ws):
    _, r, _, _ = named_range(ws, "personnel_cost")
    assert ws[f"A{r}"].value == "人件費（千円）"
    assert [ws[f"{c}{r}"].value for c in "HIK"] == [19797, None, 13145]
    assert type(ws[f"H{r}"].value) is int and ws[f"H{r}"].number_format == "#,##0"


def test_status_token_is_text_and_a_missing_amount_is_blank(sheet):
    """未実施 is written as text (not 0), its 達成度 is blank; a deleted 決算 leaves an empty cell."""
    value = IndicatorValue.objects.get(
        indicator__program__name="居場所事業",
        indicator__program__parent=sheet.program,
        fiscal_year=2024,
        value_type=ValueType.ACTUAL,
    )
    value.value, value.status = None, ValueStatus.NOT_CONDUCTED
    value.save()
    CostRecord.objects.filter(
        program__name="一般事務経費",
        program__parent=sheet.program,
        fiscal_year=2024,
        basis=CostBasis.SETTLEMENT,
    ).delete()
    ws = _workbook(sheet_export(sheet, "xlsx").content)["健福-17"]
    rows = sub_program_rows(ws)
    r = rows["居場所事業"]
    assert ws[f"E{r}"].value == "未実施" and ws[f"E{r}"].data_type == "s"
    assert evaluate(ws, f"G{r}") == ""
    assert ws[f"H{rows['一般事務経費']}"].value is None
    _, total_row, _, _ = named_range(ws, "project_cost")
    assert evaluate(ws, f"H{total_row}") == 1356 - 176


# -- §4 staffing ---------------------------------------------------------------------------------


def test_staffing_ftes_are_numbers_with_one_decimal(ws):
    min_col, header, max_col, _ = named_range(ws, "staffing")
    years = {
        ws.cell(row=header, column=c).value: get_column_letter(c) for c in range(min_col + 1, max_col + 1)
    }
    assert list(years)[1:] == [
        "令和２年度",
        "令和３年度",
        "令和４年度",
        "令和５年度",
        "令和６年度",
        "令和７年度",
    ]
    r6 = years["令和６年度"]
    regular = row_labelled(ws, "正規職員等", start=header)
    fixed_term = row_labelled(ws, "会計年度任用職員", start=header)
    assert (ws[f"{r6}{regular}"].value, ws[f"{r6}{fixed_term}"].value) == (2.1, 2)
    assert ws[f"{years['令和２年度']}{fixed_term}"].value == 0  # an entered 0.0 stays a number
    assert {ws[f"{r6}{regular}"].number_format, ws[f"{r6}{fixed_term}"].number_format} == {"0.0"}


# -- 【参考】 -------------------------------------------------------------------------------------


def test_reference_indicator_rates_are_formulas_giving_the_printed_percentages(ws, ctx):
    _, header, _, _ = named_range(ws, "reference_indicators")
    expected = {
        "ひきこもり相談件数（人）": [None, "220.0", "120.0", "90.9", "83.3", None],
        "ひきこもり居場所利用のべ人数（人）": [None, None, "65.0", "154.2", "77.8", None],
    }
    for (label, printed), ref in zip(expected.items(), ctx.reference_indicators, strict=True):
        target_row = row_labelled(ws, label, start=header)
        actual_row, rate_row = target_row + 1, target_row + 2
        assert [ws[f"D{r}"].value for r in (target_row, actual_row, rate_row)] == [
            "目標値",
            "実績値",
            "達成率",
        ]
        for i, col in enumerate("EFGHIJ"):
            cell = ws[f"{col}{rate_row}"]
            assert cell.value == (
                f"=IF(AND(ISNUMBER({col}{actual_row}),ISNUMBER({col}{target_row}),{col}{target_row}<>0),"
                f'{col}{actual_row}/{col}{target_row},"")'
            )
            assert cell.number_format == "0.0%"
            result = evaluate(ws, cell.coordinate)
            if printed[i] is None:
                assert result == "" and ref.rates[i].raw is None
            else:
                assert percent(result, 1) == Decimal(printed[i]) == ref.rates[i].percent
    first = row_labelled(ws, "ひきこもり相談件数（人）", start=header)
    assert [ws[f"{c}{first + 1}"].value for c in "EFGHIJ"] == [13, 44, 60, 60, 60, None]
    assert ws[f"E{first}"].value is None  # R2 has no target: blank, not 0
    assert ws[f"F{first}"].number_format == "#,##0.0"


def test_benchmark_values_are_kept_as_reported_text(ws):
    _, first, _, last = named_range(ws, "benchmarks")
    values = {ws[f"A{r}"].value + ":" + str(ws[f"C{r}"].value): ws[f"G{r}"] for r in range(first, last + 1)}
    cell = values["鎌倉市:相談者/相談支援件数"]
    assert cell.value == "60人/1,5１5件" and cell.data_type == "s"
    assert values["座間市:相談延べ人数"].value == "42件"
    assert values["座間市:新規登録者/登録者数/実施頻度"].value == "28人/101人/平日"
    assert named_cell(ws, "benchmark_rationale").value.startswith("同様の事業を行う")


# -- printing ------------------------------------------------------------------------------------


def test_print_settings_a4_landscape_one_page_wide(ws):
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_area.endswith(f"$A$1:$K${ws.max_row}")
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_building_the_workbook_runs_no_queries(ctx, django_assert_num_queries):
    with django_assert_num_queries(0):
        program_sheet_workbook(ctx)


def test_libreoffice_recalculates_the_formulas_to_the_applications_figures(exported, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    source = tmp_path / "sheet.xlsx"
    source.write_bytes(exported.content)
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
    ws = openpyxl.load_workbook(out / "sheet.xlsx", data_only=True).active
    _, total_row, _, _ = named_range(openpyxl.load_workbook(source)["健福-17"], "project_cost")
    assert [ws[f"{c}{total_row}"].value for c in "HIK"] == [1356, 1830, 1397]
    general = row_labelled(ws, "一般財源", column="D")
    assert [ws[f"{c}{general}"].value for c in "HIK"] == [678, 917, 700]


# -- helpers without the database ------------------------------------------------------------------


def test_rate_formula_follows_the_indicator_method():
    def indicator(method, cap=None):
        return SimpleNamespace(achievement_method=method, display_cap=cap)

    ratio = rate_formula(indicator(AchievementMethod.RATIO), actual="E5", target="F5")
    assert ratio == '=IF(AND(ISNUMBER(E5),ISNUMBER(F5),F5<>0),E5/F5,"")'
    inverse = rate_formula(indicator(AchievementMethod.INVERSE), actual="E5", target="F5")
    assert inverse == '=IF(AND(ISNUMBER(E5),ISNUMBER(F5),E5<>0),F5/E5,"")'
    capped = rate_formula(
        indicator(AchievementMethod.RATIO_CAPPED, Decimal("1.00")), actual="E5", target="F5"
    )
    assert capped == '=IF(AND(ISNUMBER(E5),ISNUMBER(F5),F5<>0),MIN(E5/F5,1),"")'
    # Methods Excel is not asked to compute get the application's value written instead.
    assert rate_formula(indicator(AchievementMethod.BINARY), actual="E5", target="F5") is None
    assert rate_formula(indicator(AchievementMethod.BASELINE_RELATIVE), actual="E5", target="F5") is None


def test_cell_numbers_and_formats():
    assert excel_number(Decimal("720")) == 720 and type(excel_number(Decimal("720"))) is int
    assert excel_number(Decimal("60.00")) == 60 and type(excel_number(Decimal("60.00"))) is int
    assert excel_number(Decimal("2.10")) == 2.1
    assert excel_number(None) is None
    assert (decimal_format(0), decimal_format(1), decimal_format(2)) == ("#,##0", "#,##0.0", "#,##0.00")
    assert (percent_format(0), percent_format(1)) == ("0%", "0.0%")
