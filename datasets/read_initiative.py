"""Read the 「主な取組」検証票 workbook (``sheets/workbooks_initiative.py``) back into ops.

The blocks are found through the workbook's defined names and checked against the sheet's current
:func:`~sheets.selectors.initiative_sheet_context` (plan years, activity indicator, 予算事業, result
rows); anything that moved refuses the file. What is read, as the edit page saves it:

- 年度別計画値 (``plan_values``): the single-year plan value (計画値（単年）) of each plan year, one line
  per component (「協議会：4回（8回）」); the （累計） in brackets is computed and not read;
- 活動指標 (``results``): 実績値 of S−2 and S−1, and (A) of S. For a plan-period cumulative indicator
  (A) prints the running total: a changed (A) is turned back into the single-year value of S
  (the total less the single-year values of the earlier years it adds up, as the row shows them);
- 予算事業 (``budget``): 決算額 S−1, 決算見込額 S and 当初予算額 S+1 of each budget project.

目標値(B) is the cumulative plan: a changed (B) is refused. 達成割合, 主な財源 / 実施方法 and texts are
not read.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils.translation import gettext as _

from datasets.ops import CostOp, ValueOp, key_text, number_text
from datasets.read_common import (
    Grid,
    SheetRead,
    block_rows,
    defined_ranges,
    expect,
    find_sheet,
    layout_error,
    only_worksheet,
    read_amount,
    read_value,
    same_as_printed,
    year_header,
)
from datasets.read_dataset import formula_message
from datasets.report import ImportReport
from hikikomori_eval.numbers import ParsedValue, parse_value
from indicators.choices import CumulativeMode, ValueStatus, ValueType
from sheets.choices import FormType
from sheets.selectors import initiative_sheet_context

FORM = "「主な取組」検証票"
COL_PLAN, COL_EARLIER, COL_ACTUAL, COL_TARGET = 2, 3, 5, 6
BUDGET_ROWS = 3  # 予算事業名, the column heads, the figures
#: 「1件（2件）」: the single-year value, then the computed cumulative one in brackets.
_CUMULATIVE_SUFFIX = re.compile(r"^(?P<single>.*?)\s*[（(][^（）()]*[）)]\s*$", re.S)


def read_initiative_sheet(wb, report: ImportReport) -> SheetRead:
    sheet = find_sheet(wb, FormType.OKINAWA_INITIATIVE)
    ws = only_worksheet(wb, FORM)
    ranges = defined_ranges(ws)
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    grid = Grid(ws, ws.title, form=FORM)
    read = SheetRead(sheet, budget_project_ids={row.project.pk for row in ctx.budget_rows})
    _plan_values(ctx, grid, ranges, report, read.value_ops)
    _results(ctx, grid, ranges, report, read.value_ops)
    _budget(ctx, grid, ranges, report, read.cost_ops)
    return read


# ---- 年度別計画値 --------------------------------------------------------------------------------


def _single_part(text: str) -> str:
    match = _CUMULATIVE_SUFFIX.match(text)
    return match.group("single") if match else text


def _plan_value(report: ImportReport, cell, raw) -> ParsedValue | None:
    text = _single_part(raw) if isinstance(raw, str) else number_text(raw)
    try:
        return parse_value(text)
    except (ValueError, TypeError) as error:
        report.reject(cell.sheet, cell.row, cell.column, str(error), field=cell.header)
        return None


def _plan_values(ctx, grid: Grid, ranges, report: ImportReport, ops: list[ValueOp]) -> None:
    years = ctx.plan_years
    row, _last, first_col, _c2 = block_rows(ranges, "plan_values", FORM, rows=1, cols=max(len(years), 1))
    if first_col != COL_PLAN:
        raise layout_error(FORM)
    for offset, label in enumerate(ctx.plan_year_labels):
        expect(grid, row - 3, COL_PLAN + offset, label, FORM)
    expect(grid, row - 1, COL_PLAN, ctx.activity_indicator.name if ctx.activity_indicator else "", FORM)
    for offset, fy in enumerate(years):
        col = COL_PLAN + offset
        if not ctx.plan_rows:
            _no_indicator(grid, report, row, col, year_header(fy))
            continue
        raw = grid.value(row, col)
        if len(ctx.plan_rows) == 1 and not ctx.plan_rows[0].label:
            header = _("%(year)s 計画値（単年）") % {"year": year_header(fy)}
            cell = grid.cell(row, col, header)
            if grid.is_formula(row, col):
                report.reject(cell.sheet, cell.row, cell.column, formula_message(), field=header)
                continue
            parsed = _plan_value(report, cell, raw)
            if parsed is not None:
                ops.append(ValueOp(cell, ctx.plan_rows[0].indicator, fy, ValueType.PLAN_SINGLE, parsed))
            continue
        _component_lines(ctx, grid, report, row, col, fy, ops)


def _component_lines(ctx, grid: Grid, report, row: int, col: int, fy: int, ops: list[ValueOp]) -> None:
    """「協議会：4回（8回）\\n研修会：1回（2回）」: one line per component; a missing line is blank."""
    where = grid.cell(row, col, year_header(fy))
    if grid.is_formula(row, col):
        report.reject(where.sheet, where.row, where.column, formula_message(), field=where.header)
        return
    lines = [line.strip() for line in str(grid.value(row, col) or "").splitlines() if line.strip()]
    typed: dict[int, str] = {}
    for line in lines:
        text = key_text(line).replace(":", "：")
        found = [
            (index, key_text(plan_row.label) + "：")
            for index, plan_row in enumerate(ctx.plan_rows)
            if text.startswith(key_text(plan_row.label) + "：")
        ]
        if len(found) != 1 or found[0][0] in typed:
            report.reject(
                where.sheet,
                where.row,
                where.column,
                _("「%(line)s」の内訳が分かりません（「%(labels)s」のいずれかで始めてください）")
                % {"line": line, "labels": "：」「".join(r.label for r in ctx.plan_rows) + "："},
                field=where.header,
            )
            return
        index, prefix = found[0]
        typed[index] = text[len(prefix) :]
    for index, plan_row in enumerate(ctx.plan_rows):
        header = _("%(label)s %(year)s 計画値（単年）") % {"label": plan_row.label, "year": year_header(fy)}
        cell = grid.cell(row, col, header)
        parsed = _plan_value(report, cell, typed.get(index, ""))
        if parsed is not None:
            ops.append(ValueOp(cell, plan_row.indicator, fy, ValueType.PLAN_SINGLE, parsed))


def _no_indicator(grid: Grid, report, row: int, col: int, header: str) -> None:
    if not grid.is_blank(row, col):
        cell = grid.cell(row, col, header)
        report.reject(
            cell.sheet,
            cell.row,
            cell.column,
            _("活動指標が設定されていません（指標は画面で設定してください）"),
            field=header,
        )


# ---- 活動指標の実績 --------------------------------------------------------------------------------


def _results(ctx, grid: Grid, ranges, report: ImportReport, ops: list[ValueOp]) -> None:
    first, _last, _c1, _c2 = block_rows(ranges, "results", FORM, rows=max(len(ctx.result_rows), 1))
    labels = ctx.result_year_labels
    for col, label in zip(
        (COL_EARLIER, COL_EARLIER + 1, COL_ACTUAL, COL_TARGET),
        (*labels[:-1], f"{labels[-1]}\n実績値(A)", "目標値(B)"),
        strict=True,
    ):
        expect(grid, first - 1, col, label, FORM)
    if not ctx.result_rows:
        return
    expect(grid, first, 2, ctx.activity_indicator.name, FORM)
    years = ctx.result_years
    for offset, result in enumerate(ctx.result_rows):
        row, indicator = first + offset, result.indicator
        prefix = f"{result.label} " if result.label else ""
        earlier: list[ValueOp] = []
        for index, fy in enumerate(years[:-1]):
            header = _("%(prefix)s%(year)s 実績値") % {"prefix": prefix, "year": year_header(fy)}
            read_value(
                grid, report, row, COL_EARLIER + index, header, indicator, fy, ValueType.ACTUAL, earlier
            )
        ops.extend(earlier)
        _actual(grid, report, row, result, prefix, years, earlier, ops)
        if not same_as_printed(grid, row, COL_TARGET, result.target):
            cell = grid.cell(row, COL_TARGET, _("%(prefix)s目標値(B)") % {"prefix": prefix})
            report.reject(
                cell.sheet,
                cell.row,
                cell.column,
                _(
                    "年度別計画値の累計から計算される値のため取り込めません（計画値は「年度別計画値」に入力してください）"
                ),
                field=cell.header,
            )


def _running_years(indicator, years: list[int]) -> list[int]:
    """The earlier result years whose single values (A) adds up for a plan-period indicator."""
    if indicator.cumulative_mode != CumulativeMode.PLAN_PERIOD:
        return []
    start = indicator.cumulative_start_fy or years[0]
    return [fy for fy in years[:-1] if fy >= start]


def _actual(grid: Grid, report, row: int, result, prefix: str, years, earlier, ops) -> None:
    s = years[-1]
    running = _running_years(result.indicator, years)
    header = _("%(prefix)s%(year)s 実績値(A)") % {"prefix": prefix, "year": year_header(s)}
    if not running:
        read_value(grid, report, row, COL_ACTUAL, header, result.indicator, s, ValueType.ACTUAL, ops)
        return
    if same_as_printed(grid, row, COL_ACTUAL, result.actual):
        return  # the total is as printed: the single-year value of S stays as stored
    typed: list[ValueOp] = []
    read_value(grid, report, row, COL_ACTUAL, header, result.indicator, s, ValueType.ACTUAL, typed)
    by_year = {op.fiscal_year: op for op in earlier}
    if not typed or any(fy not in by_year for fy in running):
        return  # rejected above
    op = typed[0]
    if op.parsed.status != ValueStatus.OK:
        ops.append(op)  # a status (未実施 …) or a blank is the single-year value itself
        return
    before = sum(
        (by_year[fy].parsed.value for fy in running if by_year[fy].parsed.status == ValueStatus.OK),
        Decimal(0),
    )
    single = op.parsed.value - before
    if single < 0:
        report.reject(
            op.cell.sheet,
            op.cell.row,
            op.cell.column,
            _("累計の実績値 %(total)s が前年度までの実績値の合計 %(before)s を下回っています")
            % {"total": number_text(op.parsed.value), "before": number_text(before)},
            field=header,
        )
        return
    op.cell = grid.cell(
        row,
        COL_ACTUAL,
        _("%(header)s（累計 %(total)s から求めた単年の値）")
        % {"header": header, "total": number_text(op.parsed.value)},
    )
    op.parsed = ParsedValue(
        value=single,
        status=ValueStatus.OK,
        raw_text=op.parsed.raw_text,
        normalized=op.parsed.normalized,
        unit=op.parsed.unit,
        provisional=op.parsed.provisional,
    )
    ops.append(op)


# ---- 予算事業 -------------------------------------------------------------------------------------


def _budget(ctx, grid: Grid, ranges, report: ImportReport, ops: list[CostOp]) -> None:
    if not ctx.budget_rows:
        return
    first, _last, _c1, _c2 = block_rows(ranges, "budget", FORM, rows=BUDGET_ROWS * len(ctx.budget_rows))
    for index, budget in enumerate(ctx.budget_rows):
        row = first + BUDGET_ROWS * index
        expect(grid, row, 2, budget.name, FORM)
        col = 2
        for position, column in enumerate(budget.cells):
            expect(grid, row + 1, col, f"{column.year_label}\n{column.label}", FORM)
            header = f"{budget.name} {column.year_label} {column.label}"
            readable, amount, cell = read_amount(grid, report, row + 2, col, header)
            if readable:
                op = CostOp(budget.project, column.fiscal_year, column.basis, row_cell=cell)
                op.fields["amount"] = (amount, cell)
                ops.append(op)
            col += 1 if position == 0 else 3  # 主な財源 and 実施方法 follow every column but the first
