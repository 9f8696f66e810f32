"""Optimistic locking shared by every sheet's save service.

The sheet row is locked for the transaction (``select_for_update``; SQLite takes the write lock at
BEGIN), a save based on another version than the stored one raises :class:`StaleSheetError`, and a
successful save bumps ``version`` and records who saved.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from sheets.models import EvaluationSheet

from .program_sheet_input import StaleSheetError


def lock_for_edit(sheet: EvaluationSheet, expected_version: int, *related: str) -> EvaluationSheet:
    """The sheet row locked for this transaction; refused when stale or no longer editable."""
    locked = (
        EvaluationSheet.objects.select_for_update(of=("self",))
        .select_related("updated_by", *related)
        .get(pk=sheet.pk)
    )
    if locked.version != expected_version:
        raise StaleSheetError(locked, changes=changes_since(locked, expected_version))
    if not locked.is_editable:
        raise ValidationError(_("このシートは提出済みまたは確定済みのため、編集できません。"), code="locked")
    return locked


def changes_since(sheet: EvaluationSheet, version: int, limit: int = 8) -> list[str]:
    """Short lines of what was saved after ``version`` (from the audit history)."""
    from sheets.selectors.history import sheet_history, version_saved_at

    since = version_saved_at(sheet, version)
    if since is None:
        return []
    blank = _("（空欄）")
    lines = []
    for entry in sheet_history(sheet, since=since):
        if entry.change_type != "~":  # a row added or removed: one line, not every field
            lines.append(f"{entry.model} {entry.object}: {entry.change_label}")
            continue
        lines += [
            f"{entry.model} {entry.object} {change.field}: {change.old or blank} → {change.new or blank}"
            for change in entry.changes
        ]
    if len(lines) > limit:
        lines = [*lines[:limit], _("ほか%(n)d件") % {"n": len(lines) - limit}]
    return lines


def mark_saved(locked: EvaluationSheet, by, *fields: str) -> EvaluationSheet:
    """Bump the version of a saved sheet and record the user (with any other changed ``fields``)."""
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=[*fields, "version", "updated_by", "updated_at"])
    return locked
