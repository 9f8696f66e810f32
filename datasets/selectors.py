"""Reads for the dataset export: which rows a scope covers, streamed in chunks.

Every queryset here is ordered, joins what its rows print (``select_related``) and is meant to be
iterated with ``.iterator(chunk_size=CHUNK_SIZE)``, so a prefecture's 100,000 values never sit in
memory at once. Achievement comes from :func:`indicators.selectors.IndicatorSeries.achievement`
(the functions of ``indicators/calculations.py``), never from a formula of this module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from datasets.definitions import COSTS, INDICATOR_VALUES, YEAR_WINDOW
from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, IndicatorKind, ValueType
from indicators.models import BudgetProject, CostRecord, Indicator, IndicatorValue, StaffAllocation
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


def value_queryset(scope: DatasetScope):
    """The values of the scope's indicators in its years, ordered by indicator (no joins: see value_rows)."""
    return (
        IndicatorValue.objects.filter(
            _indicator_owner_filter(scope, "indicator__"), fiscal_year__in=scope.fiscal_years
        )
        .only("indicator_id", "fiscal_year", "value_type", "value", "status", "provisional", "note")
        .order_by("indicator_id", "fiscal_year", "value_type")
    )


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
    its organisation and program) is built once, not once per value row.
    """
    kinds = {k: str(label) for k, label in IndicatorKind.choices}
    types = {k: str(label) for k, label in ValueType.choices}
    names = [c.name for c in INDICATOR_VALUES.columns]
    indicators = _indicators_by_id(scope)
    indicator = None
    owner: dict = {}
    values = value_queryset(scope).iterator(chunk_size=CHUNK_SIZE)
    for (indicator_id, fy), group in groupby(values, key=lambda v: (v.indicator_id, v.fiscal_year)):
        while indicator is None or indicator.pk < indicator_id:
            indicator = next(indicators)
            owner = owner_cells(indicator.organization, indicator.program, indicator.policy_node)
            owner.update(
                indicator_kind=kinds.get(indicator.kind, indicator.kind),
                slot=indicator.slot,
                indicator_name=indicator.name,
                unit=indicator.unit,
            )
        group = list(group)
        series = IndicatorSeries(
            indicator=indicator, values={(v.fiscal_year, v.value_type): v for v in group}
        )
        rate = series.achievement(fy, decimals=ACHIEVEMENT_DECIMALS)
        base = {**owner, "fiscal_year": fy, "fiscal_year_label": fy_label(fy, "plain")}
        for v in group:
            cells = dict(base)
            cell = series.cell(fy, v.value_type)
            cells.update(
                value_type=types.get(v.value_type, v.value_type),
                value=cell.number if cell.number is not None else STATUS_TOKENS.get(v.status, ""),
                provisional=v.provisional,
                note=v.note,
            )
            if v.value_type == ValueType.ACTUAL:
                cells.update(achievement=rate.shown, achievement_raw=rate.raw)
            yield [cells.get(name) for name in names]


def cost_queryset(scope: DatasetScope):
    owners = scope_owner_programs(scope).values("pk")
    budget_projects = BudgetProject.objects.filter(programs__in=owners).values("pk")
    return (
        CostRecord.objects.filter(
            Q(program__in=owners)
            | Q(policy_node__in=scope_policy_nodes(scope).values("pk"))
            | Q(budget_project__in=budget_projects),
            fiscal_year__in=scope.fiscal_years,
        )
        .select_related(
            "program__organization",
            "program__parent",
            "policy_node__plan__organization",
            "budget_project__organization",
            "main_funding",
            "execution_method",
        )
        .prefetch_related("funding_lines")
        .order_by("program_id", "budget_project_id", "policy_node_id", "fiscal_year", "basis")
    )


def cost_rows(scope: DatasetScope) -> Iterator[list]:
    bases = {k: str(label) for k, label in CostBasis.choices}
    names = [c.name for c in COSTS.columns]
    for record in cost_queryset(scope).iterator(chunk_size=CHUNK_SIZE):
        if record.program_id:
            organization = record.program.organization
        elif record.budget_project_id:
            organization = record.budget_project.organization
        else:
            organization = record.policy_node.plan.organization
        cells = owner_cells(organization, record.program, record.policy_node)
        lines = {line.source_type: line.amount for line in record.funding_lines.all()}
        cells.update(
            budget_project=record.budget_project.name if record.budget_project_id else "",
            fiscal_year=record.fiscal_year,
            fiscal_year_label=fy_label(record.fiscal_year, "plain"),
            basis=bases.get(record.basis, record.basis),
            amount=record.amount,
            funding_total=costs.sum_amounts(lines.values()),
            work_hours=record.work_hours,
            personnel_cost=record.personnel_cost,
            main_funding=record.main_funding.label if record.main_funding_id else "",
            execution_method=record.execution_method.label if record.execution_method_id else "",
            **{f"funding_{source}": amount for source, amount in lines.items()},
        )
        yield [cells.get(name) for name in names]
