"""Read the 指標値 and 事業費 sheets of a dataset workbook into ops (the other sheets are for reading).

Columns are found by their header (the definitions' headers), so a column an editor moved or a memo
column they added does not matter; a missing or repeated header rejects the sheet. Every key and
importable cell is checked: a formula is refused (paste values instead), a number that does not
parse is refused with the parser's own message, a key that names nothing is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice

from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from datasets.definitions import COSTS, IMPORTABLE_SHEETS, INDICATOR_VALUES, SheetSpec
from datasets.ops import (
    Cell,
    CostOp,
    OwnerKey,
    ResolveError,
    Resolver,
    ValueOp,
    basis_code,
    flag_value,
    indicator_kind_code,
    key_text,
    number_text,
    value_type_code,
)
from datasets.report import ImportRejected, ImportReport
from hikikomori_eval.numbers import parse_amount, parse_value
from hikikomori_eval.wareki import parse_fiscal_year

#: Rows read ahead so that their keys are looked up together (bounded memory, a few queries each).
READ_CHUNK = 2000


def formula_message() -> str:
    return _("数式は取り込めません（値として貼り付けてください）")


def is_dataset_workbook(wb) -> bool:
    return any(spec.title in wb.sheetnames for spec in IMPORTABLE_SHEETS)


class _Row:
    """The cells of one worksheet row, by column name of the spec."""

    def __init__(self, spec: SheetSpec, positions: dict[str, int], cells: tuple, row: int):
        self.spec, self.positions, self.cells, self.row = spec, positions, cells, row

    def raw(self, name: str):
        index = self.positions[name]
        return self.cells[index] if index < len(self.cells) else None

    def value(self, name: str):
        cell = self.raw(name)
        return getattr(cell, "value", None)

    def is_formula(self, name: str) -> bool:
        cell = self.raw(name)
        return getattr(cell, "data_type", None) == "f"

    def cell(self, name: str) -> Cell:
        return Cell(
            self.spec.title, self.row, get_column_letter(self.positions[name] + 1), self.spec.header(name)
        )

    def is_blank(self, names: Iterable[str]) -> bool:
        return all(key_text(self.value(name)) == "" for name in names)


def _positions(spec: SheetSpec, header_cells) -> dict[str, int]:
    by_header: dict[str, int] = {}
    for index, cell in enumerate(header_cells or ()):
        text = key_text(getattr(cell, "value", None))
        if not text:
            continue
        if text in by_header:
            raise ImportRejected(
                _("%(sheet)sシート 1行目: 列見出し「%(header)s」が2つあります")
                % {"sheet": spec.title, "header": text}
            )
        by_header[text] = index
    missing = [c.header for c in spec.columns if (c.key or c.importable) and c.header not in by_header]
    if missing:
        raise ImportRejected(
            _(
                "%(sheet)sシート 1行目: 列見出し「%(headers)s」がありません"
                "（出力したときの列見出しのまま取り込んでください）"
            )
            % {"sheet": spec.title, "headers": "」「".join(missing)}
        )
    return {c.name: by_header[c.header] for c in spec.columns if c.header in by_header}


def _rows(ws, spec: SheetSpec, resolver: Resolver, *, indicators: bool = False):
    # The stored dimension may be stale (files saved by other tools): never let it cut rows off.
    ws.reset_dimensions()
    rows = ws.iter_rows()
    positions = _positions(spec, next(rows, None))
    wanted = [c.name for c in spec.columns if (c.key or c.importable) and c.name in positions]
    numbered = enumerate(rows, start=2)
    while chunk := list(islice(numbered, READ_CHUNK)):
        kept = [
            row for row in (_Row(spec, positions, cells, n) for n, cells in chunk) if not row.is_blank(wanted)
        ]
        # One look-up of the chunk's owners (and indicators) instead of a few queries per row.
        resolver.prefetch((_owner_key(row) for row in kept), indicators=indicators)
        for row in kept:
            yield row, wanted


def _owner_key(row: _Row) -> OwnerKey:
    """The cells :func:`_owner` reads, as they are (a missing column reads as blank here)."""

    def value(name: str):
        return row.value(name) if name in row.positions else None

    return OwnerKey(
        value("org_code"),
        value("program_code"),
        bool(key_text(value("branch_no")) or key_text(value("sub_program_name"))),
        value("policy_code"),
        value("budget_project"),
    )


def _owner(resolver: Resolver, row: _Row, fiscal_year: int):
    """The program, sub-program, policy node or budget project a row names."""
    org = resolver.organization(row.value("org_code"))
    if key_text(row.value("program_code")):
        program = resolver.program(org, row.value("program_code"), fiscal_year)
        if key_text(row.value("branch_no")) or key_text(row.value("sub_program_name")):
            return resolver.sub_program(program, row.value("branch_no"), row.value("sub_program_name"))
        return program
    if key_text(row.value("policy_code")):
        return resolver.policy_node(org, row.value("policy_code"))
    if "budget_project" in row.positions and key_text(row.value("budget_project")):
        return resolver.budget_project(org, row.value("budget_project"))
    raise ResolveError(_("事業番号・施策番号のどちらもありません"))


def _fiscal_year(row: _Row) -> int:
    value = row.value("fiscal_year")
    try:
        return parse_fiscal_year(key_text(value))
    except ValueError as error:
        raise ResolveError(str(error)) from error


def read_dataset(wb, report: ImportReport) -> tuple[list[ValueOp], list[CostOp]]:
    """Ops of the dataset workbook ``wb`` (openpyxl, read-only); refusals go to ``report``."""
    resolver = Resolver()
    value_ops: list[ValueOp] = []
    cost_ops: list[CostOp] = []
    if INDICATOR_VALUES.title in wb.sheetnames:
        value_ops = _read_values(wb[INDICATOR_VALUES.title], resolver, report)
    if COSTS.title in wb.sheetnames:
        cost_ops = _read_costs(wb[COSTS.title], resolver, report)
    return value_ops, cost_ops


def _formula_free(row: _Row, names, report: ImportReport) -> bool:
    ok = True
    for name in names:
        if row.is_formula(name):
            cell = row.cell(name)
            report.reject(cell.sheet, cell.row, cell.column, formula_message(), field=cell.header)
            ok = False
    return ok


def _reject_key(report: ImportReport, row: _Row, name: str, error: Exception) -> None:
    cell = row.cell(name)
    report.reject(cell.sheet, cell.row, cell.column, str(error), field=cell.header)


def _read_values(ws, resolver: Resolver, report: ImportReport) -> list[ValueOp]:
    ops: list[ValueOp] = []
    seen: dict[tuple[int, int, str], int] = {}
    for row, wanted in _rows(ws, INDICATOR_VALUES, resolver, indicators=True):
        if not _formula_free(row, wanted, report):
            continue
        try:
            fiscal_year = _fiscal_year(row)
        except ResolveError as error:
            _reject_key(report, row, "fiscal_year", error)
            continue
        try:
            owner = _owner(resolver, row, fiscal_year)
            indicator = resolver.indicator(
                owner,
                kind=indicator_kind_code(row.value("indicator_kind")),
                slot=row.value("slot"),
                name=row.value("indicator_name"),
            )
        except ResolveError as error:
            _reject_key(report, row, "indicator_name", error)
            continue
        try:
            value_type = value_type_code(row.value("value_type"))
        except ResolveError as error:
            _reject_key(report, row, "value_type", error)
            continue
        try:
            parsed = parse_value(number_text(row.value("value")))
        except (ValueError, TypeError) as error:
            _reject_key(report, row, "value", error)
            continue
        key = (indicator.pk, fiscal_year, value_type)
        if key in seen:
            cell = row.cell("value")
            report.reject(
                cell.sheet,
                cell.row,
                "",
                _("同じ指標・年度・値の種類の行が %(row)d行目 にもあります") % {"row": seen[key]},
            )
            continue
        seen[key] = row.row
        op = ValueOp(row.cell("value"), indicator, fiscal_year, value_type, parsed)
        if "provisional" in row.positions:
            op.provisional, op.provisional_cell = (
                flag_value(row.value("provisional")),
                row.cell("provisional"),
            )
        if "note" in row.positions:
            op.note, op.note_cell = key_text(row.value("note")), row.cell("note")
        ops.append(op)
    return ops


def _read_costs(ws, resolver: Resolver, report: ImportReport) -> list[CostOp]:
    ops: dict[tuple, CostOp] = {}
    importable = [c.name for c in COSTS.importable_columns]
    for row, wanted in _rows(ws, COSTS, resolver):
        if not _formula_free(row, wanted, report):
            continue
        try:
            fiscal_year = _fiscal_year(row)
        except ResolveError as error:
            _reject_key(report, row, "fiscal_year", error)
            continue
        try:
            owner = _owner(resolver, row, fiscal_year)
        except ResolveError as error:
            _reject_key(report, row, "program_code", error)
            continue
        try:
            basis = basis_code(row.value("basis"))
        except ResolveError as error:
            _reject_key(report, row, "basis", error)
            continue
        key = (type(owner).__name__, owner.pk, fiscal_year, basis)
        if key in ops:
            report.reject(
                COSTS.title,
                row.row,
                "",
                _("同じ事業・年度・区分の行が %(row)d行目 にもあります") % {"row": ops[key].row_cell.row},
            )
            continue
        op = ops[key] = CostOp(owner, fiscal_year, basis, row_cell=row.cell("basis"))
        for name in importable:
            if name not in row.positions:
                continue
            try:
                amount = parse_amount(number_text(row.value(name)))
            except (ValueError, TypeError) as error:
                _reject_key(report, row, name, error)
                continue
            field = "line:" + name.removeprefix("funding_") if name.startswith("funding_") else name
            op.fields[field] = (amount, row.cell(name))
    return list(ops.values())
