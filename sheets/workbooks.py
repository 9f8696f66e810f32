"""The 行政評価シート【個表】 as a formatted Excel workbook (docs/forms.md §2).

Reads the same :class:`~sheets.selectors.ProgramSheetContext` as the page and the PDF, and lays it
out in the printed order on one worksheet named after the program code (健福-17). Numbers are
numbers: 千円 as integers ``#,##0``, indicator values with the indicator's decimals, FTE ``0.0``;
a status token (未実施, 未定, ―) is text; a blank stays an empty cell. Where the form has totals
the cell is a formula: 事業費の合計 ``=SUM(...)`` of the sub-program rows, 達成度 / 達成率
``=IF(AND(ISNUMBER(actual),ISNUMBER(target),target<>0),actual/target,"")`` (target/actual for the
inverse method) and a derived 一般財源 ``=total-SUM(特定財源)``.

Grid (columns A–K, the §3 table defines them; other tables merge across them):

    A 枝番 | B 事務事業 | C 実施した主な事業 | D 指標（単位）| E S実績値 | F S目標値 | G 達成度 |
    H S決算 | I S当初 | J E目標値 | K E予算
    staffing and 【参考】 use E–J for the six years E−5 … E.

Rows depend on the number of sub-programs, indicators and comparisons, so every block is also a
sheet-scoped defined name (``sub_programs``, ``funding``, ``project_cost`` …, see
:data:`DEFINED_NAMES`) and the workbook carries custom properties (``layout``, ``sheet_id``,
``program_code``, ``evaluation_fy``) for an import to find its way back.
"""

from __future__ import annotations

import re
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from hikikomori_eval.excel import (
    AMOUNT_FORMAT,
    FTE_FORMAT,
    STYLE_CENTER,
    STYLE_HEADER,
    STYLE_HEADING,
    STYLE_LABEL,
    STYLE_NOTE,
    STYLE_NUMBER,
    STYLE_TEXT,
    STYLE_TITLE,
    TEXT_FORMAT,
    apply_print_settings,
    decimal_format,
    excel_number,
    percent_format,
    put,
    register_styles,
    set_column_widths,
    text_row_height,
)
from indicators.choices import AchievementMethod, FundingSource
from indicators.selectors import RateCell, ValueCell
from sheets.selectors import ProgramSheetContext

__all__ = ["DEFINED_NAMES", "LAYOUT", "program_sheet_workbook"]

#: Written to the workbook's custom properties; bump when the grid below changes.
LAYOUT = "kmk_program/1"

# Columns of the grid (1 = A).
COL_BRANCH, COL_NAME, COL_EXPENSES, COL_INDICATOR = 1, 2, 3, 4
COL_ACTUAL_S, COL_TARGET_S, COL_RATE_S = 5, 6, 7
COL_SETTLEMENT_S, COL_INITIAL_S, COL_TARGET_E, COL_BUDGET_E = 8, 9, 10, 11
LAST_COL = COL_BUDGET_E
#: Money columns of §3 in the order of ``ctx.cost_columns``: S 決算, S 当初, E 予算.
COST_COLS = (COL_SETTLEMENT_S, COL_INITIAL_S, COL_BUDGET_E)
#: Six-year windows (staffing, reference indicators): E … J.
FIRST_YEAR_COL = 5
WINDOW_LAST_COL = 10

COLUMN_WIDTHS = {1: 6, 2: 22, 3: 24, 4: 24, 5: 10, 6: 10, 7: 9, 8: 11, 9: 11, 10: 10, 11: 11}

#: Sheet-scoped names an import can rely on (present when the block has at least one row).
DEFINED_NAMES = (
    "sheet_title",
    "program_code",
    "program_name",
    "administrative_category",
    "is_priority",
    "owner_unit",
    "related_units",
    "evaluators",
    "policy_field",
    "policy",
    "target_text",
    "purpose_text",
    "intended_state_text",
    "activities_summary",
    "sub_programs",
    "funding",
    "project_cost",
    "personnel_cost",
    "staffing",
    "sub_program_evaluations",
    "viewpoints",
    "direction",
    "direction_text",
    "reference_indicators",
    "benchmarks",
    "benchmark_rationale",
)

_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _width(first: int, last: int) -> float:
    return sum(COLUMN_WIDTHS[c] for c in range(first, last + 1))


