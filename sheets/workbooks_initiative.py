"""The 「主な取組」検証票 (Okinawa, form 001) as a formatted Excel workbook (docs/forms.md §3).

Reads the same :class:`~sheets.selectors.InitiativeSheetContext` as the page and the PDF, and lays it
out in the printed order (A4 portrait) with the same rules as the 個表 workbook: numbers are numbers
(千円 ``#,##0``; indicator values with their unit in the number format, ``#,##0"件"``), a status token
is text, a blank stays empty, 達成割合 is the formula ``=IF(AND(ISNUMBER(A),ISNUMBER(B),B<>0),
MIN(A/B,1),"")`` of the capped method, and the raw (uncapped) ratio is kept in the cell's comment.
Every block is a sheet-scoped defined name (:data:`DEFINED_NAMES`); the custom properties
(``layout``, ``sheet_id``, ``evaluation_fy``) let an import find its way back.

Grid (columns A–H):

    A 見出し・活動概要 | B 活動指標名 | C–E 計画・実績値 | F 目標値(B) | G 達成割合 | H 進捗状況
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from hikikomori_eval.excel import (
    AMOUNT_FORMAT,
    STYLE_CENTER,
    STYLE_HEADER,
    STYLE_HEADING,
    STYLE_LABEL,
    STYLE_NUMBER,
    STYLE_TEXT,
    STYLE_TITLE,
    apply_print_settings,
    decimal_format,
    excel_number,
    percent_format,
    put,
    register_styles,
    set_column_widths,
    text_row_height,
)
from indicators.selectors import ValueCell
from sheets.selectors import InitiativeSheetContext
from sheets.workbooks import rate_formula

__all__ = ["DEFINED_NAMES", "LAYOUT", "initiative_sheet_workbook"]

LAYOUT = "oki_initiative/1"
LAST_COL = 8
COLUMN_WIDTHS = {1: 18, 2: 20, 3: 12, 4: 12, 5: 12, 6: 13, 7: 10, 8: 12}
DEFINED_NAMES = (
    "sheet_title",
    "initiative",
    "plan_values",
    "budget",
    "results",
    "rates",
    "progress_status",
    "status_basis",
    "reflections",
    "check_action",
)


def _width(first: int, last: int) -> float:
    return sum(COLUMN_WIDTHS[c] for c in range(first, last + 1))


def _unit_format(cell: ValueCell, prefix: str = "") -> str:
    """#,##0"件" (or "協議会："#,##0"回"): the number stays a number, the cell prints like the form."""
    fmt = decimal_format(cell.decimals)
    head = f'"{prefix}："' if prefix else ""
    tail = f'"{cell.unit}"' if cell.unit else ""
    return f"{head}{fmt}{tail}"


