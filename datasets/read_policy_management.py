"""Read the 施策マネジメントシート workbook (``sheets/workbooks_policy_management.py``) back into ops.

The §3 grid is found through the workbook's defined names (``indicator_grid`` and the cost rows
``funding`` … ``program_count``) and checked row by row against the sheet's current
:func:`~sheets.selectors.policy_management_context`: the year heads, each indicator's group, slot,
name and 数値区分. A row that moved refuses the file. What is read, as the edit page saves it
(:func:`sheets.services.policy_management_sheet.editable_value_cells`):

- 対象指標: 実績値 up to S and 見込み値 after S (the other cells of these rows stay empty);
- 成果指標 of each 展開方向: 目標値, 実績値 and 成り行き値 of every plan year.

The 施策コスト rows (財源, 事業費計, 延べ業務時間, 人件費計, トータルコスト, 事務事業数) are rolled up
from the linked programs: a changed cell is refused (「事業から集計される値のため取り込めません」).
目標達成度, 前年度比較, §4 grades and texts are not read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from datasets.ops import ValueOp
from datasets.read_common import (
    Grid,
    SheetRead,
    block_rows,
    check_computed,
    defined_ranges,
    expect,
    find_sheet,
    layout_error,
    only_worksheet,
    read_value,
    reject_typed,
    year_header,
)
from datasets.report import ImportReport
from indicators.choices import ValueType
from sheets.choices import FormType
from sheets.selectors import policy_management_context
from sheets.services.policy_management_sheet import editable_value_cells
from sheets.workbooks_policy_management import COL_GROUP, COL_NAME, COL_TYPE, FIRST_YEAR_COL

FORM = "施策マネジメントシート"
OBJECT_SERIES = ((ValueType.ACTUAL, "実績値"), (ValueType.PROJECTION, "見込み値"))
OUTCOME_SERIES = ((ValueType.TARGET, "目標値"), (ValueType.ACTUAL, "実績値"), (ValueType.TREND, "成り行き値"))


def read_policy_management_sheet(wb, report: ImportReport) -> SheetRead:
    sheet = find_sheet(wb, FormType.KUNITACHI_POLICY)
    ws = only_worksheet(wb, FORM)
    ranges = defined_ranges(ws)
    ctx = policy_management_context(sheet_id=sheet.pk)
    grid = Grid(ws, ws.title, form=FORM)
    read = SheetRead(sheet)
    _indicator_grid(ctx, grid, ranges, report, read.value_ops)
    _costs(ctx, grid, ranges, report)
    return read


def _grid_rows(ctx) -> list[tuple[str, object, tuple]]:
    """(group label, row of the context, its series) in the order the workbook prints them."""
    rows = [("対象指標", row, OBJECT_SERIES) for row in ctx.object_rows]
    for direction in ctx.directions:
        rows += [(f"展開方向{direction.no}", row, OUTCOME_SERIES) for row in direction.outcomes]
    return rows


def _indicator_grid(ctx, grid: Grid, ranges, report: ImportReport, ops: list[ValueOp]) -> None:
    rows = _grid_rows(ctx)
    first, _last, _c1, _c2 = block_rows(ranges, "indicator_grid", FORM, rows=sum(len(s) for *_x, s in rows))
    expect(grid, first - 1, COL_TYPE, "数値区分", FORM)
    for offset, label in enumerate(ctx.year_labels):
        expect(grid, first - 1, FIRST_YEAR_COL + offset, label, FORM)
    editable = editable_value_cells(ctx)
    row, group = first, None
    for group_label, context_row, series in rows:
        if group_label != group:
            expect(grid, row, COL_GROUP, group_label, FORM)
            group = group_label
        expect(grid, row, COL_NAME, f"{context_row.slot}　{context_row.name}".rstrip(), FORM)
        indicator = context_row.indicator
        for value_type, type_label in series:
            expect(grid, row, COL_TYPE, type_label, FORM)
            for offset, fy in enumerate(ctx.years):
                col = FIRST_YEAR_COL + offset
                header = _("%(slot)s %(year)s %(label)s") % {
                    "slot": f"{group_label} {context_row.slot}",
                    "year": year_header(fy),
                    "label": type_label,
                }
                if indicator is None:
                    reject_typed(
                        grid,
                        report,
                        row,
                        col,
                        header,
                        _("指標が設定されていない行です（指標は画面で設定してください）"),
                    )
                elif (fy, value_type) not in editable.get(indicator.pk, ()):
                    reject_typed(grid, report, row, col, header, _not_this_row(ctx, value_type))
                else:
                    read_value(grid, report, row, col, header, indicator, fy, value_type, ops)
            row += 1


def _not_this_row(ctx, value_type: str) -> str:
    s = year_header(ctx.subject_fy)
    if value_type == ValueType.ACTUAL:
        return _("%(year)sより後の年度は見込み値の行に入力してください") % {"year": s}
    return _("%(year)sまでの年度は実績値の行に入力してください") % {"year": s}


def _costs(ctx, grid: Grid, ranges, report: ImportReport) -> None:
    """施策コスト: every cell must still hold what the export wrote (figures, SUM and A+B formulas)."""
    years = len(ctx.years)
    funding_first, funding_last, first_col, _c2 = block_rows(
        ranges, "funding", FORM, rows=len(ctx.funding_rows), cols=years
    )
    named = {}
    for name in ("project_cost", "work_hours", "personnel_cost", "total_cost", "program_count"):
        row, _r2, col, _c = block_rows(ranges, name, FORM, rows=1, cols=years)
        if col != first_col:
            raise layout_error(FORM)
        named[name] = row
    if first_col != FIRST_YEAR_COL:
        raise layout_error(FORM)
    for row, (label, _amounts) in enumerate(ctx.funding_rows, start=funding_first):
        expect(grid, row, COL_NAME, label, FORM)
    project, personnel = named["project_cost"], named["personnel_cost"]
    for name, col, label in (
        ("project_cost", COL_NAME, "事業費計（A）"),
        ("work_hours", COL_NAME, "延べ業務時間"),
        ("personnel_cost", COL_NAME, "人件費計（B）"),
        ("total_cost", COL_GROUP, "トータルコスト（A）＋（B）"),
        ("program_count", COL_GROUP, "事務事業数"),
    ):
        expect(grid, named[name], col, label, FORM)
    for offset, (fy, year) in enumerate(zip(ctx.years, ctx.cost_years, strict=True)):
        col = FIRST_YEAR_COL + offset
        letter, when = get_column_letter(col), year_header(fy)
        for row, (label, amounts) in enumerate(ctx.funding_rows, start=funding_first):
            check_computed(grid, report, row, col, f"{label} {when}", amounts[offset])
        project_formula = f"=SUM({letter}{funding_first}:{letter}{funding_last})"
        total_formula = f"={letter}{project}+{letter}{personnel}"
        for name, label, expected, formula in (
            ("project_cost", "事業費計（A）", year.project_cost, project_formula),
            ("work_hours", "延べ業務時間", year.work_hours, None),
            ("personnel_cost", "人件費計（B）", year.personnel_cost, None),
            ("total_cost", "トータルコスト", year.total_cost, total_formula),
            ("program_count", "事務事業数", ctx.program_counts[offset], None),
        ):
            formula = formula if expected is not None else None
            check_computed(grid, report, named[name], col, f"{label} {when}", expected, formula=formula)