def _ref(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


def _checks(checks) -> str:
    return "　".join(f"{'■' if c.checked else '□'}{c.label}" for c in checks)


def _sheet_title(code: str) -> str:
    return (_SHEET_TITLE_FORBIDDEN.sub("_", code).strip("'") or "個表")[:31]


def _indicator_label(indicator) -> str:
    if indicator is None:
        return "―"
    return f"{indicator.name}（{indicator.unit}）" if indicator.unit else indicator.name


def rate_formula(indicator, *, actual: str, target: str) -> str | None:
    """Excel formula of 達成度 for the indicator's method, or None when only the app computes it."""
    method = indicator.achievement_method
    if method in (AchievementMethod.RATIO, AchievementMethod.RATIO_CAPPED):
        ratio = f"{actual}/{target}"
        if method == AchievementMethod.RATIO_CAPPED and indicator.display_cap is not None:
            ratio = f"MIN({ratio},{format(Decimal(indicator.display_cap).normalize(), 'f')})"
        return f'=IF(AND(ISNUMBER({actual}),ISNUMBER({target}),{target}<>0),{ratio},"")'
    if method == AchievementMethod.INVERSE:
        return f'=IF(AND(ISNUMBER({actual}),ISNUMBER({target}),{actual}<>0),{target}/{actual},"")'
    return None  # baseline-relative, binary: the computed value is written instead


class _Writer:
    """Writes the blocks top to bottom; ``self.row`` is the next free row."""

    def __init__(self, ws: Worksheet, ctx: ProgramSheetContext):
        self.ws = ws
        self.ctx = ctx
        self.row = 1

    # -- small pieces -------------------------------------------------------------------------
    def name(self, name: str, first_row: int, first_col: int, last_row: int | None = None, last_col=None):
        last_row, last_col = last_row or first_row, last_col or first_col
        ref = _ref(first_row, first_col)
        if (last_row, last_col) != (first_row, first_col):
            ref = f"{ref}:{_ref(last_row, last_col)}"
        target = f"{quote_sheetname(self.ws.title)}!{absolute_coordinate(ref)}"
        self.ws.defined_names.add(DefinedName(name, attr_text=target))

    def height(self, row: int, points: float) -> None:
        current = self.ws.row_dimensions[row].height or 0
        self.ws.row_dimensions[row].height = max(current, points)

    def text(self, row, first, last, text, *, to_row=None, style=STYLE_TEXT):
        put(self.ws, row, first, text or None, style=style, to_row=to_row, to_column=last)
        if text and to_row is None:
            self.height(row, text_row_height(text, _width(first, last)))

    def label(self, row, first, last, text, *, to_row=None, style=STYLE_LABEL):
        put(self.ws, row, first, text, style=style, to_row=to_row, to_column=last)
        if text and to_row is None:
            self.height(row, text_row_height(text, _width(first, last)))

    def amount(self, row, column, value) -> None:
        put(self.ws, row, column, excel_number(value), style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)

    def value(self, row, column, cell: ValueCell) -> None:
        """An indicator value: the number, else the status token as text, else an empty cell."""
        number = cell.number
        if number is None and cell.text:
            put(self.ws, row, column, cell.text, style=STYLE_CENTER)
            return
        put(
            self.ws,
            row,
            column,
            excel_number(number),
            style=STYLE_NUMBER,
            number_format=decimal_format(cell.decimals),
        )

    def rate(self, row, column, indicator, rate: RateCell, *, actual: str, target: str) -> None:
        if rate.shown is None and rate.text:  # a published rate: X or …（参考値）, text only
            put(self.ws, row, column, rate.text, style=STYLE_CENTER)
            return
        formula = rate_formula(indicator, actual=actual, target=target)
        value = formula if formula else excel_number(rate.shown)
        put(self.ws, row, column, value, style=STYLE_NUMBER, number_format=percent_format(rate.decimals))

    def heading(self, text: str, *, note: str = "", note_col: int = LAST_COL) -> None:
        put(self.ws, self.row, 1, text, style=STYLE_HEADING)
        if note:
            put(self.ws, self.row, note_col, note, style=STYLE_NOTE, horizontal="right")
        self.height(self.row, 22)
        self.row += 1

    def break_page(self) -> None:
        """Start the next block on a new page: 1–4, 5 and 【参考】 print as the form's three pages [inf]."""
        self.ws.row_breaks.append(Break(id=self.row - 1))

    # -- blocks ---------------------------------------------------------------------------------
    def title(self) -> None:
        put(self.ws, 1, 1, self.ctx.title, style=STYLE_TITLE, to_column=LAST_COL)
        self.name("sheet_title", 1, 1)
        self.height(1, 28)
        self.height(2, 8)
        self.row = 3

    def header(self) -> None:
        ctx, r = self.ctx, self.row
        self.label(r, 1, 2, "評価対象事業（番号）")
        put(self.ws, r, 3, ctx.program.code, style=STYLE_CENTER)
        self.label(r, 4, 4, "評価対象事業（名称）")
        self.text(r, 5, LAST_COL, ctx.program.name)
        self.name("program_code", r, 3)
        self.name("program_name", r, 5)
        r += 1
        self.label(r, 1, 2, "事務区分")
        put(self.ws, r, 3, _checks(ctx.administrative_category), style=STYLE_CENTER, to_column=4)
        self.label(r, 5, 6, "重点事業")
        put(self.ws, r, 7, "■" if ctx.is_priority else "□", style=STYLE_CENTER)
        self.label(r, 8, 8, "主管課")
        self.text(r, 9, LAST_COL, ctx.owner_unit_name)
        self.name("administrative_category", r, 3)
        self.name("is_priority", r, 7)
        self.name("owner_unit", r, 9)
        r += 1
        for key, label, text in (
            ("related_units", "関連課", "、".join(ctx.related_unit_names)),
            ("evaluators", "評価者", "、".join(ctx.evaluators)),
        ):
            self.label(r, 1, 2, label)
            self.text(r, 3, LAST_COL, text)
            self.name(key, r, 3)
            r += 1
        self.label(r, 1, 2, "総合計画上の位置付け", to_row=r + 1)
        for key, label, text in (
            ("policy_field", "分野", ctx.field_label),
            ("policy", "施策の方針", ctx.policy_label),
        ):
            self.label(r, 3, 3, label)
            self.text(r, 4, LAST_COL, text)
            self.name(key, r, 4)
            r += 1
        self.row = r

    def purpose(self) -> None:
        self.heading("１　事業の対象・目的・意図")
        py = self.ctx.program_year
        for key, label, attr in (
            ("target_text", "対象（誰・何を）", "target_text"),
            ("purpose_text", "目的（何のために）", "purpose_text"),
            ("intended_state_text", "意図（どのような状態にしたいか）", "intended_state_text"),
        ):
            self.label(self.row, 1, 2, label)
            self.text(self.row, 3, LAST_COL, getattr(py, attr, "") if py else "")
            self.name(key, self.row, 3)
            self.row += 1

    def activities(self) -> None:
        self.heading(f"２　{self.ctx.s_title}に実施した事業の概要")
        self.text(self.row, 1, LAST_COL, self.ctx.activities_summary)
        self.height(self.row, 36)
        self.name("activities_summary", self.row, 1)
        self.row += 1

    def sub_programs(self) -> None:
        ctx = self.ctx
        self.heading("３　事業を構成する事務事業（最小事業）実績", note="（単位：千円）")
        h1, h2 = self.row, self.row + 1
        for col, text in (
            (1, "枝番"),
            (2, "事務事業"),
            (3, "実施した主な事業（主な経費等）"),
            (4, "指標（単位）"),
        ):
            self.label(h1, col, col, text, to_row=h2, style=STYLE_HEADER)
        self.label(h1, COL_ACTUAL_S, COL_INITIAL_S, ctx.s_label, style=STYLE_HEADER)
        self.label(h1, COL_TARGET_E, COL_BUDGET_E, ctx.e_label, style=STYLE_HEADER)
        for col, text in (
            (COL_ACTUAL_S, "指標\n実績値"),
            (COL_TARGET_S, "指標\n目標値"),
            (COL_RATE_S, "達成度"),
            (COL_SETTLEMENT_S, "事業費\n決算"),
            (COL_INITIAL_S, "事業費\n当初"),
            (COL_TARGET_E, "指標\n目標値"),
            (COL_BUDGET_E, "予算額"),
        ):
            self.label(h2, col, col, text, style=STYLE_HEADER)
        self.height(h2, 30)
        self.row = first = h2 + 1
        for sub in ctx.sub_rows:
            r = self.row
            put(self.ws, r, COL_BRANCH, sub.branch_no, style=STYLE_CENTER, number_format="0")
            self.text(r, COL_NAME, COL_NAME, sub.name)
            self.text(r, COL_EXPENSES, COL_EXPENSES, sub.main_expenses)
            self.text(r, COL_INDICATOR, COL_INDICATOR, _indicator_label(sub.indicator))
            self.value(r, COL_ACTUAL_S, sub.actual_s)
            self.value(r, COL_TARGET_S, sub.target_s)
            if sub.indicator is None:
                put(self.ws, r, COL_RATE_S, None, style=STYLE_NUMBER)
            else:
                self.rate(
                    r,
                    COL_RATE_S,
                    sub.indicator,
                    sub.achievement_s,
                    actual=_ref(r, COL_ACTUAL_S),
                    target=_ref(r, COL_TARGET_S),
                )
            for col, amount in zip(
                COST_COLS, (sub.settlement_s, sub.initial_budget_s, sub.budget_e), strict=True
            ):
                self.amount(r, col, amount)
            self.value(r, COL_TARGET_E, sub.target_e)
            self.row += 1
        last = self.row - 1
        if ctx.sub_rows:
            self.name("sub_programs", first, 1, last, LAST_COL)
        self._funding(first if ctx.sub_rows else None, last)

    def _funding(self, first_sub: int | None, last_sub: int) -> None:
        ctx = self.ctx
        funding_first = self.row
        total_row = funding_first + len(ctx.funding_rows)
        if ctx.funding_rows:
            self.label(funding_first, 1, 3, "財源内訳", to_row=total_row - 1)
        specific_rows = []
        for i, funding in enumerate(ctx.funding_rows):
            r = funding_first + i
            self.label(r, 4, COL_RATE_S, funding.label)
            for col, amount, derived in zip(COST_COLS, funding.amounts, funding.derived, strict=True):
                if derived and funding.source_type == FundingSource.GENERAL:
                    letter = get_column_letter(col)
                    formula = f"={letter}{total_row}-SUM({_specific_refs(letter, specific_rows)})"
                    put(self.ws, r, col, formula, style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)
                else:
                    self.amount(r, col, amount)
            put(self.ws, r, COL_TARGET_E, None, style=STYLE_LABEL)
            if funding.source_type != FundingSource.GENERAL:
                specific_rows.append(r)
        if ctx.funding_rows:
            self.name("funding", funding_first, 4, total_row - 1, LAST_COL)

        r = total_row
        self.label(r, 1, COL_RATE_S, "事業費の合計（千円）")
        for col, total in zip(COST_COLS, ctx.project_costs, strict=True):
            letter = get_column_letter(col)
            if first_sub is not None and total is not None:
                formula = f"=SUM({letter}{first_sub}:{letter}{last_sub})"
                put(self.ws, r, col, formula, style=STYLE_NUMBER, number_format=AMOUNT_FORMAT)
            else:  # no sub-programs: the program's own amount; all blank: blank, never 0
                self.amount(r, col, total)
        put(self.ws, r, COL_TARGET_E, None, style=STYLE_LABEL)
        self.name("project_cost", r, COL_SETTLEMENT_S, r, LAST_COL)
        r += 1
        self.label(r, 1, COL_RATE_S, "人件費（千円）")
        for col, amount in zip(COST_COLS, ctx.personnel_costs, strict=True):
            self.amount(r, col, amount)
        put(self.ws, r, COL_TARGET_E, None, style=STYLE_LABEL)
        self.name("personnel_cost", r, COL_SETTLEMENT_S, r, LAST_COL)
        self.row = r + 1

    def staffing(self) -> None:
        ctx = self.ctx
        self.heading(
            "４　この事業に関わる職員数（毎年度４月１日時点）", note="（単位：人）", note_col=WINDOW_LAST_COL
        )
        header = self.row
        self.label(header, 1, 4, "年度", style=STYLE_HEADER)
        for i, label in enumerate(ctx.staff_year_labels):
            self.label(header, FIRST_YEAR_COL + i, FIRST_YEAR_COL + i, label, style=STYLE_HEADER)
        self.row += 1
        for staff in ctx.staff_rows:
            self.label(self.row, 1, 4, staff.category.label)
            for i, fte in enumerate(staff.ftes):
                put(
                    self.ws,
                    self.row,
                    FIRST_YEAR_COL + i,
                    excel_number(fte),
                    style=STYLE_NUMBER,
                    number_format=FTE_FORMAT,
                )
            self.row += 1
        self.name("staffing", header, 1, self.row - 1, FIRST_YEAR_COL + len(ctx.staff_years) - 1)

    def evaluations(self) -> None:
        ctx = self.ctx
        self.heading("５　評価結果")
        self.heading("（１）最小事業評価")
        blocks = (
            (3, 4, "indicator_analysis", "指標分析の推移、目標未達の理由"),
            (5, 8, "contribution_validity", "上位施策にどう寄与したか、構成する事業としての妥当性"),
            (9, 11, "issues_improvements", "事業実施上の課題、改善点"),
        )
        header = self.row
        self.label(header, 1, 1, "枝番", style=STYLE_HEADER)
        self.label(header, 2, 2, "事務事業", style=STYLE_HEADER)
        for first, last, _attr, text in blocks:
            self.label(header, first, last, text, style=STYLE_HEADER)
        self.height(header, 30)
        self.row += 1
        for sub, evaluation in zip(ctx.sub_rows, ctx.evaluations, strict=True):
            r = self.row
            put(self.ws, r, 1, sub.branch_no, style=STYLE_CENTER, number_format="0")
            self.text(r, 2, 2, sub.name)
            for first, last, attr, _text in blocks:
                self.text(r, first, last, getattr(evaluation, attr))
            self.row += 1
        if ctx.sub_rows:
            self.name("sub_program_evaluations", header + 1, 1, self.row - 1, LAST_COL)

    def viewpoints(self) -> None:
        self.heading("（２）視点別評価")
        header = self.row
        self.label(header, 1, 2, "視点", style=STYLE_HEADER)
        self.label(header, 3, 5, "評価項目", style=STYLE_HEADER)
        self.label(header, 6, 6, "選択", style=STYLE_HEADER)
        self.label(header, 7, LAST_COL, "評価内容", style=STYLE_HEADER)
        self.row += 1
        rows = self.ctx.viewpoints
        run_start = self.row
        for i, vp in enumerate(rows):
            r = self.row
            option = vp.option
            answer = ""
            if option is not None:
                answer = f"{option.parent.label}：{option.label}" if option.parent_id else option.label
            if vp.free_text:
                answer = f"{answer}\n{vp.free_text}" if answer else vp.free_text
            self.text(r, 3, 5, vp.question.text)
            put(self.ws, r, 6, option.code if option else None, style=STYLE_CENTER, number_format=TEXT_FORMAT)
            self.text(r, 7, LAST_COL, answer)
            last_of_run = i + 1 == len(rows) or rows[i + 1].question.viewpoint != vp.question.viewpoint
            if last_of_run:
                self.label(run_start, 1, 2, vp.question.viewpoint, to_row=r)
                run_start = r + 1
            self.row += 1
        if rows:
            self.name("viewpoints", header + 1, 1, self.row - 1, LAST_COL)

    def direction(self) -> None:
        ctx = self.ctx
        self.heading("（３）総合評価")
        put(
            self.ws,
            self.row,
            1,
            "※最小事業評価を踏まえて、今年度以降の取組方針等を記載する",
            style=STYLE_NOTE,
        )
        self.row += 1
        self.label(self.row, 1, 2, "今後の方針")
        put(self.ws, self.row, 3, _checks(ctx.directions), style=STYLE_TEXT, to_column=LAST_COL)
        self.name("direction", self.row, 3)
        self.row += 1
        self.label(self.row, 1, 2, "【今後の方針】")
        self.text(self.row, 3, LAST_COL, ctx.direction_text)
        self.height(self.row, 36)
        self.name("direction_text", self.row, 3)
        self.row += 1

    def reference_indicators(self) -> None:
        ctx = self.ctx
        self.heading("【参考】")
        self.heading("◎事業実施に係る主な指標")
        header = self.row
        self.label(header, 1, 3, "指標（単位）", style=STYLE_HEADER)
        self.label(header, 4, 4, "区分", style=STYLE_HEADER)
        for i, label in enumerate(ctx.reference_year_labels):
            self.label(header, FIRST_YEAR_COL + i, FIRST_YEAR_COL + i, label, style=STYLE_HEADER)
        last_col = FIRST_YEAR_COL + len(ctx.reference_years) - 1
        self.row += 1
        for ref in ctx.reference_indicators:
            indicator = ref.series.indicator
            t, a, rate_row = self.row, self.row + 1, self.row + 2
            self.label(t, 1, 3, _indicator_label(indicator), to_row=rate_row, style=STYLE_TEXT)
            for r, text in ((t, "目標値"), (a, "実績値"), (rate_row, "達成率")):
                self.label(r, 4, 4, text)
            for i, (target, actual, rate) in enumerate(zip(ref.targets, ref.actuals, ref.rates, strict=True)):
                col = FIRST_YEAR_COL + i
                self.value(t, col, target)
                self.value(a, col, actual)
                self.rate(rate_row, col, indicator, rate, actual=_ref(a, col), target=_ref(t, col))
            self.label(rate_row + 1, 1, 3, "指標設定理由")
            self.text(rate_row + 1, 4, last_col, indicator.rationale)
            self.row = rate_row + 2
        if ctx.reference_indicators:
            self.name("reference_indicators", header, 1, self.row - 1, last_col)

    def benchmarks(self) -> None:
        ctx = self.ctx
        self.heading("◎他市比較・ベンチマーク（県内外自治体など他自治体や民間団体との比較値）")
        first = self.row
        for comparison in ctx.benchmark_comparisons:
            self.label(self.row, 1, 2, "比較事項")
            self.text(self.row, 3, WINDOW_LAST_COL, comparison.subject_text)
            self.row += 1
            self.label(self.row, 1, 2, "団体名", style=STYLE_HEADER)
            self.label(self.row, 3, 6, "他市実績（項目）", style=STYLE_HEADER)
            self.label(self.row, 7, WINDOW_LAST_COL, "他市実績（値）", style=STYLE_HEADER)
            self.row += 1
            for entry in comparison.entries.all():
                self.text(self.row, 1, 2, entry.org_name)
                self.text(self.row, 3, 6, entry.metric_label)
                # The value as the city reported it ("60人/1,5１5件"): text, never parsed here.
                put(
                    self.ws,
                    self.row,
                    7,
                    entry.value_text,
                    style=STYLE_TEXT,
                    number_format=TEXT_FORMAT,
                    to_column=10,
                )
                self.row += 1
        if ctx.benchmark_comparisons:
            self.name("benchmarks", first, 1, self.row - 1, WINDOW_LAST_COL)
        self.label(self.row, 1, 2, "当該事業実施に伴う他市比較に関する考え方")
        self.text(self.row, 3, WINDOW_LAST_COL, ctx.benchmark_rationale)
        self.height(self.row, 36)
        self.name("benchmark_rationale", self.row, 3)
        self.row += 1


def _specific_refs(letter: str, rows: list[int]) -> str:
    """SUM argument over the specific-funding cells: a range when the rows are contiguous."""
    if not rows:
        return "0"
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"{letter}{rows[0]}:{letter}{rows[-1]}"
    return ",".join(f"{letter}{r}" for r in rows)


def program_sheet_workbook(ctx: ProgramSheetContext) -> Workbook:
    """The 個表 of one program as a workbook with one worksheet named after the program code."""
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = _sheet_title(ctx.program.code)
    set_column_widths(ws, COLUMN_WIDTHS)
    ws.sheet_view.showGridLines = False

    writer = _Writer(ws, ctx)
    writer.title()
    writer.header()
    writer.purpose()
    writer.activities()
    writer.sub_programs()
    writer.staffing()
    writer.break_page()
    writer.evaluations()
    writer.viewpoints()
    writer.direction()
    writer.break_page()
    writer.reference_indicators()
    writer.benchmarks()

    apply_print_settings(
        ws,
        print_area=f"A1:{get_column_letter(LAST_COL)}{writer.row - 1}",
        footer_left=f"{ctx.program.code}　{ctx.program.name}",
    )
    wb.properties.title = f"{ctx.title}　{ctx.program.code}　{ctx.program.name}"
    wb.properties.creator = "hikikomori-eval"
    for prop in (
        StringProperty(name="layout", value=LAYOUT),
        IntProperty(name="sheet_id", value=ctx.sheet.pk),
        StringProperty(name="program_code", value=ctx.program.code),
        IntProperty(name="evaluation_fy", value=ctx.evaluation_fy),
    ):
        wb.custom_doc_props.append(prop)
    return wb
