"""Read the 行政評価シート（施策の方針） workbook (``sheets/workbooks_policy.py``) back into ops.

This workbook defines no names: its blocks are found by their printed headings in column A
(「２．投入コスト（千円）」, 「３．施策の方針にひもづく事務事業とその評価結果」, 「５．成果指標」),
each exactly once, and every row of a block is checked against the sheet's current
:func:`~sheets.selectors.policy_sheet_context` (year heads, program codes and names, indicator
titles); a row that moved refuses the file. What is read: §5, each outcome indicator's 目標値 and
実績値 for E−5 … E. 達成率, 初期値 and texts are not read.

The money of §2 and §3 is rolled up from the programs linked to the policy and is never typed here:
a money cell that no longer holds what the export wrote is refused (「事業から集計される値のため取り込め
ません」); the formula the export wrote, or its value pasted over it, is unchanged.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from datasets.ops import ValueOp
from datasets.read_common import (
    Grid,
    SheetRead,
    check_computed,
    expect,
    find_sheet,
    layout_error,
    only_worksheet,
    read_value,
    year_header,
)
from datasets.report import ImportReport
from indicators.choices import ValueType
from sheets.choices import FormType
from sheets.selectors import policy_sheet_context

FORM = "行政評価シート（施策の方針）"
COSTS_HEADING = "２．投入コスト（千円）"
PROGRAMS_HEADING = "３．施策の方針にひもづく事務事業とその評価結果"
INDICATORS_HEADING = "５．成果指標"
FIRST_YEAR_COL = 2
COL_CODE, COL_NAME, COL_PROJECT, COL_PERSONNEL, COL_TOTAL = 2, 3, 5, 6, 7
#: Rows of one §5 indicator: title, 初期値, 年次, 目標値, 実績値, 達成率 and a blank row.
INDICATOR_ROWS = 7


def read_policy_sheet(wb, report: ImportReport) -> SheetRead:
    sheet = find_sheet(wb, FormType.KAMAKURA_POLICY)
    ws = only_worksheet(wb, FORM)
    ctx = policy_sheet_context(sheet_id=sheet.pk)
    grid = Grid(ws, ws.title, form=FORM)
    read = SheetRead(sheet)
    _costs(ctx, grid, _heading(grid, COSTS_HEADING), report)
    _programs(ctx, grid, _heading(grid, PROGRAMS_HEADING), report)
    _indicators(ctx, grid, _heading(grid, INDICATORS_HEADING), report, read.value_ops)
    return read


def _heading(grid: Grid, text: str) -> int:
    rows = grid.find_in_column(1, text)
    if len(rows) != 1:
        raise layout_error(FORM)
    return rows[0]


def _costs(ctx, grid: Grid, heading: int, report: ImportReport) -> None:
    """§2 投入コスト: 事業費, 人件費 and the 総事業費 formula of each year, all rolled up."""
    header, project, personnel, total = heading + 1, heading + 2, heading + 3, heading + 4
    for row, label in ((project, "事業費"), (personnel, "人件費"), (total, "総事業費")):
        expect(grid, row, 1, label, FORM)
    for offset, year in enumerate(ctx.cost_years):
        col = FIRST_YEAR_COL + offset
        letter = get_column_letter(col)
        expect(grid, header, col, year.label, FORM)
        check_computed(grid, report, project, col, f"{year.label} 事業費", year.project_cost)
        check_computed(grid, report, personnel, col, f"{year.label} 人件費", year.personnel_cost)
        formula = f"=SUM({letter}{project}:{letter}{personnel})" if year.total_cost is not None else None
        check_computed(grid, report, total, col, f"{year.label} 総事業費", year.total_cost, formula=formula)
    if not grid.is_blank(header, FIRST_YEAR_COL + len(ctx.cost_years)):
        raise layout_error(FORM)


def _programs(ctx, grid: Grid, heading: int, report: ImportReport) -> None:
    """§3: one row per program linked in S with its rolled-up money, then the 合計 row."""
    expect(grid, heading + 1, 1, "重点事業", FORM)
    first = heading + 2
    for offset, program in enumerate(ctx.program_rows):
        row = first + offset
        expect(grid, row, COL_CODE, program.code, FORM)
        expect(grid, row, COL_NAME, program.name, FORM)
        for col, label, amount in (
            (COL_PROJECT, "事業費（千円）", program.project_cost),
            (COL_PERSONNEL, "人件費（千円）", program.personnel_cost),
            (COL_TOTAL, "総事業費（千円）", program.total_cost),
        ):
            check_computed(grid, report, row, col, f"{program.code} {label}", amount)
    total_row, last = first + len(ctx.program_rows), first + len(ctx.program_rows) - 1
    expect(grid, total_row, 1, "合計", FORM)
    for col, label, amount in (
        (COL_PROJECT, "事業費（千円）", ctx.program_project_total),
        (COL_PERSONNEL, "人件費（千円）", ctx.program_personnel_total),
        (COL_TOTAL, "総事業費（千円）", ctx.program_total_cost),
    ):
        letter = get_column_letter(col)
        formula = f"=SUM({letter}{first}:{letter}{last})" if amount is not None else None
        check_computed(grid, report, total_row, col, f"合計 {label}", amount, formula=formula)


def _indicators(ctx, grid: Grid, heading: int, report: ImportReport, ops: list[ValueOp]) -> None:
    """§5: per indicator its title, 年次 heads, then the 目標値 and 実績値 rows (read) of E−5 … E."""
    years = ctx.indicator_years
    for index, ind in enumerate(ctx.indicators):
        top = heading + 1 + INDICATOR_ROWS * index
        indicator = ind.indicator
        tag = f"【{indicator.plan_tag}】" if indicator.plan_tag else ""
        expect(grid, top, 1, f"成果指標{ind.no}　{indicator.name}{tag}", FORM)
        expect(grid, top + 2, 1, "年次", FORM)
        for offset, label in enumerate(ctx.indicator_year_labels):
            expect(grid, top + 2, FIRST_YEAR_COL + offset, label, FORM)
        for row, label, value_type in (
            (top + 3, "目標値", ValueType.TARGET),
            (top + 4, "実績値", ValueType.ACTUAL),
        ):
            expect(grid, row, 1, label, FORM)
            for offset, fy in enumerate(years):
                header = _("成果指標%(no)d %(year)s %(label)s") % {
                    "no": ind.no,
                    "year": year_header(fy),
                    "label": label,
                }
                col = FIRST_YEAR_COL + offset
                read_value(grid, report, row, col, header, indicator, fy, value_type, ops)
        expect(grid, top + 5, 1, "達成率", FORM)
    after = heading + 1 + INDICATOR_ROWS * len(ctx.indicators)
    if grid.text(after, 1).startswith("成果指標"):
        raise layout_error(FORM)  # an indicator the sheet no longer has