class _Writer:
    def __init__(self, ws: Worksheet, ctx: InitiativeSheetContext):
        self.ws, self.ctx, self.row = ws, ctx, 1

    def name(self, name: str, first_row: int, first_col: int, last_row: int | None = None, last_col=None):
        last_row, last_col = last_row or first_row, last_col or first_col
        ref = f"{get_column_letter(first_col)}{first_row}"
        if (last_row, last_col) != (first_row, first_col):
            ref += f":{get_column_letter(last_col)}{last_row}"
        self.ws.defined_names.add(
            DefinedName(name, attr_text=f"{quote_sheetname(self.ws.title)}!{absolute_coordinate(ref)}")
        )

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = max(self.ws.row_dimensions[row].height or 0, points)

    def text(self, row, first, last, text, *, style=STYLE_TEXT):
        put(self.ws, row, first, text or None, style=style, to_column=last)
        if text:
            self.height(row, text_row_height(text, _width(first, last)))

    def label(self, row, first, last, text):
        self.text(row, first, last, text, style=STYLE_LABEL)

    def heading(self, text: str) -> None:
        put(self.ws, self.row, 1, text, style=STYLE_HEADING)
        self.height(self.row, 22)
        self.row += 1

    def value(self, row, column, cell: ValueCell, prefix: str = "") -> None:
        if cell.number is None and cell.text:
            put(self.ws, row, column, cell.text, style=STYLE_CENTER)
            return
        put(
            self.ws,
            row,
            column,
            excel_number(cell.number),
            style=STYLE_NUMBER,
            number_format=_unit_format(cell, prefix),
        )

    # -- blocks -----------------------------------------------------------------------------
    def header(self) -> None:
        ctx = self.ctx
        put(self.ws, 1, LAST_COL, ctx.form_label, style=STYLE_TEXT, horizontal="right")
        put(self.ws, 2, 1, ctx.title, style=STYLE_TITLE, to_column=LAST_COL)
        self.name("sheet_title", 2, 1)
        self.height(2, 28)
        r = 3
        rows = (
            ("施策展開", f"{ctx.tenkai.code} {ctx.tenkai.name}" if ctx.tenkai else ""),
            ("施策", f"{ctx.shisaku.code}{ctx.shisaku.name}" if ctx.shisaku else ""),
            ("施策の小項目名", ctx.sub_item_label),
            ("施策の方向", f"・{ctx.direction_text}" if ctx.direction_text else ""),
        )
        for label, text in rows:
            self.label(r, 1, 1, label)
            self.text(r, 2, LAST_COL, text)
            r += 1
        self.label(r, 1, 1, "主な取組")
        self.text(r, 2, 4, ctx.program.name)
        self.name("initiative", r, 2)
        self.label(r, 5, 5, "対応する成果指標")
        self.text(r, 6, LAST_COL, ctx.outcome_indicator_name)
        r += 1
        self.label(r, 1, 1, "担当部課【連絡先】")
        self.text(r, 2, 4, f"{ctx.owner_unit_name}【{ctx.phone}】" if ctx.phone else ctx.owner_unit_name)
        self.label(r, 5, 5, "関連URL")
        self.text(r, 6, LAST_COL, ctx.related_url_text)
        self.row = r + 2

    def plan(self) -> None:
        ctx, r = self.ctx, self.row
        self.heading("１　取組の概要（Plan）")
        r = self.row
        years = len(ctx.plan_years)
        last_year_col = 1 + years
        self.label(r, 1, 1, "取組内容")
        self.text(r, 2, LAST_COL, ctx.content_text)
        r += 1
        self.label(r, 1, 1, "主な取組（アクティビティ）")
        for i, label in enumerate(ctx.plan_year_labels):
            put(self.ws, r, 2 + i, label, style=STYLE_HEADER)
        self.label(r, LAST_COL - 1, LAST_COL, "実施主体")
        r += 1
        self.label(r, 1, 1, "年度別計画")
        col = 2
        for part in ctx.plan_texts:
            self.text(r, col, col + part.span - 1, part.text)
            col += part.span
        put(self.ws, r, LAST_COL - 1, ctx.implementing_body, style=STYLE_CENTER, to_column=LAST_COL)
        r += 1
        self.label(r, 1, 1, "活動指標（アウトプット）")
        self.text(r, 2, LAST_COL, ctx.activity_indicator.name if ctx.activity_indicator else "")
        r += 1
        self.label(r, 1, 1, "年度別計画値")
        for i, lines in enumerate(ctx.plan_cells_by_year):
            text = "\n".join(lines)
            put(self.ws, r, 2 + i, text or None, style=STYLE_CENTER)
            self.height(r, text_row_height(text, COLUMN_WIDTHS[2 + i]))
        self.name("plan_values", r, 2, r, max(last_year_col, 2))
        self.row = r + 2

    def do(self) -> None:
        ctx = self.ctx
        self.heading("２　取組の状況（Do）")
        put(self.ws, self.row, 1, "（1）取組の進捗状況", style=STYLE_TEXT, to_column=5)
        put(self.ws, self.row, LAST_COL, "（単位：千円）", style=STYLE_TEXT, horizontal="right")
        self.row += 1
        first_budget = self.row
        for budget in ctx.budget_rows:
            r = self.row
            self.label(r, 1, 1, "予算事業名")
            self.text(r, 2, LAST_COL, budget.name)
            r += 1
            col = 2
            for i, cell in enumerate(budget.cells):
                put(self.ws, r, col, f"{cell.year_label}\n{cell.label}", style=STYLE_HEADER)
                put(
                    self.ws,
                    r + 1,
                    col,
                    excel_number(cell.amount),
                    style=STYLE_NUMBER,
                    number_format=AMOUNT_FORMAT,
                )
                col += 1
                if i > 0:
                    for header, value in (
                        ("主な財源", cell.main_funding),
                        ("実施方法", cell.execution_method),
                    ):
                        put(self.ws, r, col, header, style=STYLE_HEADER)
                        put(self.ws, r + 1, col, value or None, style=STYLE_CENTER)
                        col += 1
            self.height(r, 30)
            self.row = r + 2
        if ctx.budget_rows:
            self.name("budget", first_budget, 1, self.row - 1, LAST_COL)
        r = self.row
        self.label(r, 1, 4, f"{ctx.s_label}活動内容")
        self.label(r, 5, LAST_COL, f"{ctx.s1_label}活動計画")
        self.text(r + 1, 1, 4, ctx.activity_done)
        self.text(r + 1, 5, LAST_COL, ctx.activity_plan)
        self.row = r + 3
        self.results()

    def results(self) -> None:
        ctx, r = self.ctx, self.row
        labels = [
            "活動概要",
            "活動指標名",
            *ctx.result_year_labels[:-1],
            f"{ctx.result_year_labels[-1]}\n実績値(A)",
        ]
        labels += ["目標値(B)", "達成割合\nA/B", f"{ctx.s_short}\n進捗状況"]
        for col, label in enumerate(labels, start=1):
            put(self.ws, r, col, label, style=STYLE_HEADER)
        self.height(r, 30)
        r += 1
        first = r
        for row in ctx.result_rows:
            for col, cell in enumerate(row.earlier, start=3):
                self.value(r, col, cell)
            self.value(r, 5, row.actual)
            self.value(r, 6, row.target, prefix=row.label)
            if row.rate.shown is None and row.rate.text:  # a published rate: X or …（参考値）, text only
                put(self.ws, r, 7, row.rate.text, style=STYLE_CENTER)
                r += 1
                continue
            formula = rate_formula(row.indicator, actual=f"E{r}", target=f"F{r}")
            rate = put(
                self.ws,
                r,
                7,
                formula or excel_number(row.rate.shown),
                style=STYLE_NUMBER,
                number_format=percent_format(row.rate.decimals),
            )
            if row.rate.raw is not None:
                rate.comment = Comment(f"上限前の達成割合: {row.rate.raw_text}", "hikikomori-eval")
            r += 1
        last = max(r - 1, first)
        put(self.ws, first, 1, ctx.activity_overview or None, style=STYLE_TEXT, to_row=last)
        put(
            self.ws,
            first,
            2,
            ctx.activity_indicator.name if ctx.activity_indicator else None,
            style=STYLE_TEXT,
            to_row=last,
        )
        put(self.ws, first, 8, ctx.progress_label or None, style=STYLE_CENTER, to_row=last)
        self.height(
            first, text_row_height(ctx.activity_overview, COLUMN_WIDTHS[1]) / max(1, last - first + 1)
        )
        self.name("results", first, 1, last, LAST_COL)
        self.name("rates", first, 7, last, 7)
        self.name("progress_status", first, 8)
        r = last + 1
        self.label(r, 1, LAST_COL, "進捗状況の判定根拠、要因及び取組の効果")
        self.text(r + 1, 1, LAST_COL, ctx.status_basis)
        self.name("status_basis", r + 1, 1)
        self.row = r + 3

    def reflections(self) -> None:
        ctx, r = self.ctx, self.row
        put(self.ws, r, 1, "(２)これまでの改善案の反映状況", style=STYLE_TEXT, to_column=LAST_COL)
        r += 1
        self.label(r, 1, 4, ctx.reflection_year_label)
        self.label(r, 5, LAST_COL, "反映状況")
        r += 1
        first = r
        for row in ctx.reflections:
            self.text(r, 1, 4, row.plan_text)
            self.text(r, 5, LAST_COL, row.reflection_text)
            r += 1
        if ctx.reflections:
            self.name("reflections", first, 1, r - 1, LAST_COL)
        self.row = r + 1

    def check_action(self) -> None:
        ctx, r = self.ctx, self.row
        put(self.ws, r, 1, "３　取組の検証（Check）", style=STYLE_HEADING, to_column=4)
        put(self.ws, r, 5, "４　取組の改善案（Action）", style=STYLE_HEADING, to_column=LAST_COL)
        r += 1
        for col, last, label in ((1, 1, "類型"), (2, 4, "内容"), (5, 5, "類型"), (6, LAST_COL, "内容")):
            self.label(r, col, last, label)
        r += 1
        first = r
        for check, action in ctx.check_action_pairs:
            self.text(r, 1, 1, check.type_label if check else "")
            self.text(r, 2, 4, check.content if check else "")
            self.text(r, 5, 5, action.type_label if action else "")
            self.text(r, 6, LAST_COL, action.content if action else "")
            r += 1
        if ctx.check_action_pairs:
            self.name("check_action", first, 1, r - 1, LAST_COL)
        self.row = r


def initiative_sheet_workbook(ctx: InitiativeSheetContext) -> Workbook:
    """The 検証票 of one initiative as a workbook with one worksheet."""
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = "主な取組"
    set_column_widths(ws, COLUMN_WIDTHS)
    ws.sheet_view.showGridLines = False
    writer = _Writer(ws, ctx)
    writer.header()
    writer.plan()
    writer.do()
    writer.reflections()
    writer.check_action()
    apply_print_settings(
        ws,
        landscape=False,
        print_area=f"A1:{get_column_letter(LAST_COL)}{writer.row - 1}",
        footer_left=ctx.program.name,
    )
    wb.properties.title = f"{ctx.title}　{ctx.program.name}"
    wb.properties.creator = "hikikomori-eval"
    for prop in (
        StringProperty(name="layout", value=LAYOUT),
        IntProperty(name="sheet_id", value=ctx.sheet.pk),
        IntProperty(name="evaluation_fy", value=ctx.evaluation_fy),
    ):
        wb.custom_doc_props.append(prop)
    return wb
