"""Who may see and change what. Every view asks these functions; menus only follow them."""

from __future__ import annotations

from sheets.choices import Role
from sheets.models import EvaluationSheet, Membership

EDITOR_ROLES = {Role.STAFF, Role.EVALUATOR}


def _memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_sheet_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org_unit"))
        user._sheet_memberships = cached
    return cached


def visible_organization_ids(user) -> list[int]:
    """Organisations whose sheets the user may read."""
    return sorted({m.organization_id for m in _memberships(user)})


def can_view_sheet(user, sheet: EvaluationSheet) -> bool:
    if user.is_superuser:
        return True
    return sheet.organization_id in visible_organization_ids(user)


def _owner_unit_ids(sheet: EvaluationSheet) -> set[int]:
    unit = sheet.program.owner_unit if sheet.program_id else sheet.policy_node.lead_unit
    ids = set()
    while unit is not None:
        ids.add(unit.pk)
        unit = unit.parent
    return ids


def can_edit_sheet(user, sheet: EvaluationSheet) -> bool:
    """While editable: staff and evaluators of the owning unit (or its department), the policy owners of
    a policy-level sheet's lead unit, and administrators."""
    if not sheet.is_editable:
        return False
    if user.is_superuser:
        return True
    owners = _owner_unit_ids(sheet)
    for m in _memberships(user):
        if m.organization_id != sheet.organization_id:
            continue
        if m.role == Role.ADMINISTRATOR:
            return True
        if m.role in EDITOR_ROLES and m.org_unit_id in owners:
            return True
        if m.role == Role.POLICY_OWNER and sheet.policy_node_id and m.org_unit_id in owners:
            return True
    return False
