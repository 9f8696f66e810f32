"""Reads of the printing app: the departments a user may print, and the sheets of a job."""

from __future__ import annotations

from django.db.models import Q

from sheets.choices import OrgUnitKind
from sheets.models import EvaluationSheet, OrgUnit
from sheets.permissions import visible_sheets


def printable_departments(*, organization_ids=None, department_ids=None):
    """部 of the given organisations (all of them for None), restricted to ``department_ids`` unless
    None, in the order of the organisation chart."""
    qs = OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT).select_related("organization")
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    if department_ids is not None:
        qs = qs.filter(pk__in=department_ids)
    return qs.order_by("organization__lg_code", "order", "name")


def unit_subtree_ids(department: OrgUnit) -> set[int]:
    """The department and every unit below it (one query for the organisation's units)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.filter(organization_id=department.organization_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    found, stack = set(), [department.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children.get(pk, []))
    return found


def department_sheets(*, department: OrgUnit, evaluation_fy: int, form_type: str = "", user=None):
    """Sheets owned by the department or a unit under it (program owner or policy lead), in print order;
    only those ``user`` may read when a user is given."""
    unit_ids = unit_subtree_ids(department)
    qs = (visible_sheets(user) if user is not None else EvaluationSheet.objects).filter(
        Q(program__owner_unit_id__in=unit_ids) | Q(policy_node__lead_unit_id__in=unit_ids),
        organization_id=department.organization_id,
        evaluation_fy=evaluation_fy,
    )
    if form_type:
        qs = qs.filter(form_type=form_type)
    return qs.order_by("form_type", "program__code", "policy_node__code", "id")


def sheets_in_order(sheet_ids: list[int]) -> list[EvaluationSheet]:
    """The sheets of ``sheet_ids`` with their subject, in the order of the list (one query)."""
    by_id = EvaluationSheet.objects.select_related("program", "policy_node").in_bulk(sheet_ids)
    return [by_id[pk] for pk in sheet_ids if pk in by_id]
