"""Compare an import's ops with the database, validate them like the edit form does, and apply them.

:func:`plan_import` writes nothing: it reports every cell as created, changed, unchanged or rejected
(with the reason) and prepares the rows to write. :func:`apply_plan` writes exactly those rows; the
caller runs both inside one transaction (``datasets.services.import_apply``), so an import is all
or nothing. The checks are the edit form's: the value parser (``parse_value`` / ``parse_amount``),
amounts ≥ 0 and whole 千円, field validation (``full_clean``), V-SUM through the form's own
:func:`sheets.services.funding_problems`, and the form's permission: ``can_edit_sheet`` on every
sheet showing the year (E = year or year + 1), so a locked, approved or published sheet refuses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.choices import Action
from datasets.gate import Gate
from datasets.ops import CostOp, ValueOp, chunked
from datasets.report import ImportReport, ReportEntry
from indicators.choices import CostBasis, ValueStatus
from indicators.models import BudgetProject, CostRecord, FundingLine, Indicator, IndicatorValue
from indicators.selectors import STATUS_TOKENS
from sheets.choices import ProgramKind
from sheets.history import acting_as
from sheets.history import bulk_create as bulk_create_with_history
from sheets.history import bulk_update as bulk_update_with_history
from sheets.models import EvaluationSheet, PolicyNode, Program
from sheets.services import SubProgramInput, funding_problems

FETCH_CHUNK = 500
#: The fields an import writes (updates write only those of them that changed).
VALUE_FIELDS = ("value", "status", "raw_text", "provisional", "note")
RECORD_FIELDS = ("amount", "work_hours", "personnel_cost")
#: Bases the edit form checks with V-SUM, and the evaluation year whose columns show them.
_VSUM_E = {CostBasis.SETTLEMENT: 1, CostBasis.INITIAL_BUDGET: 1, CostBasis.BUDGET: 0}


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def _stored_text(value: IndicatorValue | None) -> str:
    if value is None:
        return ""
    if value.status != ValueStatus.OK:
        return STATUS_TOKENS.get(value.status, value.status)
    return number_text(value.value)


@dataclass
class Plan:
    value_creates: list[IndicatorValue] = field(default_factory=list)
    value_updates: list[IndicatorValue] = field(default_factory=list)
    value_deletes: list[int] = field(default_factory=list)
    record_creates: list[CostRecord] = field(default_factory=list)
    record_updates: list[CostRecord] = field(default_factory=list)
    line_creates: list[FundingLine] = field(default_factory=list)
    line_updates: list[FundingLine] = field(default_factory=list)
    line_deletes: list[int] = field(default_factory=list)
    sheet_ids: set[int] = field(default_factory=set)
    #: The fields each planned update changes, by id() of the (planned, so living) instance: an
    #: update writes those alone, in one bulk update per set of fields (far fewer CASE … WHEN).
    changed_fields: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _clean(instance) -> list[str]:
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    try:
        instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [f"{m}" for messages in error.message_dict.values() for m in messages]
    return []


def plan_import(
    value_ops: list[ValueOp],
    cost_ops: list[CostOp],
    *,
    user,
    report: ImportReport,
    sheet: EvaluationSheet | None = None,
    budget_projects=(),
) -> Plan:
    """``sheet``: the sheet a per-sheet workbook belongs to (it governs every op, see :class:`Gate`)."""
    plan = Plan()
    gate = Gate(user, sheet=sheet, budget_projects=budget_projects)
    # Programs already loaded with their ops (never a query per op just to prefetch).
    gate.prefetch(
        [
            *(
                (op.indicator.program, op.fiscal_year)
                for op in value_ops
                if Indicator.program.is_cached(op.indicator)
            ),
            *((op.owner, op.fiscal_year) for op in cost_ops),
        ]
    )
    _plan_values(value_ops, gate, report, plan)
    _plan_costs(cost_ops, gate, report, plan)
    plan.sheet_ids = gate.sheet_ids
    return plan


def _existing_values(ops: list[ValueOp]) -> dict[tuple[int, int, str], IndicatorValue]:
    ids = sorted({op.indicator.pk for op in ops})
    years = {op.fiscal_year for op in ops}
    found = {}
    for start in range(0, len(ids), FETCH_CHUNK):
        for v in IndicatorValue.objects.filter(
            indicator_id__in=ids[start : start + FETCH_CHUNK], fiscal_year__in=years
        ):
            found[(v.indicator_id, v.fiscal_year, v.value_type)] = v
    return found


def _plan_values(ops: list[ValueOp], gate: Gate, report: ImportReport, plan: Plan) -> None:
    existing = _existing_values(ops)
    for op in ops:
        current = existing.get((op.indicator.pk, op.fiscal_year, op.value_type))
        parsed = op.parsed
        if parsed.unit and op.indicator.unit and parsed.unit != op.indicator.unit:
            report.warnings.append(
                _("%(where)s: 単位「%(typed)s」が指標の単位「%(unit)s」と異なります")
                % {
                    "where": ReportEntry(op.cell.sheet, op.cell.row, op.cell.column, "").location,
                    "typed": parsed.unit,
                    "unit": op.indicator.unit,
                }
            )
        if parsed.is_blank:
            if current is None:
                if op.note or op.provisional:
                    cell = op.note_cell if op.note else op.provisional_cell
                    report.reject(
                        cell.sheet, cell.row, cell.column, _("値が空欄の行に暫定値・注記は入力できません")
                    )
                continue
            changes = [(op.cell, _stored_text(current), "", _("値を削除します"))]
        else:
            provisional = True if parsed.provisional else op.provisional
            if provisional is None:
                provisional = current.provisional if current else False
            note = op.note if op.note is not None else (current.note if current else "")
            new_text = _stored_text(IndicatorValue(value=parsed.value, status=parsed.status))
            if current is None:
                changes = [(op.cell, "", new_text, "")]
            else:
                changes = []
                if (current.status, current.value) != (parsed.status, parsed.value):
                    changes.append((op.cell, _stored_text(current), new_text, ""))
                if current.provisional != provisional:
                    mark = ("○" if current.provisional else "", "○" if provisional else "")
                    changes.append((op.provisional_cell or op.cell, *mark, _("暫定値")))
                if current.note != note:
                    changes.append((op.note_cell or op.cell, current.note, note, ""))
        if not changes:
            report.add(ReportEntry(op.cell.sheet, op.cell.row, op.cell.column, Action.UNCHANGED))
            continue
        problem = gate.problem(op.indicator.program or op.indicator.policy_node, op.fiscal_year)
        if problem:
            report.reject(op.cell.sheet, op.cell.row, op.cell.column, problem, field=op.cell.header)
            continue
        if parsed.is_blank:
            plan.value_deletes.append(current.pk)
        else:
            target = current or IndicatorValue(
                indicator=op.indicator, fiscal_year=op.fiscal_year, value_type=op.value_type
            )
            stored = [getattr(target, name) for name in VALUE_FIELDS]
            if current is None or (current.status, current.value) != (parsed.status, parsed.value):
                target.raw_text = parsed.raw_text[:60]
            target.value, target.status = parsed.value, parsed.status
            target.provisional, target.note = provisional, note
            errors = _clean(target)
            if errors:
                for message in errors:
                    report.reject(op.cell.sheet, op.cell.row, op.cell.column, message, field=op.cell.header)
                continue
            if current:
                plan.value_updates.append(target)
                plan.changed_fields[id(target)] = _changed(target, VALUE_FIELDS, stored)
            else:
                plan.value_creates.append(target)
        action = Action.CREATED if current is None else Action.CHANGED
        for cell, old, new, message in changes:
            report.add(ReportEntry(cell.sheet, cell.row, cell.column, action, message, old, new, cell.header))


def _changed(instance, names, stored) -> tuple[str, ...]:
    return tuple(name for name, old in zip(names, stored, strict=True) if getattr(instance, name) != old)


def _owner_lookup(owner) -> dict:
    if isinstance(owner, Program):
        return {"program": owner}
    if isinstance(owner, PolicyNode):
        return {"policy_node": owner}
    return {"budget_project": owner}


def _existing_records(ops: list[CostOp]) -> dict[tuple, CostRecord]:
    found = {}
    by_type: dict[str, set[int]] = {}
    for op in ops:
        by_type.setdefault(next(iter(_owner_lookup(op.owner))), set()).add(op.owner.pk)
    years = {op.fiscal_year for op in ops}
    for owner_field, ids in by_type.items():
        ids = sorted(ids)
        for start in range(0, len(ids), FETCH_CHUNK):
            records = CostRecord.objects.filter(
                **{f"{owner_field}_id__in": ids[start : start + FETCH_CHUNK]}, fiscal_year__in=years
            ).prefetch_related("funding_lines")
            for r in records:
                found[(owner_field, getattr(r, f"{owner_field}_id"), r.fiscal_year, r.basis)] = r
    return found


def _amount_problem(op: CostOp, name: str, new: Decimal | None) -> str | None:
    if new is None:
        return None
    if new < 0:
        return _("金額は0以上で入力してください")
    if new != new.to_integral_value():
        return _("千円単位の整数で入力してください")
    if (
        name.startswith("line:")
        and isinstance(op.owner, Program)
        and op.owner.kind == ProgramKind.SUB_PROGRAM
    ):
        return _("財源内訳は事業の行に入力してください（事務事業の行には入力できません）")
    return None


def _plan_costs(ops: list[CostOp], gate: Gate, report: ImportReport, plan: Plan) -> None:
    existing = _existing_records(ops)
    groups: dict[tuple, _Group] = {}
    for op in ops:
        owner_field = next(iter(_owner_lookup(op.owner)))
        record = existing.get((owner_field, op.owner.pk, op.fiscal_year, op.basis))
        lines = {line.source_type: line for line in record.funding_lines.all()} if record else {}
        changes = []
        for name, (new, cell) in op.fields.items():
            if name.startswith("line:"):
                line = lines.get(name.removeprefix("line:"))
                old = line.amount if line else None
            else:
                old = getattr(record, name) if record else None
            if old == new:
                report.add(ReportEntry(cell.sheet, cell.row, cell.column, Action.UNCHANGED))
                continue
            problem = _amount_problem(op, name, new)
            if problem:
                report.reject(cell.sheet, cell.row, cell.column, problem, field=cell.header)
                continue
            changes.append((name, old, new, cell))
        if not changes:
            continue
        problem = gate.problem(op.owner, op.fiscal_year)
        if problem:
            for _name, _old, _new, cell in changes:
                report.reject(cell.sheet, cell.row, cell.column, problem, field=cell.header)
            continue
        if record is None:
            record = CostRecord(**_owner_lookup(op.owner), fiscal_year=op.fiscal_year, basis=op.basis)
            plan.record_creates.append(record)
        elif any(not name.startswith("line:") for name, *_rest in changes):
            plan.record_updates.append(record)
            plan.changed_fields[id(record)] = tuple(getattr(record, name) for name in RECORD_FIELDS)
        group = _group(groups, op, changes[0][3])
        for name, old, new, cell in changes:
            if group is not None and name == "amount":
                group.amounts[op.owner.pk] = new
            elif group is not None and name.startswith("line:") and op.owner == group.root:
                group.lines[name.removeprefix("line:")] = new
            if name.startswith("line:"):
                _plan_line(
                    record, lines.get(name.removeprefix("line:")), name.removeprefix("line:"), new, plan
                )
            else:
                setattr(record, name, new)
            action = Action.CREATED if old is None else Action.CHANGED
            report.add(
                ReportEntry(
                    cell.sheet,
                    cell.row,
                    cell.column,
                    action,
                    "",
                    number_text(old),
                    number_text(new),
                    cell.header,
                )
            )
        for message in _clean(record):
            report.reject(op.row_cell.sheet, op.row_cell.row, "", message)
        if id(record) in plan.changed_fields:  # the stored values, taken above: now what changed
            plan.changed_fields[id(record)] = _changed(record, RECORD_FIELDS, plan.changed_fields[id(record)])
    _check_vsum(groups, report)


def _vsum_rows(groups: dict[tuple, _Group]) -> tuple[dict[int, list[int]], dict[tuple, CostRecord]]:
    """The stored rows V-SUM adds up, for every group at once (a few queries, not three per group):
    ({program: its 事務事業 ids}, {(owner kind, owner id, year, basis): record with its lines})."""
    program_ids = {g.root.pk for g in groups.values() if isinstance(g.root, Program)}
    node_ids = {g.root.pk for g in groups.values() if isinstance(g.root, PolicyNode)}
    years = {fy for _kind, _pk, fy, _basis in groups}
    bases = {basis for _kind, _pk, _fy, basis in groups}
    subs_of: dict[int, list[int]] = {pk: [] for pk in program_ids}
    for chunk in chunked(program_ids):
        # The model's ordering ends with id: each program's 事務事業 keep the order of its own query.
        subs = Program.objects.filter(parent_id__in=chunk, kind=ProgramKind.SUB_PROGRAM)
        for pk, parent_id in subs.values_list("pk", "parent_id"):
            subs_of[parent_id].append(pk)
    stored: dict[tuple, CostRecord] = {}
    owners = [("Program", "program_id", program_ids | {pk for ids in subs_of.values() for pk in ids})]
    owners.append(("PolicyNode", "policy_node_id", node_ids))
    for kind, field_name, ids in owners:
        for chunk in chunked(ids):
            records = CostRecord.objects.filter(
                **{f"{field_name}__in": chunk}, fiscal_year__in=years, basis__in=bases
            ).prefetch_related("funding_lines")
            for record in records:
                stored[(kind, getattr(record, field_name), record.fiscal_year, record.basis)] = record
    return subs_of, stored


def _plan_line(record: CostRecord, line: FundingLine | None, source: str, new, plan: Plan) -> None:
    if new is None:
        plan.line_deletes.append(line.pk)
    elif line is None:
        plan.line_creates.append(FundingLine(cost_record=record, source_type=source, amount=new))
    else:
        line.amount = new
        plan.line_updates.append(line)


@dataclass
class _Group:
    """The money of one program (or policy node), year and basis that an import changes."""

    root: Program | PolicyNode
    first_cell: object
    amounts: dict[int, Decimal | None] = field(default_factory=dict)
    lines: dict[str, Decimal | None] = field(default_factory=dict)


def _group(groups: dict, op: CostOp, cell) -> _Group | None:
    if op.basis not in _VSUM_E or isinstance(op.owner, BudgetProject):
        return None
    root = Gate.root(op.owner)
    return groups.setdefault((type(root).__name__, root.pk, op.fiscal_year, op.basis), _Group(root, cell))


def _check_vsum(groups: dict[tuple, _Group], report: ImportReport) -> None:
    """V-SUM with the form's own check: Σ 財源内訳 = 事業費 (Σ 事務事業) per program, year and basis."""
    subs_of, stored = _vsum_rows(groups)
    for (_kind, _pk, fy, basis), group in groups.items():
        root = group.root
        subs = subs_of.get(root.pk, []) if isinstance(root, Program) else []
        owners = [root.pk, *subs]
        amounts: dict[int, Decimal | None] = {}
        lines: dict[str, Decimal | None] = {}
        for owner_id in owners:
            if (record := stored.get((type(root).__name__, owner_id, fy, basis))) is not None:
                amounts[owner_id] = record.amount
                if owner_id == root.pk:
                    lines = {line.source_type: line.amount for line in record.funding_lines.all()}
        amounts.update(group.amounts)
        lines.update(group.lines)
        problems = funding_problems(
            evaluation_fy=fy + _VSUM_E[basis],
            sub_programs=[SubProgramInput(amounts={basis: amounts.get(pk)}) for pk in subs],
            funding={basis: lines},
            own_amounts={basis: amounts.get(root.pk)},
        )
        if basis in problems:
            cell = group.first_cell
            report.reject(cell.sheet, cell.row, cell.column, problems[basis], field=cell.header)


