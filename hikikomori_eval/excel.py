"""Shared helpers for the formatted Excel workbooks (openpyxl): styles, number formats, printing.

The sheet workbooks (``sheets/workbooks.py``) lay a printed form out on a grid. This module holds
what every such workbook shares, so all exports look alike:

- :func:`workbook_bytes` serialises a workbook for a download;
- :func:`register_styles` adds the named cell styles (label, header, text, number …) to a workbook;
  :func:`put` writes a value into a cell or a merged range with one of them;
- the number formats (千円, percent, FTE) and :func:`decimal_format` for an indicator's decimals;
- :func:`excel_number` turns a Decimal into the int/float a cell stores (never text, never 0 for blank);
- :func:`apply_print_settings` for A4 landscape, fit to one page wide.

Fonts are not embedded in an xlsx: :data:`FONT_NAME` only names a Japanese font that Excel on
Windows and macOS has; LibreOffice substitutes its own.
"""

from __future__ import annotations

import math
import unicodedata
from decimal import Decimal
from io import BytesIO

from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "AMOUNT_FORMAT",
    "DECIMAL_1",
    "FONT_NAME",
    "FTE_FORMAT",
    "INTEGER_FORMAT",
    "LABEL_FILL",
    "PAPER_A4",
    "PERCENT_0",
    "PERCENT_1",
    "STYLE_CENTER",
    "STYLE_HEADER",
    "STYLE_HEADING",
    "STYLE_LABEL",
    "STYLE_NOTE",
    "STYLE_NUMBER",
    "STYLE_TEXT",
    "STYLE_TITLE",
    "TEXT_FORMAT",
    "apply_print_settings",
    "decimal_format",
    "excel_number",
    "percent_format",
    "put",
    "register_styles",
    "set_column_widths",
    "text_row_height",
    "workbook_bytes",
]

#: A Japanese font every Japanese Excel (2016+, Windows and macOS) has; a name only, not embedded.
FONT_NAME = "游ゴシック"
FONT_SIZE = 10

#: 千円 amounts: integers with thousands separators.
AMOUNT_FORMAT = "#,##0"
INTEGER_FORMAT = "#,##0"
#: Rates are stored as fractions (0.8333…) and shown as percent: 83% / 83.3%.
PERCENT_0 = "0%"
PERCENT_1 = "0.0%"
#: Staff numbers (人工): 2.1.
FTE_FORMAT = "0.0"
DECIMAL_1 = "#,##0.0"
#: Cells holding text that looks like a number (choice codes, raw benchmark values) stay text.
TEXT_FORMAT = "@"

#: openpyxl / SpreadsheetML paper size code of A4.
PAPER_A4 = 9

LABEL_FILL = PatternFill(fill_type="solid", start_color="FFD9D9D9", end_color="FFD9D9D9")
_THIN = Side(style="thin", color="FF000000")
THIN_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

STYLE_TITLE = "he_title"
STYLE_HEADING = "he_heading"
STYLE_NOTE = "he_note"
STYLE_LABEL = "he_label"
STYLE_HEADER = "he_header"
STYLE_TEXT = "he_text"
STYLE_CENTER = "he_center"
STYLE_NUMBER = "he_number"


