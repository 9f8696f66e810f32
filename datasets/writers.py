"""Write a dataset as one xlsx workbook, a zip of CSV files, or a single CSV, streaming.

- xlsx: xlsxwriter with ``constant_memory``: each row goes to a temporary file as soon as the next
  one starts, so memory does not grow with the number of rows. Numbers are numbers (千円 ``#,##0``,
  rates as fractions shown ``0.0%``), dates are dates, a status token (未実施, 未定, ―) is text and a
  blank stays empty. Text is never turned into a formula or a URL.
- CSV: UTF-8 with a BOM (Excel opens it without mojibake), CRLF, one file per dataset sheet. With
  ``--format csv`` the export is a zip of ``<slug>.csv`` files (ASCII names, so every unzip tool
  keeps them); with ``--sheet <slug>`` it is that one CSV. Rates are written as percent (``83.3%``),
  dates as ISO dates, and a text starting with = + - @ gets a leading ' so a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal

import xlsxwriter
from django.utils import timezone

from datasets import selectors
from datasets.definitions import (
    AMOUNT,
    DATASET_SHEETS,
    DATE,
    DATETIME,
    FISCAL_YEAR,
    FLAG,
    FLAG_MARK,
    INFO_SHEET_TITLE,
    INTEGER,
    LAYOUT,
    NUMBER,
    RATIO,
    SheetSpec,
)
from datasets.resources import RESOURCES
from hikikomori_eval.excel import AMOUNT_FORMAT, FONT_NAME, excel_number
from indicators.calculations import ratio_to_percent

Progress = Callable[[int], None]
#: How often (in rows) the progress callback is told.
PROGRESS_EVERY = 1000

_QUERYSETS = {
    "programs": selectors.program_queryset,
    "indicators": selectors.indicator_queryset,
    "staffing": selectors.staffing_queryset,
    "evaluations": selectors.evaluation_queryset,
    "sub_program_evaluations": selectors.sub_program_evaluation_queryset,
}
_ROW_FUNCTIONS = {"indicator_values": selectors.value_rows, "costs": selectors.cost_rows}
_COUNT_QUERYSETS = {
    **_QUERYSETS,
    "indicator_values": selectors.value_queryset,
    "costs": selectors.cost_queryset,
}


def sheet_rows(spec: SheetSpec, scope: selectors.DatasetScope) -> Iterator[list]:
    """The rows of one dataset sheet, each a list aligned with ``spec.columns`` (native values)."""
    if spec.slug in _ROW_FUNCTIONS:
        return _ROW_FUNCTIONS[spec.slug](scope)
    return RESOURCES[spec.slug]().rows(_QUERYSETS[spec.slug](scope))


def row_count(scope: selectors.DatasetScope, specs=DATASET_SHEETS) -> int:
    """How many rows an export writes (one COUNT per sheet): the denominator of the progress bar."""
    return sum(_COUNT_QUERYSETS[spec.slug](scope).order_by().count() for spec in specs)


def _local(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


class _Counter:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.done = 0

    def tick(self) -> None:
        self.done += 1
        if self.progress and self.done % PROGRESS_EVERY == 0:
            self.progress(self.done)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.done)


# ---- xlsx ------------------------------------------------------------------------------------


class _XlsxFormats:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT_NAME, "font_size": 10}
        self.header = wb.add_format(
            {**base, "bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True}
        )
        self.key_header = wb.add_format(
            {**base, "bold": True, "bg_color": "#BDD7EE", "border": 1, "text_wrap": True}
        )
        self.importable_header = wb.add_format(
            {**base, "bold": True, "bg_color": "#FFE699", "border": 1, "text_wrap": True}
        )
        self.text = wb.add_format(base)
        self.amount = wb.add_format({**base, "num_format": AMOUNT_FORMAT})
        self.ratio = wb.add_format({**base, "num_format": "0.0%"})
        self.date = wb.add_format({**base, "num_format": "yyyy-mm-dd"})
        self.datetime = wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"})

    def for_header(self, column) -> object:
        if column.importable:
            return self.importable_header
        return self.key_header if column.key else self.header


def _cell_writer(ws, kind: str, fmt: _XlsxFormats) -> Callable[[int, int, object], None]:
    """The writer of a non-blank cell of a ``kind`` column.

    Chosen once per column, not once per cell: the kind dispatch per cell was a tenth of the export.
    A string in any column but a flag is text (a status token such as 未実施 in a number column).
    """
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime
    text = fmt.text

    if kind == FLAG:

        def write(row, col, value):
            if value is True:
                write_string(row, col, FLAG_MARK, text)

        return write

    def number_writer(cell_format, convert):
        def write(row, col, value):
            if isinstance(value, str):
                write_string(row, col, value, text)
            else:
                write_number(row, col, convert(value), cell_format)

        return write

    if kind == AMOUNT:
        return number_writer(fmt.amount, excel_number)
    if kind == RATIO:
        return number_writer(fmt.ratio, float)
    if kind in (NUMBER, INTEGER, FISCAL_YEAR):
        return number_writer(text, excel_number)
    if kind in (DATETIME, DATE):
        cell_format, convert = (fmt.datetime, _local) if kind == DATETIME else (fmt.date, None)

        def write(row, col, value):
            if isinstance(value, str):
                write_string(row, col, value, text)
            else:
                write_datetime(row, col, convert(value) if convert else value, cell_format)

        return write

    def write(row, col, value):
        write_string(row, col, value if isinstance(value, str) else str(value), text)

    return write


def _write_rows(ws, spec: SheetSpec, rows, fmt: _XlsxFormats, counter: _Counter) -> int:
    """Write ``rows`` under the header row; return the number of the last row written (0: none)."""
    writers = [_cell_writer(ws, column.kind, fmt) for column in spec.columns]
    width = len(writers)
    row_index = 0
    for row_index, row in enumerate(rows, start=1):
        if len(row) != width:
            raise ValueError(f"{spec.slug}: row {row_index} has {len(row)} cells, not {width}")
        for col, value in enumerate(row):
            if value is not None and value != "":
                writers[col](row_index, col, value)
        counter.tick()
    return row_index


def _info_sheet(wb, fmt: _XlsxFormats, info: list[tuple[str, str]]) -> None:
    ws = wb.add_worksheet(INFO_SHEET_TITLE)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 90)
    ws.write_row(0, 0, ["項目", "内容"], fmt.header)
    for i, (label, text) in enumerate(info, start=1):
        ws.write_string(i, 0, label, fmt.text)
        ws.write_string(i, 1, text, fmt.text)


def write_xlsx(
    scope: selectors.DatasetScope,
    target,
    *,
    info: list[tuple[str, str]] = (),
    progress: Progress | None = None,
    specs=DATASET_SHEETS,
) -> int:
    """Write the dataset workbook to ``target`` (a path or a binary file); return the number of rows."""
    wb = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    wb.set_custom_property("layout", LAYOUT)
    wb.set_properties({"title": "行政評価データセット", "author": "hikikomori-eval"})
    fmt = _XlsxFormats(wb)
    counter = _Counter(progress)
    _info_sheet(wb, fmt, list(info))
    for spec in specs:
        ws = wb.add_worksheet(spec.title)
        for i, column in enumerate(spec.columns):
            ws.set_column(i, i, column.width)
            ws.write_string(0, i, column.header, fmt.for_header(column))
        ws.freeze_panes(1, 0)
        last_row = _write_rows(ws, spec, sheet_rows(spec, scope), fmt, counter)
        ws.autofilter(0, 0, max(last_row, 1), len(spec.columns) - 1)
    wb.close()
    counter.finish()
    return counter.done


# ---- CSV ---------------------------------------------------------------------------------------

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(kind: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind == FLAG:
        return FLAG_MARK if value is True else ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_RISKY_START) else value
    if kind == RATIO:
        return f"{ratio_to_percent(Decimal(value), decimals=1)}%"
    if kind == DATETIME:
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if kind == DATE:
        return value.isoformat()
    if isinstance(value, Decimal):
        number = excel_number(value)
        return str(number) if isinstance(number, int) else format(value.normalize(), "f")
    return str(value)


def write_csv(
    scope: selectors.DatasetScope, spec: SheetSpec, target, *, counter: _Counter | None = None
) -> int:
    """One dataset sheet as CSV (UTF-8 with BOM, CRLF) into the binary file ``target``."""
    counter = counter or _Counter(None)
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(spec.headers)
        kinds = [c.kind for c in spec.columns]
        for row in sheet_rows(spec, scope):
            writer.writerow([_csv_value(kind, value) for kind, value in zip(kinds, row, strict=True)])
            counter.tick()
        text.flush()
    finally:
        text.detach()
    return counter.done


def write_csv_zip(
    scope: selectors.DatasetScope, target, *, progress: Progress | None = None, specs=DATASET_SHEETS
) -> int:
    """Every dataset sheet as ``<slug>.csv`` in one zip written to ``target`` (a path or binary file)."""
    counter = _Counter(progress)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for spec in specs:
            with archive.open(f"{spec.slug}.csv", "w", force_zip64=True) as entry:
                write_csv(scope, spec, entry, counter=counter)
    counter.finish()
    return counter.done