def _bulk_update(model, objs: list, names: tuple[str, ...], plan: Plan) -> None:
    """Write the changed fields of ``objs`` with their history, one bulk update per set of fields.

    Grouping by the fields that changed keeps Django's CASE … WHEN per object and field as small
    as the change itself (most imports change one field of each value).
    """
    groups: dict[tuple[str, ...], list] = {}
    for obj in objs:
        groups.setdefault(plan.changed_fields.get(id(obj), names), []).append(obj)
    for fields, group in groups.items():
        if fields:
            bulk_update_with_history(model, group, list(fields))


def apply_plan(plan: Plan, *, user) -> None:
    """Write the planned rows (the caller holds the transaction), with their audit history."""
    with acting_as(user if getattr(user, "pk", None) else None):
        IndicatorValue.objects.filter(pk__in=plan.value_deletes).delete()
        bulk_create_with_history(IndicatorValue, plan.value_creates)
        _bulk_update(IndicatorValue, plan.value_updates, VALUE_FIELDS, plan)
        bulk_create_with_history(CostRecord, plan.record_creates)
        _bulk_update(CostRecord, plan.record_updates, RECORD_FIELDS, plan)
        FundingLine.objects.filter(pk__in=plan.line_deletes).delete()
        for line in plan.line_creates:
            line.cost_record = line.cost_record  # the record may have got its id just now
        bulk_create_with_history(FundingLine, plan.line_creates)
        _bulk_update(FundingLine, plan.line_updates, ("amount",), plan)
    # Optimistic locking of the edit page: a form opened before the import must not overwrite it.
    EvaluationSheet.objects.filter(pk__in=plan.sheet_ids).update(
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by=user if getattr(user, "pk", None) else None,
    )
