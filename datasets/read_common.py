"""What the readers of the per-sheet workbooks share: finding the sheet, the blocks and the cells.

Each per-sheet workbook (``sheets/workbooks*.py``) writes its layout id, the sheet's id and its
evaluation year in the custom document properties, and most name their blocks (sheet-scoped defined
names). A reader finds the sheet the workbook names, checks every block against the sheet's current
context (the same selector that wrote it) and turns the importable cells into ops; a block that is
not where the export put it refuses the whole file (:func:`layout_error`), so a value can never land
on the wrong row. Cells that print a figure computed elsewhere are compared with what the export
would write now: unchanged is fine, changed is refused cell by cell (:func:`check_computed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from datasets.ops import Cell, CostOp, ValueOp, key_text, number_text
from datasets.read_dataset import formula_message
from datasets.report import ImportRejected, ImportReport
from hikikomori_eval.numbers import parse_amount, parse_value
from indicators.choices import ValueStatus
from indicators.selectors import ValueCell
from sheets.models import EvaluationSheet

#: A per-sheet workbook is a few hundred rows: more than this is not one of ours.
MAX_ROWS = 20_000


def rolled_up_message() -> str:
    return _("事業から集計される値のため取り込めません")


@dataclass
class SheetRead:
    """What a per-sheet workbook asks to write, and the sheet it belongs to (it governs every op)."""

    sheet: EvaluationSheet
    value_ops: list[ValueOp] = field(default_factory=list)
    cost_ops: list[CostOp] = field(default_factory=list)
    #: 予算事業 the sheet prints: their figures may be written through it (as its edit page does).
    budget_project_ids: set[int] = field(default_factory=set)


def workbook_properties(wb) -> dict:
    return {prop.name: prop.value for prop in getattr(wb, "custom_doc_props", [])}


def layout_error(form: str) -> ImportRejected:
    return ImportRejected(
        _(
            "%(form)sの Excel の構成が、現在の評価シートと一致しません"
            "（出力後に行や指標が変わった可能性があります）。"
            "もう一度 Excel を出力し、値を入力し直してから取り込んでください。"
        )
        % {"form": form}
    )


def find_sheet(wb, form_type: str, *related: str) -> EvaluationSheet:
    """The sheet the workbook's properties name (same id, form and evaluation year), else refuse."""
    props = workbook_properties(wb)
    sheet = (
        EvaluationSheet.objects.select_related("program", "policy_node", *related)
        .filter(pk=props.get("sheet_id"), form_type=form_type)
        .first()
    )
    if sheet is None or sheet.evaluation_fy != props.get("evaluation_fy"):
        raise ImportRejected(_("このブックの評価シートが見つかりません（別の年度や削除されたシートです）。"))
    return sheet


def only_worksheet(wb, form: str):
    if len(wb.worksheets) != 1:
        raise layout_error(form)
    return wb.worksheets[0]


def defined_ranges(ws) -> dict[str, tuple[int, int, int, int]]:
    """Sheet-scoped defined names as (min_col, min_row, max_col, max_row)."""
    found = {}
    for name, definition in getattr(ws, "defined_names", {}).items():
        ref = definition.attr_text.rsplit("!", 1)[-1].replace("$", "")
        try:
            found[name] = range_boundaries(ref)
        except ValueError:
            continue  # a name a user added by hand that is not a plain range
    return found


class Grid:
    """The rows of the worksheet a reader needs (all of them when ``rows`` is None), read once."""

    def __init__(self, ws, title: str, rows: set[int] | None = None, *, form: str = ""):
        self.title = title
        self.cells: dict[tuple[int, int], object] = {}
        self.last_row = 0
        if rows is not None and not rows:
            return
        ws.reset_dimensions()
        for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=max(rows) if rows else None), start=1):
            if number > MAX_ROWS:
                raise layout_error(form)
            if rows is None or number in rows:
                for col, cell in enumerate(cells, start=1):
                    if getattr(cell, "value", None) is not None:
                        self.cells[(number, col)] = cell
                        self.last_row = number

    def value(self, row: int, col: int):
        return getattr(self.cells.get((row, col)), "value", None)

    def text(self, row: int, col: int) -> str:
        return key_text(self.value(row, col))

    def is_formula(self, row: int, col: int) -> bool:
        return getattr(self.cells.get((row, col)), "data_type", None) == "f"

    def is_blank(self, row: int, col: int) -> bool:
        return self.text(row, col) == ""

    def cell(self, row: int, col: int, header: str) -> Cell:
        return Cell(self.title, row, get_column_letter(col), header)

    def find_in_column(self, col: int, text: str) -> list[int]:
        wanted = key_text(text)
        return sorted(row for (row, c) in self.cells if c == col and self.text(row, c) == wanted)


