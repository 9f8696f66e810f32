"""The content version: a token that changes after every committed write to the data sheets print.

Every statement the application sends passes through :func:`_watch_writes` (a database execute
wrapper, installed on each connection): an INSERT, UPDATE or DELETE of any table but the few below
schedules a new token for when its transaction commits. Watching the statements rather than model
signals also catches ``bulk_update``, ``QuerySet.update`` and raw SQL, which send no signal.

Readers take the token with :func:`current` *before* they read the data: a write that commits in
between then leaves a newer result under an older token (soon unreachable), never an older result
under the newer one. A connection with uncommitted writes of its own gets ``None`` (do not cache):
what it reads is not what the token stands for. :func:`cached` keeps what a page computed from the
data (a sheet's rendered body, a portfolio) under the token, in the ``content`` cache of the
settings (each process's memory by default: the token, not the cache, is shared).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils.translation import get_language

CACHE_ALIAS = "content"
T = TypeVar("T")

#: Tables whose writes never change what a sheet prints: sessions and sign-ins, the logs, the jobs
#: of batch printing and of dataset exports and imports (an import's changes are written to the
#: watched tables), the task queue, and the token itself.
UNWATCHED_TABLE_PREFIXES = (
    "django_session",
    "django_admin_log",
    "django_migrations",
    "django_tasks",
    "auth_",
    "datasets_",
    "printing_",
    "sheets_auditevent",
    "sheets_contentversion",
)
#: Statements that change no row: reads, transaction control, settings and schema changes (the rows
#: a migration adds or changes are INSERTs and UPDATEs of their own).
_NO_ROW_CHANGE = (
    "SELECT", "SAVEPO", "RELEAS", "ROLLBA", "BEGIN", "COMMIT", "PRAGMA", "SET ", "SHOW ", "EXPLAI",
    "CREATE", "DROP ", "ALTER ", "VACUUM", "ANALYZ",
)  # fmt: skip
_WRITE = re.compile(
    r'\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+["`]?(\w+)', re.IGNORECASE
)


class _NewToken:
    """The on-commit callback of a transaction that wrote: one per transaction, recognisable in the
    connection's pending callbacks."""

    def __init__(self, using: str):
        self.using = using

    def __call__(self):
        bump(using=self.using)


def bump(*, using: str = "default") -> None:
    """Give the content a new token (now: the caller's writes are committed)."""
    from sheets.models import ContentVersion

    rows = ContentVersion.objects.using(using)
    for _attempt in range(2):
        token = secrets.randbits(62)
        try:
            if not rows.filter(pk=1).update(token=token):
                rows.create(pk=1, token=token)
            return
        except IntegrityError:
            continue  # another process created the row between the two statements: update it
        except DatabaseError:
            return  # before the migration that creates the table: nothing can be cached yet either


def _pending(connection) -> bool:
    """Whether the connection's open transaction has written already (its new token is waiting)."""
    return any(isinstance(entry[1], _NewToken) for entry in connection.run_on_commit)


def current(*, using: str = "default") -> int | None:
    """The token of the committed content, or None when a result must not be cached: no token yet,
    or this connection has uncommitted writes."""
    from sheets.models import ContentVersion

    if _pending(connections[using]):
        return None
    tokens = ContentVersion.objects.using(using).filter(pk=1).values_list("token", flat=True)
    return next(iter(tokens), None)  # one row at most: no ORDER BY, no LIMIT


def cached(key: str, build: Callable[[], T], *, token: int | None) -> T:
    """``build()``, computed once per content token: ``key`` names what it computes from the data
    (never who asks: callers check access first). Not cached when ``token`` is None."""
    if token is None:
        return build()
    cache = caches[CACHE_ALIAS]
    full_key = f"{token}:{get_language()}:{key}"
    value = cache.get(full_key)
    if value is None:
        value = build()
        cache.set(full_key, value)
    return value


def _changes_content(sql) -> bool:
    if not isinstance(sql, str):
        return True
    head = sql.lstrip()[:6].upper()
    if head.startswith(_NO_ROW_CHANGE):
        return False
    match = _WRITE.match(sql)
    if match is None:
        return True  # TRUNCATE, WITH … UPDATE, anything unforeseen: assume it changed rows
    return not match.group(1).lower().startswith(UNWATCHED_TABLE_PREFIXES)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if _changes_content(sql):
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump(using=connection.alias)  # autocommit: the write is committed already
        elif not _pending(connection):
            transaction.on_commit(_NewToken(connection.alias), using=connection.alias)
    return result


def watch(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: watch the new connection's statements (once per wrapper).

    Only the connections of ``settings.DATABASES``: not the ones Django opens to the server's
    maintenance database (to create or drop a test database), which hold no content."""
    if connection.alias in connections and _watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(_watch_writes)
