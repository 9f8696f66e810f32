"""The body of a sheet as its page shows it, rendered once per content version.

Building a sheet's context and rendering its body is most of a sheet page's time. The result depends
on the sheet's data alone (never on who reads it: the view checks access before asking), so it is
cached under the content token (``sheets/content_version.py``), which changes after every committed
write: a cached body is always the one a fresh render would give.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from sheets import content_version
from sheets.exports import BODY_TEMPLATES, sheet_print_context


@dataclass(frozen=True)
class SheetBody:
    """The rendered body, with the remarks the page shows above it (not printed)."""

    html: SafeString
    warnings: tuple[str, ...] = ()
    lineage_notes: tuple[str, ...] = ()


def render_body(
    sheet, *, public: bool = False, context: dict | None = None, screen: bool = True
) -> SheetBody:
    """The body rendered now from the sheet's data (the page, and the snapshot taken at locking).

    ``context``: its ``sheet_print_context`` when the caller has it already; ``screen``: with the
    remarks only the page shows (the suggested grades of a 施策マネジメントシート).
    """
    if context is None:
        context = sheet_print_context(sheet, public=public)
    ctx = context["ctx"]
    return SheetBody(
        html=mark_safe(render_to_string(BODY_TEMPLATES[sheet.form_type], {**context, "screen": screen})),
        warnings=tuple(getattr(ctx, "warnings", ())),
        lineage_notes=tuple(getattr(ctx, "lineage_notes", ())),
    )


def frozen_body(snapshot) -> SheetBody:
    """A locked sheet's body: what it showed when its year was locked, never a recomputation."""
    return SheetBody(html=mark_safe(snapshot.body_html))


def sheet_body(sheet, *, public: bool, token: int | None) -> SheetBody:
    """The body of ``sheet`` for content version ``token`` (``content_version.current()``, taken
    before the sheet was read); rendered and not cached when ``token`` is None."""
    return content_version.cached(
        f"sheet-body:{sheet.pk}:{int(public)}", lambda: render_body(sheet, public=public), token=token
    )