def expect(grid: Grid, row: int, col: int, text, form: str) -> None:
    """The key cell must still read as the export wrote it, or the layout moved."""
    if grid.text(row, col) != key_text(text):
        raise layout_error(form)


def year_header(year: int) -> str:
    return _("%(year)d年度") % {"year": year}


def read_value(grid: Grid, report: ImportReport, row, col, header, indicator, fy, value_type, ops) -> None:
    """One indicator cell as a ValueOp, parsed like the edit form (numbers, units, 未実施 / ―)."""
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


def read_amount(grid: Grid, report: ImportReport, row, col, header) -> tuple[bool, Decimal | None, Cell]:
    """A 千円 cell: (readable, amount, cell); a formula or a bad number is rejected here."""
    cell = grid.cell(row, col, header)
    if grid.is_formula(row, col):
        report.reject(cell.sheet, cell.row, cell.column, formula_message(), field=header)
        return False, None, cell
    try:
        return True, parse_amount(number_text(grid.value(row, col))), cell
    except (ValueError, TypeError) as error:
        report.reject(cell.sheet, cell.row, cell.column, str(error), field=header)
        return False, None, cell


def reject_typed(grid: Grid, report: ImportReport, row: int, col: int, header: str, message: str) -> None:
    """A cell the export leaves empty and nothing may fill: anything typed there is rejected."""
    if not grid.is_blank(row, col):
        cell = grid.cell(row, col, header)
        report.reject(cell.sheet, cell.row, cell.column, message, field=header)


def _number(value) -> tuple[bool, Decimal | str | None]:
    """(parsed, what the cell holds: a Decimal, a status, or None for blank)."""
    try:
        parsed = parse_value(number_text(value))
    except (ValueError, TypeError):
        return False, None
    if parsed.status == ValueStatus.OK:
        return True, parsed.value
    return True, parsed.status or None


def _formula_text(text) -> str:
    return re.sub(r"[\s$]", "", str(text or "")).upper()


def same_as_printed(grid: Grid, row: int, col: int, printed: ValueCell) -> bool:
    """Whether an indicator cell still holds what the export printed (number or status token)."""
    if grid.is_formula(row, col):
        return False
    ok, held = _number(grid.value(row, col))
    if not ok:
        return False
    if printed.number is not None:
        return held == printed.number
    return held == (printed.status if printed.text else None)


def check_computed(
    grid: Grid,
    report: ImportReport,
    row: int,
    col: int,
    header: str,
    expected: Decimal | int | None,
    *,
    formula: str | None = None,
    message: str | None = None,
) -> None:
    """A computed cell (rolled-up money, 事務事業数 …): refused, with the reason, when it was changed.

    ``formula`` is what the export writes there (``=SUM(E30:E66)``): that formula, or its value pasted
    as a number, is unchanged. Without it the cell must hold ``expected`` (blank for None).
    """
    if formula is not None and grid.is_formula(row, col):
        unchanged = _formula_text(grid.value(row, col)) == _formula_text(formula)
    elif grid.is_formula(row, col):
        unchanged = False
    else:
        ok, held = _number(grid.value(row, col))
        unchanged = ok and held == (Decimal(expected) if expected is not None else None)
    if not unchanged:
        cell = grid.cell(row, col, header)
        report.reject(cell.sheet, cell.row, cell.column, message or rolled_up_message(), field=header)


def block_rows(ranges: dict, name: str, form: str, *, rows: int | None = None, cols: int | None = None):
    """(first row, last row, first col, last col) of a named block, checking its size when given."""
    if name not in ranges:
        raise layout_error(form)
    c1, r1, c2, r2 = ranges[name]
    if (rows is not None and r2 - r1 + 1 != rows) or (cols is not None and c2 - c1 + 1 != cols):
        raise layout_error(form)
    return r1, r2, c1, c2
