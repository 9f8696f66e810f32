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
from openpyxl.utils import get_column_letter, range_boundaries

from datasets.ops import Cell, CostOp, ValueOp, key_text, number_text
from datasets.read_dataset import formula_message
from datasets.report import ImportRejected, ImportReport
from hikikomori_eval.numbers import parse_amount, parse_value
from indicators.choices import FundingSource, ValueType
from sheets.choices import FormType
from sheets.models import EvaluationSheet
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


def workbook_properties(wb) -> dict:
    return {prop.name: prop.value for prop in getattr(wb, "custom_doc_props", [])}


def is_program_sheet_workbook(wb) -> bool:
    return workbook_properties(wb).get("layout") == LAYOUT


def _layout_error() -> ImportRejected:
    return ImportRejected(
        _(
            "個表の Excel の構成が、現在の評価シートと一致しません"
            "（出力後に事務事業や指標が変わった可能性があります）。"
            "もう一度 Excel を出力し、値を入力し直してから取り込んでください。"
        )
    )


def _ranges(ws) -> dict[str, tuple[int, int, int, int]]:
    """Sheet-scoped defined names as (min_col, min_row, max_col, max_row)."""
    found = {}
    for name, definition in getattr(ws, "defined_names", {}).items():
        ref = definition.attr_text.rsplit("!", 1)[-1].replace("$", "")
        found[name] = range_boundaries(ref)
    return found


class _Grid:
    """The rows of the worksheet that the blocks cover (a 個表 is small: read once)."""

    def __init__(self, ws, title: str, rows: set[int]):
        self.title = title
        self.cells: dict[tuple[int, int], object] = {}
        if not rows:
            return
        ws.reset_dimensions()
        for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=max(rows)), start=1):
            if number in rows:
                for col, cell in enumerate(cells, start=1):
                    self.cells[(number, col)] = cell

    def value(self, row: int, col: int):
        return getattr(self.cells.get((row, col)), "value", None)

    def is_formula(self, row: int, col: int) -> bool:
        return getattr(self.cells.get((row, col)), "data_type", None) == "f"

    def cell(self, row: int, col: int, header: str) -> Cell:
        return Cell(self.title, row, get_column_letter(col), header)


def read_program_sheet(wb, report: ImportReport) -> tuple[list[ValueOp], list[CostOp], EvaluationSheet]:
    """Ops of a 個表 workbook; rejects the file when it does not match the sheet it names."""
    props = workbook_properties(wb)
    sheet = (
        EvaluationSheet.objects.select_related("program")
        .filter(pk=props.get("sheet_id"), form_type=FormType.KAMAKURA_PROGRAM)
        .first()
    )
    if (
        sheet is None
        or sheet.program.code != props.get("program_code")
        or sheet.evaluation_fy != props.get("evaluation_fy")
    ):
        raise ImportRejected(
            _("このブックの評価シート（%(code)s）が見つかりません。")
            % {"code": props.get("program_code", "")}
        )
    if len(wb.worksheets) != 1:
        raise _layout_error()
    ws = wb.worksheets[0]
    ranges = _ranges(ws)
    ctx = program_sheet_context(sheet_id=sheet.pk)
    needed: set[int] = set()
    for name in ("sub_programs", "funding", "reference_indicators"):
        if name in ranges:
            _c1, r1, _c2, r2 = ranges[name]
            needed.update(range(r1, r2 + 1))
    grid = _Grid(ws, ws.title, needed)
    value_ops: list[ValueOp] = []
    cost_ops: dict[tuple, CostOp] = {}
    _sub_programs(ctx, grid, ranges, report, value_ops, cost_ops)
    _funding(ctx, grid, ranges, report, cost_ops)
    _references(ctx, grid, ranges, report, value_ops)
    return value_ops, list(cost_ops.values()), sheet


def _value(grid: _Grid, report, row, col, header, indicator, fy, value_type, ops) -> None:
    cell = grid.cell(row, col, header)
    if grid.is_formula(row, col):
        report.reject(cell.sheet, cell.row, cell.column, formula_message(), field=header)
        return
    try:
        parsed = parse_value(number_text(grid.value(row, col)))
    except (ValueError, TypeError) as error:
        report.reject(cell.sheet, cell.row, cell.column, str(error), field=header)
        return
    ops.append(ValueOp(cell, indicator, fy, value_type, parsed))


def _amount(grid: _Grid, report, row, col, header, owner, column, field, cost_ops) -> None:
    cell = grid.cell(row, col, header)
    if grid.is_formula(row, col):
        report.reject(cell.sheet, cell.row, cell.column, formula_message(), field=header)
        return
    try:
        amount = parse_amount(number_text(grid.value(row, col)))
    except (ValueError, TypeError) as error:
        report.reject(cell.sheet, cell.row, cell.column, str(error), field=header)
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
                _value(grid, report, row, col, header, sub.indicator, fy, value_type, value_ops)
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
                _value(grid, report, row, col, header, indicator, fy, value_type, value_ops)
