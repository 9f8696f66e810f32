"""The portfolio as an Excel workbook: the program table and the distributions, as the page shows them."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from benchmarks.analytics import PortfolioContext
from hikikomori_eval.excel import (
    AMOUNT_FORMAT,
    STYLE_HEADER,
    STYLE_NUMBER,
    STYLE_TEXT,
    STYLE_TITLE,
    apply_print_settings,
    decimal_format,
    excel_number,
    put,
    register_styles,
    set_column_widths,
    workbook_bytes,
)


def portfolio_workbook(ctx: PortfolioContext) -> bytes:
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = _("事業別")
    put(ws, 1, 1, f"{ctx.title}　{ctx.s_label}", style=STYLE_TITLE)
    headers = [
        _("事業番号"),
        _("事業名"),
        _("主管課"),
        _("今後の方針"),
        _("事業費（千円）"),
        _("人件費（千円）"),
        _("総事業費（千円）"),
        _("前年度の総事業費（千円）"),
        _("増減（千円）"),
        _("増減率（%）"),
        _("達成した指標"),
        _("達成度を算定できた指標"),
    ]
    for column, header in enumerate(headers, start=1):
        put(ws, 3, column, header, style=STYLE_HEADER)
    amounts = ("project_cost", "personnel_cost", "total_cost", "previous_total", "change")
    for r, row in enumerate(ctx.rows, start=4):
        for column, value in enumerate(
            [row.program.code, row.program.name, row.program.owner_unit.name, row.direction], start=1
        ):
            put(ws, r, column, value, style=STYLE_TEXT)
        for column, name in enumerate(amounts, start=5):
            put(
                ws,
                r,
                column,
                excel_number(getattr(row, name)),
                style=STYLE_NUMBER,
                number_format=AMOUNT_FORMAT,
            )
        put(ws, r, 10, excel_number(row.change_pct), style=STYLE_NUMBER, number_format=decimal_format(1))
        put(ws, r, 11, row.achieved, style=STYLE_NUMBER)
        put(ws, r, 12, row.rated, style=STYLE_NUMBER)
    total_row = 4 + len(ctx.rows)
    put(ws, total_row, 1, _("合計"), style=STYLE_HEADER, to_column=4)
    put(ws, total_row, 7, excel_number(ctx.total), style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)
    put(ws, total_row, 8, excel_number(ctx.previous_total), style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)
    set_column_widths(ws, {1: 10, 2: 34, 3: 16, 4: 14, **{c: 14 for c in range(5, 13)}})
    apply_print_settings(ws, title_rows="3:3")
    for distribution in ctx.distributions:
        sheet = wb.create_sheet(distribution.label[:31])
        put(sheet, 1, 1, distribution.label, style=STYLE_TITLE)
        put(sheet, 3, 1, _("区分"), style=STYLE_HEADER)
        put(sheet, 3, 2, _("件数"), style=STYLE_HEADER)
        for r, (label, count) in enumerate(distribution.counts, start=4):
            put(sheet, r, 1, label, style=STYLE_TEXT)
            put(sheet, r, 2, count, style=STYLE_NUMBER)
        set_column_widths(sheet, {1: 24, 2: 10})
    return workbook_bytes(wb)
