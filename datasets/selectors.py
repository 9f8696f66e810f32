"""Reads for the dataset export: which rows a scope covers, streamed in chunks.

Every queryset here is ordered, joins what its rows print (``select_related``) and is meant to be
iterated with ``.iterator(chunk_size=CHUNK_SIZE)``, so a prefecture's 100,000 values never sit in
memory at once. The two big sheets (指標値, 事業費) read their rows as tuples (``values_list``) and
their owners once per indicator or per chunk: a model instance per row was most of the export's
time. Achievement comes from :func:`indicators.selectors.IndicatorSeries.achievement`
(the functions of ``indicators/calculations.py``), never from a formula of this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from itertools import groupby, islice
from operator import itemgetter
from typing import NamedTuple

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from datasets.definitions import COSTS, INDICATOR_VALUES, YEAR_WINDOW
from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, IndicatorKind, ValueType
from indicators.models import (
    BudgetProject,
    CostRecord,
    FundingLine,
    Indicator,
    IndicatorValue,
    StaffAllocation,
)
from indicators.selectors import STATUS_TOKENS, IndicatorSeries
from sheets.choices import ProgramKind
from sheets.models import (
    EvaluationSheet,
    OrgUnit,
    PolicyNode,
    Program,
    ProgramPolicyLink,
    ProgramYear,
    SubProgramEvaluation,
)

CHUNK_SIZE = 2000
#: Achievement in the dataset keeps one decimal of percent, as the reference indicators print it.
ACHIEVEMENT_DECIMALS = 1


@dataclass(frozen=True)
class DatasetScope:
    """What one export covers: an evaluation year E (values of E−5 … E), optionally one 部 or 施策.

    ``organization_ids`` None means every organisation (a superuser, the command line).
    ``unit_limits`` narrows some of them to the programs and policy nodes of certain units:
    ``((organization id, (unit id, …)), …)`` (staff and evaluators see the units of their 部).
    """

    evaluation_fy: int
    organization_ids: tuple[int, ...] | None = None
    department_id: int | None = None
    policy_node_id: int | None = None
    unit_limits: tuple[tuple[int, tuple[int, ...]], ...] = ()

    @classmethod
    def for_visibility(cls, evaluation_fy: int, organization_ids, unit_limits: dict | None = None, **filters):
        """A scope from :func:`datasets.permissions.export_visibility` (or its JSON on an ExportJob)."""
        limits = tuple(sorted((int(org), tuple(ids)) for org, ids in (unit_limits or {}).items()))
        ids = None if organization_ids is None else tuple(organization_ids)
        return cls(evaluation_fy=evaluation_fy, organization_ids=ids, unit_limits=limits, **filters)

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.evaluation_fy - YEAR_WINDOW + 1, self.evaluation_fy + 1))


def _descendants(model, root_id: int, **same) -> list[int]:
    """The id of ``root_id`` and of every node under it (one query: the tree of one org / plan)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in model.objects.filter(**same).values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    found, todo = [], [root_id]
    while todo:
        pk = todo.pop()
        found.append(pk)
        todo.extend(children.get(pk, []))
    return found


def department_unit_ids(department_id: int) -> list[int]:
    department = OrgUnit.objects.only("organization_id").get(pk=department_id)
    return _descendants(OrgUnit, department_id, organization_id=department.organization_id)


def policy_node_ids(policy_node_id: int) -> list[int]:
    node = PolicyNode.objects.only("plan_id").get(pk=policy_node_id)
    return _descendants(PolicyNode, policy_node_id, plan_id=node.plan_id)


def scope_programs(scope: DatasetScope):
    """Programs and initiatives (not sub-programs) the scope covers, as a subquery-friendly queryset."""
    qs = Program.objects.exclude(kind=ProgramKind.SUB_PROGRAM).active_in_any(scope.fiscal_years)
    if scope.organization_ids is not None:
        qs = qs.filter(organization_id__in=scope.organization_ids)
    for organization_id, unit_ids in scope.unit_limits:
        qs = qs.exclude(Q(organization_id=organization_id) & ~Q(owner_unit_id__in=unit_ids))
    if scope.department_id:
        qs = qs.filter(owner_unit_id__in=department_unit_ids(scope.department_id))
    if scope.policy_node_id:
        links = ProgramPolicyLink.objects.filter(
            policy_node_id__in=policy_node_ids(scope.policy_node_id), fiscal_year__in=scope.fiscal_years
        )
        qs = qs.filter(pk__in=links.values("program_id"))
    return qs


