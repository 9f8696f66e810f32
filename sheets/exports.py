"""One place that turns a sheet into a file, for the views and the command line alike."""

from __future__ import annotations

from dataclasses import dataclass

from hikikomori_eval.excel import workbook_bytes
from hikikomori_eval.pdf import render_pdf
from sheets.choices import FormType
from sheets.selectors import program_sheet_context
from sheets.workbooks import program_sheet_workbook

PRINT_TEMPLATES = {FormType.KAMAKURA_PROGRAM: "sheets/print/program_sheet.html"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportedFile:
    filename: str
    content: bytes
    content_type: str


def sheet_print_context(sheet) -> dict:
    """The template context of a sheet's print layout (also used by the ?format=html preview)."""
    return {"ctx": program_sheet_context(sheet_id=sheet.pk)}


def sheet_filename(sheet, extension: str) -> str:
    return f"{sheet.evaluation_fy}_{sheet.subject.code}_{sheet.subject.name}.{extension}".replace("/", "／")


def sheet_export(sheet, fmt: str) -> ExportedFile:
    """The sheet as a PDF or an Excel workbook."""
    if fmt == "pdf":
        content = render_pdf(
            template_name=PRINT_TEMPLATES[sheet.form_type], context=sheet_print_context(sheet)
        )
    elif fmt == "xlsx":
        content = workbook_bytes(program_sheet_workbook(program_sheet_context(sheet_id=sheet.pk)))
    else:
        raise ValueError(f"unknown format: {fmt}")
    return ExportedFile(sheet_filename(sheet, fmt), content, CONTENT_TYPES[fmt])
