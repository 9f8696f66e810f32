"""Who may print what: the same rule as a single sheet's PDF (sheets.permissions.visible_sheets)."""

from __future__ import annotations

from sheets.choices import OrgUnitKind
from sheets.models import OrgUnit
from sheets.permissions import readable_scope, visible_organization_ids


def printable_organization_ids(user) -> list[int] | None:
    """Organisations whose sheets the user may print (None = every organisation, for a superuser)."""
    if not user.is_authenticated:
        return []
    return None if user.is_superuser else visible_organization_ids(user)


def can_print_organization(user, organization_id: int) -> bool:
    ids = printable_organization_ids(user)
    return ids is None or organization_id in ids


def printable_department_ids(user) -> set[int] | None:
    """部 offered to the user: None for every 部 of the printable organisations, else only the 部 the
    user reads where they read part of an organisation (staff and evaluators: their own 部)."""
    if user.is_superuser:
        return None
    whole, partial = readable_scope(user)
    if not partial:
        return None
    units = OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT)
    in_whole = units.filter(organization_id__in=whole).values_list("pk", flat=True)
    in_partial = units.filter(pk__in=set().union(*partial.values())).values_list("pk", flat=True)
    return set(in_whole) | set(in_partial)


def can_see_job(user, job) -> bool:
    """The requester (while they may still view the organisation's sheets) and administrators."""
    if user.is_superuser:
        return True
    return (
        job.requested_by_id is not None
        and job.requested_by_id == user.pk
        and can_print_organization(user, job.organization_id)
    )