def scope_owner_programs(scope: DatasetScope):
    """The scope's programs and their sub-programs."""
    top = scope_programs(scope).values("pk")
    return Program.objects.filter(Q(pk__in=top) | Q(parent__in=top))


def scope_policy_nodes(scope: DatasetScope):
    qs = PolicyNode.objects.all()
    if scope.organization_ids is not None:
        qs = qs.filter(plan__organization_id__in=scope.organization_ids)
    for organization_id, unit_ids in scope.unit_limits:
        qs = qs.exclude(Q(plan__organization_id=organization_id) & ~Q(lead_unit_id__in=unit_ids))
    if scope.department_id:
        qs = qs.filter(lead_unit_id__in=department_unit_ids(scope.department_id))
    if scope.policy_node_id:
        qs = qs.filter(pk__in=policy_node_ids(scope.policy_node_id))
    return qs


# ---- querysets of the resource-backed sheets ---------------------------------------------------


def program_queryset(scope: DatasetScope):
    e = scope.evaluation_fy
    year = ProgramYear.objects.filter(program=OuterRef("pk"), fiscal_year=e)
    link = ProgramPolicyLink.objects.filter(program=OuterRef("pk"), fiscal_year__lte=e, is_primary=True)
    return (
        scope_owner_programs(scope)
        .select_related("organization", "parent", "owner_unit")
        .annotate(
            sort_code=Coalesce("parent__code", "code"),
            e_category=Subquery(year.values("administrative_category")[:1]),
            e_priority=Subquery(year.values("is_priority")[:1]),
            e_policy_code=Subquery(link.order_by("-fiscal_year").values("policy_node__code")[:1]),
        )
        .order_by(
            "organization__lg_code",
            "sort_code",
            F("parent_id").asc(nulls_first=True),
            "order",
            "branch_no",
            "pk",
        )
    )


def _indicator_owner_filter(scope: DatasetScope, prefix: str = "") -> Q:
    return Q(**{f"{prefix}program__in": scope_owner_programs(scope).values("pk")}) | Q(
        **{f"{prefix}policy_node__in": scope_policy_nodes(scope).values("pk")}
    )


def indicator_queryset(scope: DatasetScope):
    return (
        Indicator.objects.filter(_indicator_owner_filter(scope))
        .select_related("organization", "program__parent", "policy_node")
        .order_by("organization__lg_code", "program_id", "policy_node_id", "order", "pk")
    )


def staffing_queryset(scope: DatasetScope):
    return (
        StaffAllocation.objects.filter(
            program__in=scope_owner_programs(scope).values("pk"), fiscal_year__in=scope.fiscal_years
        )
        .select_related("program__organization", "program__parent", "category")
        .order_by(
            "program__organization__lg_code", "program__code", "program_id", "fiscal_year", "category__order"
        )
    )


def evaluation_queryset(scope: DatasetScope):
    qs = EvaluationSheet.objects.filter(evaluation_fy=scope.evaluation_fy).filter(
        Q(program__in=scope_programs(scope).values("pk"))
        | Q(policy_node__in=scope_policy_nodes(scope).values("pk"))
    )
    return qs.select_related(
        "organization", "program__owner_unit", "policy_node__lead_unit", "program_sheet__direction"
    ).order_by("organization__lg_code", "form_type", "program__code", "policy_node__code", "pk")


def sub_program_evaluation_queryset(scope: DatasetScope):
    return (
        SubProgramEvaluation.objects.filter(sheet__in=evaluation_queryset(scope).values("pk"))
        .select_related("sheet__organization", "sheet__program", "sub_program")
        .order_by("sheet__organization__lg_code", "sheet__program__code", "sub_program__order", "pk")
    )


# ---- hand-written sheets: indicator values with achievement, costs with funding lines -------------


def owner_cells(organization, program, policy_node) -> dict:
    """団体コード, 事業番号, 枝番, 事業名, 事務事業名, 施策番号 of a row owned by a program or policy node."""
    cells = {"org_code": organization.lg_code, "org_name": organization.name}
    if program is not None:
        is_sub = program.kind == ProgramKind.SUB_PROGRAM and program.parent_id
        root = program.parent if is_sub else program
        cells.update(
            program_code=root.code,
            program_name=root.name,
            branch_no=program.branch_no if is_sub else None,
            sub_program_name=program.name if is_sub else "",
        )
    if policy_node is not None:
        cells["policy_code"] = policy_node.code
    return cells


def _row_template(cells: dict, names: list[str]) -> list:
    """A row aligned with ``names`` holding ``cells`` (None elsewhere): copied, then filled per row."""
    return [cells.get(name) for name in names]


