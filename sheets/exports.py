"""One place that turns a sheet into a file, for the views and the command line alike."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.public_outputs import public_context, settings_for
from hikikomori_eval.excel import workbook_bytes
from hikikomori_eval.pdf import render_pdf
from sheets.choices import FormType
from sheets.models import SheetSnapshot
from sheets.selectors import (
    initiative_sheet_context,
    policy_management_context,
    policy_sheet,
    policy_sheet_context,
    program_sheet,
    program_sheet_context,
)
from sheets.workbooks import program_sheet_workbook
from sheets.workbooks_initiative import initiative_sheet_workbook
from sheets.workbooks_policy import policy_sheet_workbook
from sheets.workbooks_policy_management import policy_management_workbook

PRINT_TEMPLATES = {
    FormType.KAMAKURA_PROGRAM: "sheets/print/program_sheet.html",
    FormType.OKINAWA_INITIATIVE: "sheets/print/initiative_sheet.html",
    FormType.KAMAKURA_POLICY: "sheets/print/policy_sheet.html",
    FormType.KUNITACHI_POLICY: "sheets/print/policy_management_sheet.html",
}
#: The body of each print template, which the sheet's page includes as well.
BODY_TEMPLATES = {
    FormType.KAMAKURA_PROGRAM: "sheets/print/_program_sheet_body.html",
    FormType.OKINAWA_INITIATIVE: "sheets/print/_initiative_sheet_body.html",
    FormType.KAMAKURA_POLICY: "sheets/print/_policy_sheet_body.html",
    FormType.KUNITACHI_POLICY: "sheets/print/_policy_management_sheet_body.html",
}
CONTEXTS = {
    FormType.KAMAKURA_PROGRAM: program_sheet_context,
    FormType.OKINAWA_INITIATIVE: initiative_sheet_context,
    FormType.KAMAKURA_POLICY: policy_sheet_context,
    FormType.KUNITACHI_POLICY: policy_management_context,
}
#: Forms whose context takes an already-fetched sheet, with what it reads through it.
_SHEET_TAKERS = {
    FormType.KAMAKURA_PROGRAM: program_sheet.SHEET_RELATED,
    FormType.KAMAKURA_POLICY: policy_sheet.SHEET_RELATED,
}
#: Fetch a sheet with these and its context needs no query for it (the sheet's page and downloads do).
CONTEXT_SHEET_RELATED = tuple(sorted({path for paths in _SHEET_TAKERS.values() for path in paths}))
WORKBOOKS = {
    FormType.KAMAKURA_PROGRAM: program_sheet_workbook,
    FormType.OKINAWA_INITIATIVE: initiative_sheet_workbook,
    FormType.KAMAKURA_POLICY: policy_sheet_workbook,
    FormType.KUNITACHI_POLICY: policy_management_workbook,
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportedFile:
    filename: str
    content: bytes
    content_type: str


def sheet_context(sheet, *, public: bool = False):
    """The context dataclass of the sheet's form (ProgramSheetContext, InitiativeSheetContext …).

    ``public``: the published version, with small counts withheld by the organisation's setting.
    """
    build = CONTEXTS[sheet.form_type]
    related = _SHEET_TAKERS.get(sheet.form_type)
    if related is not None and all(_is_cached(sheet, path) for path in related):
        ctx = build(sheet_id=sheet.pk, sheet=sheet)  # the caller's sheet: no query to fetch it again
    else:
        ctx = build(sheet_id=sheet.pk)
    if public:
        rule = settings_for(sheet.organization)
        ctx = public_context(ctx, threshold=rule.threshold, mode=rule.mode)
    return ctx


def _is_cached(instance, path: str) -> bool:
    """Whether ``path`` (a select_related path) is loaded on ``instance``: reading it costs no query."""
    for name in path.split("__"):
        if instance is None:
            return True
        cache = instance._state.fields_cache
        if name not in cache:
            return False
        instance = cache[name]
    return True


def sheet_print_context(sheet, *, public: bool = False) -> dict:
    """The template context of a sheet's print layout (also used by the ?format=html preview)."""
    return {
        "ctx": sheet_context(sheet, public=public),
        "body_template": BODY_TEMPLATES[sheet.form_type],
        "public": public,
    }


def sheet_filename(sheet, extension: str) -> str:
    parts = [str(sheet.evaluation_fy), sheet.subject.code, sheet.subject.name]
    return f"{'_'.join(p for p in parts if p)}.{extension}".replace("/", "／")


def render_export(sheet, fmt: str, *, public: bool = False) -> bytes:
    """The sheet rendered now from its data, as PDF or workbook bytes."""
    if fmt == "pdf":
        return render_pdf(
            template_name=PRINT_TEMPLATES[sheet.form_type], context=sheet_print_context(sheet, public=public)
        )
    if fmt == "xlsx":
        return workbook_bytes(WORKBOOKS[sheet.form_type](sheet_context(sheet, public=public)))
    raise ValueError(f"unknown format: {fmt}")


def frozen_snapshot(sheet):
    """The snapshot a locked sheet prints from (None while its year is open)."""
    if sheet.locked_at is None:
        return None
    return SheetSnapshot.objects.filter(sheet=sheet).first()


def sheet_export(sheet, fmt: str, *, public: bool = False) -> ExportedFile:
    """The sheet as a PDF or an Excel workbook: as frozen at locking for a locked year, else live.

    The snapshot holds the internal figures: a public export is always rendered (with the locked
    sheet's data, which locking keeps from being edited).
    """
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format: {fmt}")
    snapshot = None if public else frozen_snapshot(sheet)
    content = bytes(getattr(snapshot, fmt)) if snapshot else render_export(sheet, fmt, public=public)
    return ExportedFile(sheet_filename(sheet, fmt), content, CONTENT_TYPES[fmt])
