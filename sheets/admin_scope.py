"""The Django admin for municipal administrators: each sees and edits only their own organisation.

A superuser keeps the plain admin. Anyone else is let in model by model by
:class:`OrganizationScopedAdmin`: a user with the 管理者 role (``Membership.role``) of an
organisation sees, in every scoped admin, only the rows whose organisation is theirs; foreign-key
and many-to-many choices are limited the same way, and an object of another organisation cannot be
opened (it is not in the queryset) nor saved (``save_model`` refuses it). Models without a scoped
admin keep Django's model permissions, which municipal administrators do not have, so they stay
hidden (size classes, the national survey, benchmarks, users and groups).

Entering the admin at all needs ``is_staff``: :mod:`sheets.signals_admin` sets it whenever an
administrator membership is saved.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from sheets.permissions import is_administrator, visible_organization_ids

#: Organisation paths of models that are only edited through inlines or only referenced by foreign
#: keys; a model with a scoped ModelAdmin takes the path from it, and a model with an
#: ``organization`` field needs no entry.
RELATED_ORGANIZATION_PATHS = {
    "sheets.organization": "pk",
    "sheets.policylevel": "plan__organization",
    "sheets.choiceoption": "choice_set__organization",
}
#: Models whose rows with no organisation are shared by every organisation (readable, not editable).
SHARED_WHEN_NULL = {"sheets.choiceset", "sheets.choiceoption"}


def administered_organization_ids(user) -> set[int]:
    """The organisations ``user`` is 管理者 of (through :func:`is_administrator`, one rule for the
    app's pages and the admin). Empty for superusers, who are not scoped at all."""
    if not user.is_authenticated or user.is_superuser:
        return set()
    return {pk for pk in visible_organization_ids(user) if is_administrator(user, pk)}


def _paths(path) -> tuple[str, ...]:
    return (path,) if isinstance(path, str) else tuple(path)


def organization_path(model, admin_site=admin.site):
    """The lookup from ``model`` to its organisation, or None for data shared by all (no scoping)."""
    model_admin = admin_site._registry.get(model)
    if isinstance(model_admin, OrganizationScopedAdmin):
        return model_admin.organization_field
    if model._meta.label_lower in RELATED_ORGANIZATION_PATHS:
        return RELATED_ORGANIZATION_PATHS[model._meta.label_lower]
    if any(f.name == "organization" and f.concrete and f.is_relation for f in model._meta.get_fields()):
        return "organization"
    return None


def scope_queryset(queryset, path, organization_ids, *, shared_when_null=False):
    """Rows of ``queryset`` that belong to ``organization_ids`` (``path`` may name several owners,
    as a cost record belongs to a program, a budget project or a policy node)."""
    rule = Q()
    for p in _paths(path):
        rule |= Q(**{f"{p}__in": organization_ids})
        if shared_when_null:
            rule |= Q(**{f"{p}__isnull": True}) if p != "pk" else Q()
    return queryset.filter(rule)


def organization_id_of(obj, path) -> int | None:
    """The organisation id of ``obj`` following ``path`` (the first owner that is set)."""
    for p in _paths(path):
        if p == "pk":
            return obj.pk
        *hops, last = p.split("__")
        target = obj
        for hop in hops:
            target = getattr(target, hop, None)
            if target is None:
                break
        else:
            value = getattr(target, f"{last}_id", None)
            if value is not None:
                return value
    return None


def _limit_choices(model_admin, db_field, request, kwargs) -> None:
    """Foreign keys and many-to-many fields offer only the rows the administrator may see."""
    if request is None or request.user.is_superuser or "queryset" in kwargs:
        return
    ids = administered_organization_ids(request.user)
    related = db_field.related_model
    if related is get_user_model():
        # Roles are given to the people of one's own organisation; a new account gets its first role
        # from the superuser (accounts carry no organisation, so any other rule would leak them).
        kwargs["queryset"] = related.objects.filter(memberships__organization_id__in=ids).distinct()
        return
    path = organization_path(related, model_admin.admin_site)
    if path is not None:
        shared = related._meta.label_lower in SHARED_WHEN_NULL
        kwargs["queryset"] = scope_queryset(
            related._default_manager.all(), path, ids, shared_when_null=shared
        ).distinct()


class OrganizationScopedAdmin:
    """Mixin for a ModelAdmin whose rows belong to one organisation.

    ``organization_field`` is the lookup from the model to its organisation ("organization",
    "program__organization", "pk" for the organisation itself; a tuple when rows have several
    possible owners). ``municipal_add`` / ``municipal_change`` / ``municipal_delete`` say what a
    municipal administrator may do beyond viewing; ``municipal_readonly_fields`` are shown but not
    editable for them.
    """

    organization_field: str | tuple[str, ...] = "organization"
    municipal_add = True
    municipal_change = True
    municipal_delete = True
    municipal_readonly_fields: tuple[str, ...] = ()

    # -- who ------------------------------------------------------------------------------------

    def _scoped(self, request) -> bool:
        return not request.user.is_superuser

    def _ids(self, request) -> set[int]:
        return administered_organization_ids(request.user)

    def _shared(self) -> bool:
        return self.model._meta.label_lower in SHARED_WHEN_NULL

    def _owns(self, request, obj) -> bool:
        return organization_id_of(obj, self.organization_field) in self._ids(request)

    # -- rows -----------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self._scoped(request):
            return queryset
        return scope_queryset(
            queryset, self.organization_field, self._ids(request), shared_when_null=self._shared()
        )

    def get_list_filter(self, request):
        """A related filter lists every row of its model: offer only the values in one's own rows."""
        filters = super().get_list_filter(request)
        if not self._scoped(request):
            return filters
        scoped = []
        for item in filters:
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, RelatedOnlyFieldListFilter)
            scoped.append(item)
        return scoped

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if self._scoped(request):
            fields = (*fields, *(f for f in self.municipal_readonly_fields if f not in fields))
        return fields

    # -- permissions ----------------------------------------------------------------------------

    def has_module_permission(self, request):
        if not self._scoped(request):
            return super().has_module_permission(request)
        return bool(self._ids(request))

    def has_view_permission(self, request, obj=None):
        if not self._scoped(request):
            return super().has_view_permission(request, obj)
        if obj is None:
            return bool(self._ids(request))
        if self._shared() and organization_id_of(obj, self.organization_field) is None:
            return True
        return self._owns(request, obj)

    def has_change_permission(self, request, obj=None):
        if not self._scoped(request):
            return super().has_change_permission(request, obj)
        if not self.municipal_change:
            return False
        return bool(self._ids(request)) if obj is None else self._owns(request, obj)

    def has_add_permission(self, request):
        if not self._scoped(request):
            return super().has_add_permission(request)
        return self.municipal_add and bool(self._ids(request))

    def has_delete_permission(self, request, obj=None):
        if not self._scoped(request):
            return super().has_delete_permission(request, obj)
        if not self.municipal_delete:
            return False
        return bool(self._ids(request)) if obj is None else self._owns(request, obj)

    # -- forms ----------------------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_choices(self, db_field, request, kwargs)
        if self._scoped(request) and db_field.name == self.organization_field:
            kwargs["required"] = True  # an empty organisation would make a row shared by everyone
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _limit_choices(self, db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        # The limited choices already refuse a foreign id; this is the last guard (e.g. a field
        # left out of the form, or an owner reached through another row).
        if self._scoped(request) and not self._owns(request, obj):
            raise PermissionDenied(_("他の団体のデータは保存できません。"))
        super().save_model(request, obj, form, change)


class OrganizationScopedInline:
    """Mixin for an inline of a scoped admin: the parent's object permission decides, and the
    inline's own foreign keys are limited like the parent's."""

    def _parent_admin(self):
        return self.admin_site._registry.get(self.parent_model)

    def has_view_permission(self, request, obj=None):
        if request.user.is_superuser or self._parent_admin() is None:
            return super().has_view_permission(request, obj)
        return self._parent_admin().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        if request.user.is_superuser or self._parent_admin() is None:
            return super().has_change_permission(request, obj)
        return self._parent_admin().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        if request.user.is_superuser or self._parent_admin() is None:
            return super().has_add_permission(request, obj)
        return self._parent_admin().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if request.user.is_superuser or self._parent_admin() is None:
            return super().has_delete_permission(request, obj)
        return self._parent_admin().has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        _limit_choices(self, db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        _limit_choices(self, db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedTabularInline(OrganizationScopedInline, admin.TabularInline):
    pass


class ScopedStackedInline(OrganizationScopedInline, admin.StackedInline):
    pass