def _batches(iterable, size: int) -> Iterator[list]:
    it = iter(iterable)
    while batch := list(islice(it, size)):
        yield batch


@lru_cache(maxsize=64)
def _fiscal_year_label(fy: int) -> str:
    return fy_label(fy, "plain")


def value_queryset(scope: DatasetScope):
    """The values of the scope's indicators in its years, ordered by indicator (no joins: see value_rows)."""
    return (
        IndicatorValue.objects.filter(
            _indicator_owner_filter(scope, "indicator__"), fiscal_year__in=scope.fiscal_years
        )
        .only("indicator_id", "fiscal_year", "value_type", "value", "status", "provisional", "note")
        .order_by("indicator_id", "fiscal_year", "value_type")
    )


class _Value(NamedTuple):
    """One IndicatorValue as read for the export (a tuple: no model instance per value row)."""

    indicator_id: int
    fiscal_year: int
    value_type: str
    value: Decimal | None
    status: str
    provisional: bool
    note: str


def _indicators_by_id(scope: DatasetScope) -> Iterator[Indicator]:
    return (
        Indicator.objects.filter(_indicator_owner_filter(scope))
        .select_related("organization", "program__parent", "policy_node")
        .order_by("pk")
        .iterator(chunk_size=CHUNK_SIZE)
    )


def value_rows(scope: DatasetScope) -> Iterator[list]:
    """Rows of the 指標値 sheet; the actual row of a year carries that year's 達成度.

    Values and indicators are both read in indicator-id order and merged, so each indicator (with
    its organisation and program) is built once, not once per value row. Values are read as tuples
    (``values_list``): a model instance per value row was most of the sheet's time.
    """
    kinds = {k: str(label) for k, label in IndicatorKind.choices}
    types = {k: str(label) for k, label in ValueType.choices}
    names = [c.name for c in INDICATOR_VALUES.columns]
    at = {name: i for i, name in enumerate(names)}
    i_fy, i_fy_label = at["fiscal_year"], at["fiscal_year_label"]
    i_type, i_value = at["value_type"], at["value"]
    i_provisional, i_note = at["provisional"], at["note"]
    i_achievement, i_achievement_raw = at["achievement"], at["achievement_raw"]
    indicators = _indicators_by_id(scope)
    indicator = None
    template: list = []
    values = map(
        _Value._make,
        value_queryset(scope).values_list(*_Value._fields).iterator(chunk_size=CHUNK_SIZE),
    )
    for (indicator_id, fy), group in groupby(values, key=itemgetter(0, 1)):
        while indicator is None or indicator.pk < indicator_id:
            indicator = next(indicators)
            owner = owner_cells(indicator.organization, indicator.program, indicator.policy_node)
            owner.update(
                indicator_kind=kinds.get(indicator.kind, indicator.kind),
                slot=indicator.slot,
                indicator_name=indicator.name,
                unit=indicator.unit,
            )
            template = _row_template(owner, names)
        group = list(group)
        series = IndicatorSeries(
            indicator=indicator, values={(v.fiscal_year, v.value_type): v for v in group}
        )
        rate = series.achievement(fy, decimals=ACHIEVEMENT_DECIMALS)
        base = template.copy()
        base[i_fy] = fy
        base[i_fy_label] = _fiscal_year_label(fy)
        for v in group:
            row = base.copy()
            cell = series.cell(fy, v.value_type)
            row[i_type] = types.get(v.value_type, v.value_type)
            row[i_value] = cell.number if cell.number is not None else STATUS_TOKENS.get(v.status, "")
            row[i_provisional] = v.provisional
            row[i_note] = v.note
            if v.value_type == ValueType.ACTUAL:
                row[i_achievement] = rate.shown
                row[i_achievement_raw] = rate.raw
            yield row


def _cost_records(scope: DatasetScope):
    """The scope's cost records in export order (program, budget project, policy node, year, basis)."""
    owners = scope_owner_programs(scope).values("pk")
    budget_projects = BudgetProject.objects.filter(programs__in=owners).values("pk")
    return CostRecord.objects.filter(
        Q(program__in=owners)
        | Q(policy_node__in=scope_policy_nodes(scope).values("pk"))
        | Q(budget_project__in=budget_projects),
        fiscal_year__in=scope.fiscal_years,
    ).order_by("program_id", "budget_project_id", "policy_node_id", "fiscal_year", "basis")


def cost_queryset(scope: DatasetScope):
    """The cost records of the scope as model instances with their owners and funding lines."""
    return (
        _cost_records(scope)
        .select_related(
            "program__organization",
            "program__parent",
            "policy_node__plan__organization",
            "budget_project__organization",
            "main_funding",
            "execution_method",
        )
        .prefetch_related("funding_lines")
    )


