"""Which programs a portfolio covers: a department's (its units' programs) or a policy's (linked in S)."""

from __future__ import annotations

from benchmarks.analytics import PortfolioContext, portfolio_context
from sheets.choices import DIRECTION
from sheets.models import EvaluationSheet, OrgUnit, PolicyNode, Program
from sheets.selectors.common import choice_options


def _direction_order(organization_id: int, evaluation_fy: int) -> list[str]:
    return [
        o.label for o in choice_options(DIRECTION, organization_id=organization_id, fiscal_year=evaluation_fy)
    ]


def portfolio_year(organization_id: int, requested: str | None) -> int | None:
    """The requested evaluation year, else the organisation's latest year with a sheet."""
    if requested and requested.isdigit():
        return int(requested)
    return (
        EvaluationSheet.objects.filter(organization_id=organization_id)
        .order_by("-evaluation_fy")
        .values_list("evaluation_fy", flat=True)
        .first()
    )


def department_portfolio_context(*, unit: OrgUnit, evaluation_fy: int) -> PortfolioContext:
    """Programs owned by the unit or any unit below it (two queries for the tree, whatever its size)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.filter(organization_id=unit.organization_id).values_list(
        "pk", "parent_id"
    ):
        children.setdefault(parent_id, []).append(pk)
    subtree, stack = [], [unit.pk]
    while stack:
        current = stack.pop()
        subtree.append(current)
        stack.extend(children.get(current, []))
    programs = Program.objects.filter(organization_id=unit.organization_id, owner_unit_id__in=subtree)
    return portfolio_context(
        title=unit.name,
        programs=programs,
        evaluation_fy=evaluation_fy,
        direction_order=_direction_order(unit.organization_id, evaluation_fy),
    )


def policy_portfolio_context(*, node: PolicyNode, evaluation_fy: int) -> PortfolioContext:
    """Programs linked to the policy in the subject year S (the programs its policy sheet rolls up)."""
    programs = Program.objects.filter(
        policy_links__policy_node=node, policy_links__fiscal_year=evaluation_fy - 1
    ).distinct()
    return portfolio_context(
        title=node.name,
        programs=programs,
        evaluation_fy=evaluation_fy,
        direction_order=_direction_order(node.plan.organization_id, evaluation_fy),
    )