def _named_styles() -> list[NamedStyle]:
    """Fresh NamedStyle objects (a NamedStyle binds to one workbook, so never share instances)."""

    def font(**kwargs) -> Font:
        return Font(name=FONT_NAME, size=kwargs.pop("size", FONT_SIZE), **kwargs)

    return [
        NamedStyle(
            name=STYLE_TITLE,
            font=font(size=14, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        ),
        NamedStyle(
            name=STYLE_HEADING,
            font=font(size=11, bold=True),
            alignment=Alignment(horizontal="left", vertical="center"),
        ),
        NamedStyle(
            name=STYLE_NOTE,
            font=font(size=9),
            alignment=Alignment(horizontal="left", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            name=STYLE_LABEL,
            font=font(),
            fill=LABEL_FILL,
            border=THIN_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            name=STYLE_HEADER,
            font=font(bold=True),
            fill=LABEL_FILL,
            border=THIN_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            name=STYLE_TEXT,
            font=font(),
            border=THIN_BORDER,
            alignment=Alignment(horizontal="left", vertical="top", wrap_text=True),
        ),
        NamedStyle(
            name=STYLE_CENTER,
            font=font(),
            border=THIN_BORDER,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        ),
        NamedStyle(
            name=STYLE_NUMBER,
            font=font(),
            border=THIN_BORDER,
            alignment=Alignment(horizontal="right", vertical="center"),
        ),
    ]


def register_styles(wb: Workbook) -> None:
    """Add the shared named styles to ``wb`` (idempotent)."""
    existing = set(wb.named_styles)
    for style in _named_styles():
        if style.name not in existing:
            wb.add_named_style(style)


def put(
    ws: Worksheet,
    row: int,
    column: int,
    value=None,
    *,
    style: str = STYLE_TEXT,
    number_format: str | None = None,
    to_row: int | None = None,
    to_column: int | None = None,
    horizontal: str | None = None,
):
    """Write ``value`` into (row, column) with a named style; merge up to (to_row, to_column).

    The style goes on the top-left cell before merging, so openpyxl copies its border to the
    edges of the merged range. Returns the written cell.
    """
    cell = ws.cell(row=row, column=column)
    cell.style = style
    if number_format is not None:
        cell.number_format = number_format
    if horizontal is not None:
        current = cell.alignment
        cell.alignment = Alignment(
            horizontal=horizontal, vertical=current.vertical, wrap_text=current.wrap_text
        )
    if value is not None and value != "":
        cell.value = value
    last_row, last_column = to_row or row, to_column or column
    if (last_row, last_column) != (row, column):
        ws.merge_cells(start_row=row, start_column=column, end_row=last_row, end_column=last_column)
    return cell


def excel_number(value: Decimal | int | None) -> int | float | None:
    """A Decimal as the number a cell stores: int when whole (720, 60), else float (2.1); None stays None."""
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def decimal_format(decimals: int) -> str:
    """Number format for a value shown with ``decimals`` places: 0 -> '#,##0', 1 -> '#,##0.0'."""
    return INTEGER_FORMAT if decimals <= 0 else f"#,##0.{'0' * decimals}"


def percent_format(decimals: int) -> str:
    """Percent format with ``decimals`` places: 0 -> '0%', 1 -> '0.0%'."""
    return PERCENT_0 if decimals <= 0 else f"0.{'0' * decimals}%"


def set_column_widths(ws: Worksheet, widths: dict[int | str, float]) -> None:
    """Column widths in Excel character units, keyed by column index (1 = A) or letter."""
    for key, width in widths.items():
        letter = get_column_letter(key) if isinstance(key, int) else key
        ws.column_dimensions[letter].width = width


def _display_width(text: str) -> int:
    """Width in half-width character units (full-width CJK counts 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("F", "W", "A") else 1 for ch in text)


def text_row_height(text: str, width: float, *, font_size: float = FONT_SIZE, minimum: float = 18.0) -> float:
    """Row height (points) that shows ``text`` wrapped in ``width`` character units.

    Excel does not grow rows under merged cells by itself, so wrapped text there needs an explicit
    height. Estimate: lines = Σ per paragraph ⌈display width / usable width⌉, 1.5 × font size per line.
    """
    usable = max(width * 0.95 - 1, 1)
    lines = sum(max(1, math.ceil(_display_width(part) / usable)) for part in (text or "").split("\n"))
    return max(minimum, round(lines * font_size * 1.5 + 4, 1))


def apply_print_settings(
    ws: Worksheet,
    *,
    landscape: bool = True,
    fit_width: int = 1,
    fit_height: int = 0,
    title_rows: str | None = None,
    print_area: str | None = None,
    margins: PageMargins | None = None,
    footer_left: str = "",
) -> None:
    """A4 (landscape by default), fit to ``fit_width`` page(s) wide and as many pages tall as needed.

    ``fit_height=0`` means "automatic" in Excel and LibreOffice. ``title_rows`` ("1:2") repeat on
    every page. Page number in the footer's centre, ``footer_left`` (e.g. the program code) at left.
    """
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = fit_width
    ws.page_setup.fitToHeight = fit_height
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins = margins or PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.3, footer=0.3)
    if title_rows:
        ws.print_title_rows = title_rows
    if print_area:
        ws.print_area = print_area
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.size = 9
    if footer_left:
        ws.oddFooter.left.text = footer_left.replace("&", "&&")
        ws.oddFooter.left.size = 9


def workbook_bytes(wb: Workbook) -> bytes:
    """The workbook as xlsx bytes (for an HTTP response or a file)."""
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