class _CostRecord(NamedTuple):
    """One CostRecord as read for the export, with the labels of its foreign keys (one joined query)."""

    pk: int
    program_id: int | None
    budget_project_id: int | None
    policy_node_id: int | None
    fiscal_year: int
    basis: str
    amount: Decimal | None
    work_hours: Decimal | None
    personnel_cost: Decimal | None
    main_funding_id: int | None
    execution_method_id: int | None
    budget_project_name: str | None
    main_funding_label: str | None
    execution_method_label: str | None


_COST_FIELDS = (
    *_CostRecord._fields[:-3],
    "budget_project__name",
    "main_funding__label",
    "execution_method__label",
)


def _cost_owner_templates(records: list[_CostRecord], names: list[str]) -> dict[tuple, list]:
    """Row templates (owner cells) of the owners of a chunk of cost records: three queries at most.

    Records are ordered by owner, so a chunk names at most ``CHUNK_SIZE`` owners and nothing is kept
    from one chunk to the next.
    """
    templates: dict[tuple, list] = {}
    program_ids = {r.program_id for r in records if r.program_id}
    project_ids = {r.budget_project_id for r in records if not r.program_id and r.budget_project_id}
    node_ids = {
        r.policy_node_id for r in records if not r.program_id and not r.budget_project_id and r.policy_node_id
    }
    if program_ids:
        for program in Program.objects.filter(pk__in=program_ids).select_related("organization", "parent"):
            cells = owner_cells(program.organization, program, None)
            templates["program", program.pk] = _row_template(cells, names)
    if project_ids:
        for project in BudgetProject.objects.filter(pk__in=project_ids).select_related("organization"):
            templates["budget_project", project.pk] = _row_template(
                owner_cells(project.organization, None, None), names
            )
    if node_ids:
        for node in PolicyNode.objects.filter(pk__in=node_ids).select_related("plan__organization"):
            cells = owner_cells(node.plan.organization, None, node)
            templates["policy_node", node.pk] = _row_template(cells, names)
    return templates


def _funding_lines(record_ids: list[int]) -> dict[int, dict[str, Decimal]]:
    lines: dict[int, dict[str, Decimal]] = {}
    rows = FundingLine.objects.filter(cost_record_id__in=record_ids).order_by("cost_record_id", "source_type")
    for record_id, source, amount in rows.values_list("cost_record_id", "source_type", "amount"):
        lines.setdefault(record_id, {})[source] = amount
    return lines


def cost_rows(scope: DatasetScope) -> Iterator[list]:
    """Rows of the 事業費 sheet, read as tuples in chunks: per chunk one query for the funding lines
    and one per kind of owner, instead of model instances and a prefetch per record.
    """
    bases = {k: str(label) for k, label in CostBasis.choices}
    names = [c.name for c in COSTS.columns]
    at = {name: i for i, name in enumerate(names)}
    funding_at = {name.removeprefix("funding_"): i for name, i in at.items() if name.startswith("funding_")}
    funding_at.pop("total", None)
    records = map(
        _CostRecord._make, _cost_records(scope).values_list(*_COST_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    )
    for chunk in _batches(records, CHUNK_SIZE):
        templates = _cost_owner_templates(chunk, names)
        lines = _funding_lines([r.pk for r in chunk])
        for r in chunk:
            if r.program_id:
                row = templates["program", r.program_id].copy()
            elif r.budget_project_id:
                row = templates["budget_project", r.budget_project_id].copy()
            else:
                row = templates["policy_node", r.policy_node_id].copy()
            record_lines = lines.get(r.pk, {})
            row[at["budget_project"]] = r.budget_project_name if r.budget_project_id else ""
            row[at["fiscal_year"]] = r.fiscal_year
            row[at["fiscal_year_label"]] = _fiscal_year_label(r.fiscal_year)
            row[at["basis"]] = bases.get(r.basis, r.basis)
            row[at["amount"]] = r.amount
            row[at["funding_total"]] = costs.sum_amounts(record_lines.values())
            row[at["work_hours"]] = r.work_hours
            row[at["personnel_cost"]] = r.personnel_cost
            row[at["main_funding"]] = r.main_funding_label if r.main_funding_id else ""
            row[at["execution_method"]] = r.execution_method_label if r.execution_method_id else ""
            for source, amount in record_lines.items():
                if source in funding_at:
                    row[funding_at[source]] = amount
            yield row
