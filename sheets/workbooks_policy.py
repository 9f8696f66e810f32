"""The 行政評価シート（施策の方針） (Kamakura, form 002) as an Excel workbook (docs/forms.md §4).

Reads the same :class:`~sheets.selectors.PolicySheetContext` as the page and the PDF, in the printed
order (A4 landscape). Money and indicator values are numbers (``#,##0`` / ``#,##0.0``), a status token
(未実施 / 未定) is text, a blank stays empty. §2 総事業費 and the §3 合計 row are ``SUM`` formulas over the
cells above (written only where the context has a figure, so a blank year stays blank); the 達成率 of
§5 is written as the value the context computed (its method and polarity live in one place).

Grid (columns A–J), the §3 table's columns:

    A 重点 | B 整理番号 | C 事業名 | D 法定 | E 事業費 | F 人件費 | G 総事業費
    H 事業評価 | I 貢献度 | J 最終評価
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.utils import get_column_letter

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
    put,
    register_styles,
    set_column_widths,
    text_row_height,
)
from indicators.selectors import ValueCell
from sheets.selectors import PolicySheetContext

__all__ = ["LAYOUT", "policy_sheet_workbook"]

LAYOUT = "kmk_policy/1"
LAST_COL = 10
COLUMN_WIDTHS = {1: 16, 2: 12, 3: 30, 4: 8, 5: 13, 6: 13, 7: 13, 8: 11, 9: 8, 10: 11}


def _width(first: int, last: int) -> float:
    return sum(COLUMN_WIDTHS[c] for c in range(first, last + 1))


class _Writer:
    def __init__(self, ws, ctx: PolicySheetContext):
        self.ws, self.ctx, self.row = ws, ctx, 1

    def height(self, row: int, points: float) -> None:
        self.ws.row_dimensions[row].height = max(self.ws.row_dimensions[row].height or 0, points)

    def text(self, row, first, last, text, *, style=STYLE_TEXT):
        put(self.ws, row, first, text or None, style=style, to_column=last)
        if text:
            self.height(row, text_row_height(text, _width(first, last)))

    def heading(self, text: str) -> None:
        put(self.ws, self.row, 1, text, style=STYLE_HEADING, to_column=LAST_COL)
        self.height(self.row, 22)
        self.row += 1

    def amount(self, row, column, value) -> None:
        """A 千円 figure as a number, or a formula ("=SUM(…)") as it is; None stays empty."""
        value = value if isinstance(value, str) else excel_number(value)
        put(self.ws, row, column, value, style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)

    def value(self, row, column, cell: ValueCell) -> None:
        if cell.number is None and cell.text:
            put(self.ws, row, column, cell.text, style=STYLE_CENTER)
            return
        put(
            self.ws,
            row,
            column,
            excel_number(cell.number),
            style=STYLE_NUMBER,
            number_format=decimal_format(cell.decimals),
        )

    def header(self) -> None:
        ctx = self.ctx
        put(self.ws, 1, LAST_COL - 2, f"作成日　{ctx.sheet_date_label}", style=STYLE_TEXT, to_column=LAST_COL)
        put(self.ws, 2, 1, ctx.title, style=STYLE_TITLE, to_column=LAST_COL)
        self.height(2, 28)
        r = 3
        for label, text in (
            ("分野", ctx.field_label),
            ("施策の方針", ctx.policy_label),
            ("目標とするまちの姿", ctx.vision_text),
        ):
            self.text(r, 1, 1, label, style=STYLE_LABEL)
            self.text(r, 2, 7, text)
            r += 1
        put(self.ws, 3, 8, "評価者", style=STYLE_LABEL, to_row=5)
        self.text(3, 9, LAST_COL, "\n".join(person for _department, person in ctx.evaluators))
        self.row = r + 1

    def items(self) -> None:
        self.heading("○施策の概要　主な取組")
        for item in self.ctx.items:
            self.text(self.row, 1, 3, f"({item.no}) {item.title}", style=STYLE_LABEL)
            self.text(self.row, 4, LAST_COL, item.description)
            self.row += 1
        self.row += 1

    def narrative(self, section) -> None:
        self.heading(section.title)
        for entry in section.entries:
            self.text(self.row, 1, 1, entry.department_name, style=STYLE_LABEL)
            self.text(self.row, 2, LAST_COL, entry.text)
            self.row += 1
        self.row += 1

    def costs(self) -> None:
        ctx = self.ctx
        self.heading("２．投入コスト（千円）")
        r = self.row
        put(self.ws, r, 1, None, style=STYLE_HEADER)
        for i, year in enumerate(ctx.cost_years):
            put(self.ws, r, 2 + i, year.label, style=STYLE_HEADER)
        project_row, personnel_row, total_row = r + 1, r + 2, r + 3
        for row, label in ((project_row, "事業費"), (personnel_row, "人件費"), (total_row, "総事業費")):
            put(self.ws, row, 1, label, style=STYLE_LABEL)
        for i, year in enumerate(ctx.cost_years):
            col = 2 + i
            letter = get_column_letter(col)
            self.amount(project_row, col, year.project_cost)
            self.amount(personnel_row, col, year.personnel_cost)
            formula = (
                f"=SUM({letter}{project_row}:{letter}{personnel_row})"
                if year.total_cost is not None
                else None
            )
            self.amount(total_row, col, formula)
        self.row = total_row + 2

    def programs(self) -> None:
        ctx = self.ctx
        self.heading("３．施策の方針にひもづく事務事業とその評価結果")
        r = self.row
        for col, label in enumerate(
            (
                "重点事業",
                "整理番号",
                "事業名",
                "法定受託事務",
                "事業費（千円）",
                "人件費（千円）",
                "総事業費（千円）",
            )
            + ("事業評価", "貢献度", "最終評価"),
            start=1,
        ):
            put(self.ws, r, col, label, style=STYLE_HEADER)
        self.height(r, 30)
        first = r + 1
        for row in ctx.program_rows:
            r += 1
            put(self.ws, r, 1, "重" if row.is_priority else None, style=STYLE_CENTER)
            put(self.ws, r, 2, row.code, style=STYLE_TEXT)
            put(self.ws, r, 3, row.name, style=STYLE_TEXT)
            put(self.ws, r, 4, "法定" if row.is_statutory else None, style=STYLE_CENTER)
            self.amount(r, 5, row.project_cost)
            self.amount(r, 6, row.personnel_cost)
            self.amount(r, 7, row.total_cost)
            put(self.ws, r, 8, row.program_evaluation, style=STYLE_CENTER)
            put(self.ws, r, 9, row.contribution, style=STYLE_CENTER)
            put(self.ws, r, 10, row.final_evaluation, style=STYLE_CENTER)
        last = r
        r += 1
        put(self.ws, r, 1, "合計", style=STYLE_LABEL, to_column=4)
        for col, total in (
            (5, ctx.program_project_total),
            (6, ctx.program_personnel_total),
            (7, ctx.program_total_cost),
        ):
            letter = get_column_letter(col)
            self.amount(r, col, f"=SUM({letter}{first}:{letter}{last})" if total is not None else None)
        put(self.ws, r, 8, None, style=STYLE_TEXT, to_column=LAST_COL)
        self.row = r + 2

    def indicators(self) -> None:
        ctx = self.ctx
        self.heading("５．成果指標")
        for ind in ctx.indicators:
            r = self.row
            indicator = ind.indicator
            tag = f"【{indicator.plan_tag}】" if indicator.plan_tag else ""
            self.text(r, 1, LAST_COL, f"成果指標{ind.no}　{indicator.name}{tag}", style=STYLE_LABEL)
            r += 1
            put(self.ws, r, 1, f"初期値（{indicator.baseline_label}）", style=STYLE_LABEL)
            self.value(r, 2, ind.baseline)
            remark = f"　備考：{indicator.remark}" if indicator.remark else ""
            self.text(r, 3, LAST_COL, f"単位：{indicator.unit}　出典：{indicator.source_text}{remark}")
            r += 1
            put(self.ws, r, 1, "年次", style=STYLE_HEADER)
            for i, label in enumerate(ctx.indicator_year_labels):
                put(self.ws, r, 2 + i, label, style=STYLE_HEADER)
            for label, cells in (("目標値", ind.targets), ("実績値", ind.actuals)):
                r += 1
                put(self.ws, r, 1, label, style=STYLE_LABEL)
                for i, cell in enumerate(cells):
                    self.value(r, 2 + i, cell)
            r += 1
            put(self.ws, r, 1, "達成率", style=STYLE_LABEL)
            for i, (rate, text) in enumerate(zip(ind.rates, ind.rate_texts, strict=True)):
                if rate.percent is None:
                    put(self.ws, r, 2 + i, text or None, style=STYLE_CENTER)
                else:
                    put(
                        self.ws,
                        r,
                        2 + i,
                        excel_number(rate.percent / 100),
                        style=STYLE_NUMBER,
                        number_format="0.0%",
                    )
            self.row = r + 2


def policy_sheet_workbook(ctx: PolicySheetContext) -> Workbook:
    """The policy sheet as a workbook with one worksheet."""
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = "施策の方針"
    set_column_widths(ws, COLUMN_WIDTHS)
    ws.sheet_view.showGridLines = False
    writer = _Writer(ws, ctx)
    writer.header()
    writer.items()
    writer.narrative(ctx.section_1)
    writer.costs()
    writer.programs()
    writer.narrative(ctx.section_4)
    writer.narrative(ctx.section_4x)
    writer.indicators()
    for section in ctx.late_sections:
        writer.narrative(section)
    apply_print_settings(
        ws,
        landscape=True,
        print_area=f"A1:{get_column_letter(LAST_COL)}{writer.row - 1}",
        footer_left=ctx.policy_label,
    )
    wb.properties.title = f"{ctx.title}　{ctx.policy_label}"
    wb.properties.creator = "hikikomori-eval"
    for prop in (
        StringProperty(name="layout", value=LAYOUT),
        IntProperty(name="sheet_id", value=ctx.sheet.pk),
        IntProperty(name="evaluation_fy", value=ctx.evaluation_fy),
    ):
        wb.custom_doc_props.append(prop)
    return wb
