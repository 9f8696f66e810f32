"""The 施策マネジメントシート (Kunitachi, form 004) as an Excel workbook (docs/forms.md §5).

Reads the same :class:`~sheets.selectors.PolicyManagementContext` as the page and the PDF, in the
printed order (A4 portrait, the form's four pages: §1–2, §3–4, §5, §6–7). Money, hours and indicator
values are numbers (``#,##0`` / the indicator's decimals), a status token (―, 未実施) is text, a blank
stays empty. 事業費計（A） is a ``SUM`` over the 財源 cells of its year and トータルコスト a ``=A+B``
formula, both written only where the context has a figure, so a blank year stays blank (V-BLANK).
目標達成度, 前年度比較 and the suggested grades are the values the context computed. Every block is a
sheet-scoped defined name (:data:`DEFINED_NAMES`); the custom properties (``layout``, ``sheet_id``,
``evaluation_fy``) let an import find its way back.

Grid (§3; the header, §1, §2 and §4–§7 merge across it), one year column per plan year (R2 … R9):

    A 区分 | B 指標名 | C 単位 | D 数値区分 | E … L 年度 | M 説明又は出典元 | N 目標達成度 | O 前年度比較
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.packaging.custom import IntProperty, StringProperty
from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from hikikomori_eval.excel import (
    AMOUNT_FORMAT,
    INTEGER_FORMAT,
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
from sheets.selectors import PolicyManagementContext
from sheets.selectors.policy_management_sheet import GradeBlock

__all__ = ["DEFINED_NAMES", "LAYOUT", "policy_management_workbook"]

#: Written to the workbook's custom properties; bump when the grid below changes.
LAYOUT = "kni_policy/1"
TITLE = "施策マネジメントシート"
COL_GROUP, COL_NAME, COL_UNIT, COL_TYPE, FIRST_YEAR_COL = 1, 2, 3, 4, 5
#: Row heights (points): a grid row shows one line; Excel's highest row is 409 (a longer narrative
#: is cut on paper, never in the cell).
MIN_ROW_HEIGHT, MAX_ROW_HEIGHT = 18, 409
#: Sheet-scoped names an import can rely on (present whatever the data), by section.
DEFINED_NAMES = (
    *("sheet_title", "policy_name", "basic_policy", "lead_unit", "lead_person", "related_units"),
    *("target_items", "purpose_text", "object_indicators", "outcome_indicators", "directions"),
    *("indicator_grid", "funding", "project_cost", "work_hours", "personnel_cost", "total_cost"),
    *("program_count", "goal_grade", "trend_grade", "grade_background", "current_state"),
    *("overall_results", "overall_issues", "overall_grade", "policy_after_next", "policy_mid_term"),
)
#: §5 (1)–(3): printed question and the context property holding the answer.
SECTION_5 = (
    ("(1) 施策を取り巻く状況（対象者や根拠法令等）はどう変化しているか？", "section_5_1"),
    (
        "(2) この施策に対して関係者（住民、議会、事業対象者、利害関係者等）からどんな意見や要望が"
        "寄せられているか？",
        "section_5_2",
    ),
    ("(3) この施策に関して他自治体の取組状況と比較して国立市の取組状況はどうか？", "section_5_3"),
)
SECTION_6_1 = (
    "(1) 施策の全体総括（成果実績やコスト、見直しを要する事務事業等）※基本的に展開方向ごとに記載\n"
    "総合基本計画に照らして評価する（目的達成のための事務事業が適切か、事務事業の実施方法は適切か）"
)
OVERALL_BASIS = "成果実績数値の評価（A～E）に、4（3）及び6（1）の定性的要素を加味した評価"
GRADE_BACKGROUND = (
    "（3）上記（1）（2）の理由・背景として考えられること（数値で表せない定性的評価もあれば記載する）"
)


def _grade_text(option) -> str:
    """E（ほぼ未達成） as the option is labelled, or C：成果向上のため… when the label omits the code."""
    if option is None:
        return ""
    return option.label if option.label.startswith(option.code) else f"{option.code}：{option.label}"


class _Writer:
    """Writes the blocks top to bottom; ``self.row`` is the next free row."""

    def __init__(self, ws: Worksheet, ctx: PolicyManagementContext):
        self.ws, self.ctx, self.row = ws, ctx, 1
        years = len(ctx.years)
        self.note_col = FIRST_YEAR_COL + years
        self.last = self.note_col + 2
        self.mid = FIRST_YEAR_COL + years // 2  # first column of the right half
        self.widths = {COL_GROUP: 6, COL_NAME: 20, COL_UNIT: 5, COL_TYPE: 8}
        self.widths |= {FIRST_YEAR_COL + i: 8.5 for i in range(years)}
        self.widths |= {self.note_col: 15, self.note_col + 1: 7, self.note_col + 2: 7}

    # -- small pieces -------------------------------------------------------------------------
    def name(self, name: str, first_row: int, first_col: int, last_row: int | None = None, last_col=None):
        last_row, last_col = last_row or first_row, last_col or first_col
        ref = f"{get_column_letter(first_col)}{first_row}"
        if (last_row, last_col) != (first_row, first_col):
            ref += f":{get_column_letter(last_col)}{last_row}"
        self.ws.defined_names.add(
            DefinedName(name, attr_text=f"{quote_sheetname(self.ws.title)}!{absolute_coordinate(ref)}")
        )

    def height(self, row: int, points: float) -> None:
        current = self.ws.row_dimensions[row].height or 0
        self.ws.row_dimensions[row].height = min(MAX_ROW_HEIGHT, max(current, points))

    def text(self, row, first, last, text, *, style=STYLE_TEXT, to_row=None):
        put(self.ws, row, first, text or None, style=style, to_column=last, to_row=to_row)
        if text and to_row is None:
            width = sum(self.widths[c] for c in range(first, last + 1))
            self.height(row, text_row_height(text, width))

    def label(self, row, first, last, text, *, to_row=None):
        self.text(row, first, last, text, style=STYLE_LABEL, to_row=to_row)

    def heading(self, text: str) -> None:
        put(self.ws, self.row, 1, text, style=STYLE_HEADING, to_column=self.last)
        self.height(self.row, 22)
        self.row += 1

    def block(self, key: str, label: str, text: str) -> None:
        """A numbered item: its label across the sheet, then its text in one cell below."""
        self.label(self.row, 1, self.last, label)
        self.text(self.row + 1, 1, self.last, text)
        self.height(self.row + 1, 36)
        self.name(key, self.row + 1, 1)
        self.row += 2

    def break_page(self) -> None:
        """Start the next block on a new page, as the form prints its four pages."""
        self.ws.row_breaks.append(Break(id=self.row - 1))

    def amount(self, row, column, value, number_format=AMOUNT_FORMAT) -> None:
        """A figure as a number, or a formula ("=SUM(…)") as it is; None stays empty."""
        value = value if isinstance(value, str) else excel_number(value)
        put(self.ws, row, column, value, style=STYLE_NUMBER, number_format=number_format)

    def value(self, row, column, cell: ValueCell) -> None:
        """An indicator value: the number, else the status token as text, else an empty cell."""
        if cell.number is None and cell.text:
            put(self.ws, row, column, cell.text, style=STYLE_CENTER)
            return
        number, number_format = excel_number(cell.number), decimal_format(cell.decimals)
        put(self.ws, row, column, number, style=STYLE_NUMBER, number_format=number_format)

    # -- blocks ---------------------------------------------------------------------------------
    def header(self) -> None:
        ctx, last, mid = self.ctx, self.last, self.mid
        put(self.ws, 1, 1, TITLE, style=STYLE_TITLE, to_column=last)
        self.name("sheet_title", 1, 1)
        self.height(1, 28)
        rows = (
            ("政策名", "policy_name", ctx.policy_name, "施策統括課", "lead_unit", ctx.lead_unit_name),
            ("基本施策名", "basic_policy", ctx.basic_policy.name, "氏名", "lead_person", ctx.lead_person),
        )
        r = 2
        for left_label, left_key, left, right_label, right_key, right in rows:
            self.label(r, 1, 2, left_label)
            self.text(r, 3, mid - 1, left)
            self.label(r, mid, mid + 1, right_label)
            self.text(r, mid + 2, last, right)
            self.name(left_key, r, 3)
            self.name(right_key, r, mid + 2)
            r += 1
        self.label(r, 1, 2, "主な関係課")
        self.text(r, 3, last, "、".join(ctx.related_unit_names))
        self.name("related_units", r, 3)
        self.row = r + 2

    def purpose(self) -> None:
        ctx, last = self.ctx, self.last
        self.heading("１　施策の目的と指標")
        items = "\n".join(f"・{item}" for item in ctx.basic_policy.target_items)
        self.block("target_items", "① 対象（誰、何を対象にしているのか）＊人や自然資源等", items)
        self.block("purpose_text", "② 施策の目的", ctx.basic_policy.purpose_text)
        self.label(self.row, 1, last, "③ 対象指標（対象の大きさを表す指標）数字は記入しない")
        r = self.row + 1
        self.label(r, 1, 1, "")
        self.label(r, 2, last - 2, "名称")
        self.label(r, last - 1, last, "単位")
        first = r + 1
        for r, row in enumerate(ctx.object_rows, start=first):
            put(self.ws, r, 1, row.slot, style=STYLE_CENTER)
            self.text(r, 2, last - 2, row.name)
            put(self.ws, r, last - 1, row.unit or None, style=STYLE_CENTER, to_column=last)
        self.name("object_indicators", first, 1, r, last)
        self.label(r + 1, 1, last, "④ 成果指標（意図の達成度の指標）数字は記入しない")
        r += 2
        self.label(r, 1, 2, "施策の展開方向")
        self.label(r, 3, last - 2, "名称（展開方向ごとに記載）")
        self.label(r, last - 1, last, "単位")
        first = r = r + 1
        for direction in ctx.directions:
            end = r + len(direction.outcomes) - 1
            put(self.ws, r, 1, direction.no, style=STYLE_CENTER, to_row=end)
            put(self.ws, r, 2, direction.name or None, style=STYLE_TEXT, to_row=end)
            for offset, outcome in enumerate(direction.outcomes):
                put(self.ws, r + offset, 3, outcome.slot, style=STYLE_CENTER)
                self.text(r + offset, 4, last - 2, outcome.name)
                put(self.ws, r + offset, last - 1, outcome.unit or None, style=STYLE_CENTER, to_column=last)
            r = end + 1
        self.name("outcome_indicators", first, 1, r - 1, last)
        self.row = r + 1

    def directions(self) -> None:
        ctx, last = self.ctx, self.last
        self.heading(f"２　{ctx.plan_label}内における取組内容")
        r, split = self.row, FIRST_YEAR_COL + 2
        self.label(r, 1, 2, "施策の展開方向")
        self.label(r, 3, split - 1, "目的")
        self.label(r, split, last, "手段（具体的な取組内容）")
        first = r + 1
        for r, direction in enumerate(ctx.directions, start=first):
            put(self.ws, r, 1, direction.no, style=STYLE_CENTER)
            self.text(r, 2, 2, direction.name)
            self.text(r, 3, split - 1, direction.purpose)
            self.text(r, split, last, "\n".join(f"◆{m.removeprefix('◆')}" for m in direction.means))
            self.height(r, 30)
        self.name("directions", first, 1, r, last)
        self.row = r + 2

    def grid_rows(self, group: str, rows, *, first_row: int) -> int:
        """Indicator rows of §3, one (row, [(数値区分, cells)]) each; returns the next free row."""
        r = first_row
        for row, series in rows:
            end, label = r + len(series) - 1, f"{row.slot}　{row.name}".rstrip()
            self.text(r, COL_NAME, COL_NAME, label, to_row=end)
            for col, value, style in (
                (COL_UNIT, row.unit, STYLE_CENTER),
                (self.note_col, row.note, STYLE_TEXT),
                (self.note_col + 1, getattr(row, "attainment_text", ""), STYLE_CENTER),
                (self.note_col + 2, getattr(row, "year_over_year_text", ""), STYLE_CENTER),
            ):
                put(self.ws, r, col, value or None, style=style, to_row=end)
            per_row = max(MIN_ROW_HEIGHT, text_row_height(label, self.widths[COL_NAME]) / len(series))
            for offset, (value_type, cells) in enumerate(series):
                self.height(r + offset, per_row)
                put(self.ws, r + offset, COL_TYPE, value_type, style=STYLE_CENTER)
                for i, cell in enumerate(cells):
                    self.value(r + offset, FIRST_YEAR_COL + i, cell)
            r = end + 1
        put(self.ws, first_row, COL_GROUP, group, style=STYLE_LABEL, to_row=r - 1)
        return r

    def grid(self) -> None:
        ctx = self.ctx
        self.heading("３　総事業費・指標等の実績推移と目標値、実績状況把握")
        r = self.row
        headers = ("区分", "指標名", "単位", "数値区分", *ctx.year_labels)
        headers += ("基本計画における指標の説明又は出典元", "目標達成度\n（達成・未達成）", "前年度比較")
        for col, label in enumerate(headers, start=1):
            put(self.ws, r, col, label, style=STYLE_HEADER)
        self.height(r, 42)
        objects = [(o, [("実績値", o.actuals), ("見込み値", o.projections)]) for o in ctx.object_rows]
        end = self.grid_rows("対象指標", objects, first_row=r + 1)
        for d in ctx.directions:
            outcomes = [
                (o, [("目標値", o.targets), ("実績値", o.actuals), ("成り行き値", o.trends)])
                for o in d.outcomes
            ]
            end = self.grid_rows(f"展開方向{d.no}", outcomes, first_row=end)
        self.name("indicator_grid", r + 1, 1, end - 1, self.last)
        self.row = end
        self.costs()

    def costs(self) -> None:
        ctx, r = self.ctx, self.row
        funding_first = r
        for r, (label, amounts) in enumerate(ctx.funding_rows, start=funding_first):
            self.cost_row(r, label, "千円", amounts)
        funding_last, project_row = r, r + 1
        self.cost_row(project_row, "事業費計（A）", "千円", [None] * len(ctx.years))
        hours_row, personnel_row, total_row, count_row = range(project_row + 1, project_row + 5)
        put(self.ws, funding_first, COL_GROUP, "施策コスト", style=STYLE_LABEL, to_row=project_row)
        self.cost_row(
            hours_row, "延べ業務時間", "時間", [y.work_hours for y in ctx.cost_years], INTEGER_FORMAT
        )
        self.cost_row(personnel_row, "人件費計（B）", "千円", [y.personnel_cost for y in ctx.cost_years])
        put(self.ws, hours_row, COL_GROUP, "人件費", style=STYLE_LABEL, to_row=personnel_row)
        self.cost_row(total_row, "トータルコスト（A）＋（B）", "千円", [None] * len(ctx.years), to_group=True)
        self.cost_row(count_row, "事務事業数", "本数", ctx.program_counts, INTEGER_FORMAT, to_group=True)
        for i, year in enumerate(ctx.cost_years):
            col = FIRST_YEAR_COL + i
            letter = get_column_letter(col)
            if year.project_cost is not None:
                self.amount(project_row, col, f"=SUM({letter}{funding_first}:{letter}{funding_last})")
            if year.total_cost is not None:
                self.amount(total_row, col, f"={letter}{project_row}+{letter}{personnel_row}")
        year_cols = (FIRST_YEAR_COL, self.note_col - 1)
        for key, first_row, last_row in (
            ("funding", funding_first, funding_last),
            ("project_cost", project_row, project_row),
            ("work_hours", hours_row, hours_row),
            ("personnel_cost", personnel_row, personnel_row),
            ("total_cost", total_row, total_row),
            ("program_count", count_row, count_row),
        ):
            self.name(key, first_row, year_cols[0], last_row, year_cols[1])
        self.row = count_row + 2

    def cost_row(self, r, label, unit, amounts, number_format=AMOUNT_FORMAT, *, to_group=False) -> None:
        """One row of 施策コスト: label, unit, one figure per year; the extra columns stay empty."""
        self.label(r, COL_GROUP if to_group else COL_NAME, COL_NAME, label)
        put(self.ws, r, COL_UNIT, unit, style=STYLE_CENTER, to_column=COL_TYPE)
        for i, amount in enumerate(amounts):
            self.amount(r, FIRST_YEAR_COL + i, amount, number_format)
        put(self.ws, r, self.note_col, None, style=STYLE_TEXT, to_column=self.last)

    def grades(self) -> None:
        ctx = self.ctx
        self.heading("４　施策の成果指標実績値に対する評価")
        self.grade("goal_grade", "（1）施策全体の成果実績目標達成度", ctx.goal, '"達成割合 "0%')
        self.grade("trend_grade", "（2）時系列比較（過去3ヶ年の比較）", ctx.trend, '"スコア "0%')
        self.block("grade_background", GRADE_BACKGROUND, ctx.grade_background)
        self.row += 1

    def grade(self, key: str, title: str, block: GradeBlock, score_format: str) -> None:
        """The chosen grade, beside it the suggestion and its score; the reason when one is required."""
        last, mid, r = self.last, self.mid, self.row
        scale = f"　{block.options[0].label}～{block.options[-1].label}" if block.options else ""
        self.label(r, 1, last, f"{title}{scale}")
        r += 1
        self.label(r, 1, 2, "評価")
        put(self.ws, r, 3, _grade_text(block.chosen) or None, style=STYLE_CENTER, to_column=mid - 1)
        self.label(r, mid, mid + 1, "提案（データから算出）")
        put(self.ws, r, mid + 2, _grade_text(block.suggested) or None, style=STYLE_CENTER, to_column=mid + 3)
        score = excel_number(block.score)
        put(self.ws, r, mid + 4, score, style=STYLE_NUMBER, number_format=score_format, to_column=last)
        self.height(r, 30)
        self.name(key, r, 3)
        if block.needs_reason:
            r += 1
            self.label(r, 1, 2, "提案と異なる理由")
            self.text(r, 3, last, block.reason)
        self.row = r + 1

    def current_state(self) -> None:
        ctx, last, mid = self.ctx, self.last, self.mid
        self.heading("５　施策の現状　※必要に応じて展開方向ごとに記載")
        first = r = self.row
        for label, attr in SECTION_5:
            self.label(r, 1, last, label)
            self.text(r + 1, 1, last, getattr(ctx, attr))
            r += 2
        self.label(r, 1, last, "(4) 施策の具体的な取組状況")
        self.label(r + 1, 1, mid - 1, f"{ctx.s_label}の取組状況")
        self.label(r + 1, mid, last, f"{ctx.next_label}の取組予定")
        self.text(r + 2, 1, mid - 1, ctx.section_5_4_current)
        self.text(r + 2, mid, last, ctx.section_5_4_next)
        self.name("current_state", first, 1, r + 2, last)
        self.row = r + 4

    def results(self) -> None:
        ctx, last = self.ctx, self.last
        self.heading(f"６　{ctx.s_label}の評価結果　※必要に応じて展開方向ごとに記載")
        self.label(self.row, 1, last, SECTION_6_1)
        self.row += 1
        self.block("overall_results", "〇成果実績", ctx.section_6_1_results)
        self.block("overall_issues", "〇改善余地のある事項・課題等", ctx.section_6_1_issues)
        r, chosen = self.row, ctx.overall_grade
        self.label(r, 1, last, f"(2) 施策の{ctx.s_label}における総合評価")
        self.label(r + 1, 1, 2, "総合評価")
        put(self.ws, r + 1, 3, chosen.code if chosen else None, style=STYLE_CENTER, to_column=COL_TYPE)
        self.name("overall_grade", r + 1, 3)
        self.text(r + 1, FIRST_YEAR_COL, last, OVERALL_BASIS)
        r += 2
        for option, checked in ctx.overall_checks:
            mark = "■" if checked else "□"
            put(self.ws, r, 1, f"{mark}{option.code}", style=STYLE_CENTER, to_column=2)
            self.text(r, 3, last, option.label)
            r += 1
        self.row = r + 1

    def outlook(self) -> None:
        ctx = self.ctx
        self.heading("７　施策の課題・今後の方向性　※必要に応じて展開方向ごとに記載")
        self.block("policy_after_next", f"（1）{ctx.after_next_label}の取組方針", ctx.section_7_1)
        self.block("policy_mid_term", "（2）中期的な取組方針（概ね実施計画期間を想定）", ctx.section_7_2)


def policy_management_workbook(ctx: PolicyManagementContext) -> Workbook:
    """The 施策マネジメントシート of one 基本施策 as a workbook with one worksheet."""
    wb = Workbook()
    register_styles(wb)
    ws = wb.active
    ws.title = TITLE
    writer = _Writer(ws, ctx)
    set_column_widths(ws, writer.widths)
    ws.sheet_view.showGridLines = False
    writer.header()
    writer.purpose()
    writer.directions()
    writer.break_page()
    writer.grid()
    writer.grades()
    writer.break_page()
    writer.current_state()
    writer.break_page()
    writer.results()
    writer.outlook()
    node = ctx.basic_policy
    apply_print_settings(
        ws,
        landscape=False,
        print_area=f"A1:{get_column_letter(writer.last)}{writer.row - 1}",
        footer_left=f"{node.code}　{node.name}" if node.code else node.name,
    )
    wb.properties.title = f"{TITLE}　{node.name}"
    wb.properties.creator = "hikikomori-eval"
    for prop in (
        StringProperty(name="layout", value=LAYOUT),
        IntProperty(name="sheet_id", value=ctx.sheet.pk),
        IntProperty(name="evaluation_fy", value=ctx.evaluation_fy),
    ):
        wb.custom_doc_props.append(prop)
    return wb
