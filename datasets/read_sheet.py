"""Read the per-sheet 個表 workbook (``sheets/workbooks.py``) back: its indicator values and costs.

The workbook names its blocks (sheet-scoped defined names) and carries the sheet's id, program code
and evaluation year in its custom properties. Each block is matched row by row with the sheet's
current context (the same :func:`~sheets.selectors.program_sheet_context` that wrote it): a
sub-program, funding line or reference indicator that is not where the export put it rejects the
file, so a value can never land on the wrong row. What is read:

- §3 each 事務事業: 指標 S実績値 (E), S目標値 (F), E目標値 (J); 事業費 S決算 (H), S当初 (I), E予算 (K);
- §3 財源内訳: the program's funding lines in H, I, K (a derived 一般財源 formula is left alone);
- 【参考】 each reference indicator's 目標値 and 実績値 for the six years E−5 … E.

Computed cells (達成度, 事業費の合計, 人件費) and texts are not read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from datasets.ops import CostOp, ValueOp, key_text
from datasets.read_common import (
    Grid,
    SheetRead,
    defined_ranges,
    find_sheet,
    layout_error,
    only_worksheet,
    read_amount,
    read_value,
    workbook_properties,
)
from datasets.report import ImportRejected, ImportReport
from indicators.choices import FundingSource, ValueType
from sheets.choices import FormType
from sheets.selectors import program_sheet_context
from sheets.workbooks import (
    COL_ACTUAL_S,
    COL_BRANCH,
    COL_NAME,
    COL_TARGET_E,
    COL_TARGET_S,
    COST_COLS,
    FIRST_YEAR_COL,
    LAYOUT,
)

#: Rows per reference indicator: 目標値, 実績値, 達成率, 指標設定理由.
REFERENCE_ROWS = 4
COL_FUNDING_LABEL = 4
FORM = "個表"


def is_program_sheet_workbook(wb) -> bool:
    return workbook_properties(wb).get("layout") == LAYOUT


def _layout_error() -> ImportRejected:
    return layout_error(FORM)


def read_program_sheet(wb, report: ImportReport) -> SheetRead:
    """Ops of a 個表 workbook; rejects the file when it does not match the sheet it names."""
    sheet = find_sheet(wb, FormType.KAMAKURA_PROGRAM)
    if sheet.program.code != workbook_properties(wb).get("program_code"):
        raise ImportRejected(
            _("このブックの評価シート（%(code)s）が見つかりません。")
            % {"code": workbook_properties(wb).get("program_code", "")}
        )
    ws = only_worksheet(wb, FORM)
    ranges = defined_ranges(ws)
    ctx = program_sheet_context(sheet_id=sheet.pk)
    needed: set[int] = set()
    for name in ("sub_programs", "funding", "reference_indicators"):
        if name in ranges:
            _c1, r1, _c2, r2 = ranges[name]
            needed.update(range(r1, r2 + 1))
    grid = Grid(ws, ws.title, needed)
    value_ops: list[ValueOp] = []
    cost_ops: dict[tuple, CostOp] = {}
    _sub_programs(ctx, grid, ranges, report, value_ops, cost_ops)
    _funding(ctx, grid, ranges, report, cost_ops)
    _references(ctx, grid, ranges, report, value_ops)
    return SheetRead(sheet, value_ops, list(cost_ops.values()))


def _amount(grid: Grid, report, row, col, header, owner, column, field, cost_ops) -> None:
    readable, amount, cell = read_amount(grid, report, row, col, header)
    if not readable:
        return
    key = (type(owner).__name__, owner.pk, column.fiscal_year, column.basis)
    op = cost_ops.setdefault(key, CostOp(owner, column.fiscal_year, column.basis, row_cell=cell))
    op.fields[field] = (amount, cell)


def _sub_programs(ctx, grid, ranges, report, value_ops, cost_ops) -> None:
    if not ctx.sub_rows:
        return
    if "sub_programs" not in ranges:
        raise _layout_error()
    _c1, first, _c2, last = ranges["sub_programs"]
    if last - first + 1 != len(ctx.sub_rows):
        raise _layout_error()
    s, e = ctx.subject_fy, ctx.evaluation_fy
    value_cells = (
        (COL_ACTUAL_S, _("%(year)d年度 実績値") % {"year": s}, s, ValueType.ACTUAL),
        (COL_TARGET_S, _("%(year)d年度 目標値") % {"year": s}, s, ValueType.TARGET),
        (COL_TARGET_E, _("%(year)d年度 目標値") % {"year": e}, e, ValueType.TARGET),
    )
    for offset, sub in enumerate(ctx.sub_rows):
        row = first + offset
        branch = key_text(grid.value(row, COL_BRANCH))
        if branch != key_text(sub.branch_no) or key_text(grid.value(row, COL_NAME)) != key_text(sub.name):
            raise _layout_error()
        for col, header, fy, value_type in value_cells:
            if sub.indicator is not None:
                read_value(grid, report, row, col, header, sub.indicator, fy, value_type, value_ops)
            elif key_text(grid.value(row, col)):
                cell = grid.cell(row, col, header)
                report.reject(
                    cell.sheet,
                    row,
                    cell.column,
                    _("指標が設定されていない事務事業です（指標は画面で設定してください）"),
                )
        for col, column in zip(COST_COLS, ctx.cost_columns, strict=True):
            header = _("%(year)d年度 %(basis)s") % {"year": column.fiscal_year, "basis": column.label}
            _amount(grid, report, row, col, header, sub.sub_program, column, "amount", cost_ops)


def _funding(ctx, grid, ranges, report, cost_ops) -> None:
    if not ctx.funding_rows:
        return
    if "funding" not in ranges:
        raise _layout_error()
    _c1, first, _c2, last = ranges["funding"]
    if last - first + 1 != len(ctx.funding_rows):
        raise _layout_error()
    for offset, funding in enumerate(ctx.funding_rows):
        row = first + offset
        if key_text(grid.value(row, COL_FUNDING_LABEL)) != key_text(funding.label):
            raise _layout_error()
        for col, column in zip(COST_COLS, ctx.cost_columns, strict=True):
            if funding.source_type == FundingSource.GENERAL and grid.is_formula(row, col):
                continue  # 一般財源 derived by the workbook's formula: stays derived
            header = _("%(source)s %(year)d年度 %(basis)s") % {
                "source": funding.label,
                "year": column.fiscal_year,
                "basis": column.label,
            }
            _amount(
                grid, report, row, col, header, ctx.program, column, f"line:{funding.source_type}", cost_ops
            )


def _references(ctx, grid, ranges, report, value_ops) -> None:
    if not ctx.reference_indicators:
        return
    if "reference_indicators" not in ranges:
        raise _layout_error()
    _c1, header_row, _c2, last = ranges["reference_indicators"]
    if last - header_row != REFERENCE_ROWS * len(ctx.reference_indicators):
        raise _layout_error()
    for index, reference in enumerate(ctx.reference_indicators):
        indicator = reference.series.indicator
        target_row = header_row + 1 + REFERENCE_ROWS * index
        if key_text(indicator.name) not in key_text(grid.value(target_row, 1)):
            raise _layout_error()
        for offset, fy in enumerate(ctx.reference_years):
            col = FIRST_YEAR_COL + offset
            for row, value_type, label in (
                (target_row, ValueType.TARGET, _("目標値")),
                (target_row + 1, ValueType.ACTUAL, _("実績値")),
            ):
                header = f"{indicator.name} {fy}年度 {label}"
                read_value(grid, report, row, col, header, indicator, fy, value_type, value_ops)
