"""Who may see and change what. Every view, export and service asks these functions; menus only follow.

Roles (Membership.role, per organisation, optionally limited to an org unit):

- 担当者 (staff): edit the sheets their unit (or a unit under it) owns while draft or returned;
  read every sheet of their department.
- 評価者 (evaluator): the same, and return / approve the submitted sheets of their unit(s); reopen
  an approved sheet with a reason.
- 施策統括 (policy owner): read every sheet of the organisation; edit the policy-level sheets whose
  施策統括課 is their unit (or under it).
- 監査 (auditor): read and export everything of the organisation; edit nothing.
- 管理者 (administrator): everything of the organisation, publishing and locking years included.

A published sheet is public to every signed-in user; nobody sees another organisation's unpublished
sheets. The owner of a sheet is its program's unit, or the policy node's 施策統括課.
"""

from __future__ import annotations

from django.db.models import Q

from sheets.choices import OrgUnitKind, Role, SheetStatus
from sheets.models import EvaluationSheet, Membership, OrgUnit

EDITOR_ROLES = {Role.STAFF, Role.EVALUATOR}
ORGANISATION_READERS = {Role.ADMINISTRATOR, Role.AUDITOR, Role.POLICY_OWNER}


def _memberships(user) -> list[Membership]:
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_sheet_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user).select_related("org_unit"))
        user._sheet_memberships = cached
    return cached


def _units_by_id(organization_ids) -> dict[int, OrgUnit]:
    return {u.pk: u for u in OrgUnit.objects.filter(organization_id__in=organization_ids)}


def _department_subtree(unit: OrgUnit, units: dict[int, OrgUnit]) -> set[int]:
    """Every unit under the 部 that ``unit`` belongs to (the unit's root when there is no 部)."""
    top = unit
    while top.kind != OrgUnitKind.DEPARTMENT and top.parent_id in units:
        top = units[top.parent_id]
    subtree = {top.pk}
    changed = True
    while changed:
        changed = False
        for u in units.values():
            if u.parent_id in subtree and u.pk not in subtree:
                subtree.add(u.pk)
                changed = True
    return subtree


def _owned_by(unit_ids) -> Q:
    return Q(program__owner_unit_id__in=unit_ids) | Q(policy_node__lead_unit_id__in=unit_ids)


def readable_scope(user) -> tuple[set[int], dict[int, set[int]]]:
    """(organisations read whole, {organisation: the unit ids read there}) — the rule behind
    :func:`visible_sheets`, also used by exports that filter rows rather than sheets."""
    memberships = _memberships(user)
    whole = {
        m.organization_id for m in memberships if m.role in ORGANISATION_READERS or m.org_unit_id is None
    }
    units = _units_by_id({m.organization_id for m in memberships if m.org_unit_id})
    partial: dict[int, set[int]] = {}
    for m in memberships:
        if m.organization_id not in whole and m.org_unit_id:
            partial.setdefault(m.organization_id, set()).update(_department_subtree(m.org_unit, units))
    return whole, partial


def visible_sheets(user):
    """The sheets ``user`` may read, as a queryset (one rule for the list, the page and the exports)."""
    sheets = EvaluationSheet.objects.all()
    if user.is_superuser:
        return sheets
    if not user.is_authenticated:
        return sheets.none()
    whole, partial = readable_scope(user)
    rule = Q(status=SheetStatus.PUBLISHED) | Q(organization_id__in=whole)
    for organization_id, unit_ids in partial.items():
        rule |= Q(organization_id=organization_id) & _owned_by(unit_ids)
    return sheets.filter(rule)


def visible_organization_ids(user) -> list[int]:
    """Organisations the user belongs to."""
    return sorted({m.organization_id for m in _memberships(user)})


def can_view_sheet(user, sheet: EvaluationSheet) -> bool:
    return visible_sheets(user).filter(pk=sheet.pk).exists()


def visible_sheet(user, pk, *, related=()) -> tuple[EvaluationSheet | None, bool]:
    """(the sheet, True) when ``user`` may read it, else (None, whether it exists at all).

    The rule of :func:`visible_sheets` is part of the one query that fetches the sheet (with
    ``related`` select_related): a page saves the separate check; only a miss costs a second query,
    to tell a hidden sheet (403) from a missing one (404).
    """
    try:
        return visible_sheets(user).select_related(*related).get(pk=pk), True
    except EvaluationSheet.DoesNotExist:
        return None, EvaluationSheet.objects.filter(pk=pk).exists()


def _owner_unit_ids(sheet: EvaluationSheet) -> set[int]:
    """The owning unit and every unit above it (a 課's sheet belongs to its 部 too)."""
    unit = sheet.owner_unit
    ids = set()
    while unit is not None:
        ids.add(unit.pk)
        unit = unit.parent
    return ids


def _roles_over(user, sheet: EvaluationSheet) -> set[str]:
    """The user's roles that apply to this sheet: organisation-wide ones, and unit ones over its owner."""
    if user.is_superuser:
        return {Role.ADMINISTRATOR}
    owners = None
    roles = set()
    for m in _memberships(user):
        if m.organization_id != sheet.organization_id:
            continue
        if m.role in (Role.ADMINISTRATOR, Role.AUDITOR) or m.org_unit_id is None:
            roles.add(m.role)
            continue
        owners = _owner_unit_ids(sheet) if owners is None else owners
        if m.org_unit_id in owners:
            roles.add(m.role)
    return roles


def evaluator_unit_over(user, sheet: EvaluationSheet) -> OrgUnit | None:
    """The unit over the sheet's owner for which the user is an evaluator (課長 / 部長); the nearest
    one to the owner when there are several."""
    owners = None
    found = []
    for m in _memberships(user):
        if m.role != Role.EVALUATOR or m.organization_id != sheet.organization_id or m.org_unit_id is None:
            continue
        owners = _owner_unit_ids(sheet) if owners is None else owners
        if m.org_unit_id in owners:
            found.append(m.org_unit)
    unit = sheet.owner_unit
    while unit is not None:  # nearest first: the 課 before its 部
        for candidate in found:
            if candidate.pk == unit.pk:
                return candidate
        unit = unit.parent
    return None


def can_edit_sheet(user, sheet: EvaluationSheet) -> bool:
    """While editable: staff and evaluators of the owning unit, the policy owners of a policy-level
    sheet's lead unit, and administrators."""
    if not sheet.is_editable:
        return False
    roles = _roles_over(user, sheet)
    if Role.ADMINISTRATOR in roles or roles & EDITOR_ROLES:
        return True
    return Role.POLICY_OWNER in roles and sheet.policy_node_id is not None


def can_review_sheet(user, sheet: EvaluationSheet) -> bool:
    """Return, approve or reopen: the evaluators over the owning unit, and administrators."""
    return bool(_roles_over(user, sheet) & {Role.EVALUATOR, Role.ADMINISTRATOR})


def is_administrator(user, organization_id: int) -> bool:
    return user.is_superuser or any(
        m.role == Role.ADMINISTRATOR and m.organization_id == organization_id for m in _memberships(user)
    )


def can_see_progress(user) -> bool:
    """The progress overview is for managers: evaluators, policy owners, auditors, administrators."""
    return user.is_superuser or any(m.role != Role.STAFF for m in _memberships(user))


def can_manage_years(user) -> bool:
    """Administrators of at least one organisation open, lock and roll over its years."""
    return user.is_superuser or any(m.role == Role.ADMINISTRATOR for m in _memberships(user))
