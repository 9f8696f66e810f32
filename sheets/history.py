"""Audit history of sheet data (django-simple-history): who changed what, including bulk writes.

Every model whose rows a sheet prints carries ``history = HistoricalRecords(get_user=history_get_user)``.
The user of a change is the request's user (HistoryRequestMiddleware) or, for services run outside a
request (imports, commands, tests), the user the service was called with (:func:`records_history`).
Bulk writes go through :func:`bulk_create` / :func:`bulk_update`, which write their history too —
plain ``bulk_create`` would silently skip it.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

_acting_user: ContextVar = ContextVar("history_acting_user", default=None)


@contextmanager
def acting_as(user):
    """Attribute every change made inside the block to ``user``."""
    token = _acting_user.set(user)
    try:
        yield
    finally:
        _acting_user.reset(token)


def acting_user():
    """The user changes are attributed to: the service's caller, else the request's user."""
    user = _acting_user.get()
    if user is not None:
        return user
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def history_get_user(instance=None, request=None, **kwargs):
    return acting_user()


def records_history(service):
    """Run a service (keyword argument ``by``) with its changes attributed to ``by``."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        with acting_as(kwargs.get("by")):
            return service(*args, **kwargs)

    return wrapper


def bulk_create(model, objs) -> list:
    return bulk_create_with_history(list(objs), model, default_user=acting_user())


def bulk_update(model, objs, fields) -> None:
    objs = list(objs)
    if objs:
        bulk_update_with_history(objs, model, fields, default_user=acting_user())


def tracked() -> HistoricalRecords:
    """The history descriptor every audited model declares."""
    return HistoricalRecords(get_user=history_get_user)
