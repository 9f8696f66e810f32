"""Who may use the dataset pages. Row-level rights are checked by the import itself (planning.Gate).

An export covers what the user may read, by the rule of ``sheets.permissions.visible_sheets``:
organisation-wide readers (administrators, auditors, policy owners, members without a unit) see
their whole organisation; staff and evaluators see the units of their 部. Published sheets of other
organisations are public on screen but are not part of a dataset export.
"""

from __future__ import annotations

from sheets import permissions as sheet_permissions
from sheets.choices import Role
from sheets.models import Membership
from sheets.permissions import EDITOR_ROLES

IMPORT_ROLES = {*EDITOR_ROLES, Role.ADMINISTRATOR}


def export_visibility(user) -> tuple[list[int] | None, dict[int, list[int]]]:
    """(organisation ids, {organisation id: unit ids} for the organisations seen only in part).

    ``(None, {})`` for a superuser: everything.
    """
    if user.is_superuser:
        return None, {}
    whole, partial = sheet_permissions.readable_scope(user)
    organization_ids = sorted(whole | set(partial))
    return organization_ids, {org: sorted(ids) for org, ids in partial.items()}


def can_import(user) -> bool:
    """Importing needs edit rights somewhere: staff, evaluators and administrators (not auditors)."""
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role__in=IMPORT_ROLES).exists()


def owns_job(user, owner_id: int | None) -> bool:
    return user.is_superuser or (owner_id is not None and owner_id == user.pk)
