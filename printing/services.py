"""Writes of the printing app: create a job, render one chunk of it, assemble the finished file.

A job is split into chunks of a few sheets, each its own task, so that several workers (processes,
possibly on several machines sharing the database and MEDIA_ROOT) render one department together.
The worker that completes the last chunk assembles the result: the chunk PDFs concatenated (combined
PDF), or the per-sheet PDFs in a zip.
"""

from __future__ import annotations

import io
import math
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from printing import render
from printing.choices import PrintFormat, PrintStatus
from printing.models import PrintJob
from printing.permissions import can_print_organization
from printing.selectors import department_sheets, sheets_in_order
from sheets import exports
from sheets.audit import log_export
from sheets.choices import FormType
from sheets.models import SheetSnapshot

#: At most this many sheets per task; smaller jobs are cut in about MIN_CHUNKS pieces so that every
#: worker gets a share. PRINTING_CHUNK_SIZE in the settings overrides the maximum.
MAX_CHUNK_SIZE = 8
MIN_CHUNKS = 4


def chunk_size_for(total: int) -> int:
    largest = getattr(settings, "PRINTING_CHUNK_SIZE", MAX_CHUNK_SIZE)
    return max(1, min(largest, math.ceil(total / MIN_CHUNKS)))


def job_filename(job: PrintJob) -> str:
    parts = [str(job.evaluation_fy), job.organization.name]
    if job.department:
        parts.append(job.department.name)
    if job.form_type:
        parts.append(FormType(job.form_type).label)
    extension = "zip" if job.fmt == PrintFormat.ZIP else "pdf"
    return f"{'_'.join(str(p) for p in parts)}.{extension}".replace("/", "／")


def print_job_create(*, user, department, evaluation_fy: int, fmt: str, form_type: str = "") -> PrintJob:
    """Record a job over the department's sheets of the year and enqueue its chunks after the commit."""
    if not can_print_organization(user, department.organization_id):
        raise PermissionDenied
    sheet_ids = list(
        department_sheets(
            department=department, evaluation_fy=evaluation_fy, form_type=form_type, user=user
        ).values_list("pk", flat=True)
    )
    if not sheet_ids:
        raise ValidationError(_("条件に合う評価シートがありません。"), code="empty")
    size = chunk_size_for(len(sheet_ids))
    job = PrintJob(
        requested_by=user if getattr(user, "pk", None) else None,
        organization_id=department.organization_id,
        department=department,
        evaluation_fy=evaluation_fy,
        form_type=form_type,
        fmt=fmt,
        sheet_ids=sheet_ids,
        chunk_size=size,
        total=len(sheet_ids),
        chunks_total=math.ceil(len(sheet_ids) / size),
    )
    job.full_clean()
    job.save()
    log_export(user=user, detail=f"一括印刷 {job_filename(job)}（{job.total}枚）")
    transaction.on_commit(lambda: print_job_enqueue(job))
    return job


def print_job_enqueue(job: PrintJob) -> None:
    """Hand every chunk of the job to the task backend (the immediate backend runs them here)."""
    from printing.tasks import render_print_chunk

    for chunk in range(job.chunks_total):
        render_print_chunk.enqueue(job.pk, chunk)


def _part_name(job_id: int, kind: str, index: int) -> str:
    return f"printing/parts/{job_id}/{kind}-{index:05d}.pdf"


def _save_part(name: str, content: bytes) -> None:
    if default_storage.exists(name):  # a chunk that runs again replaces its earlier output
        default_storage.delete(name)
    default_storage.save(name, ContentFile(content))


def _fail(job_id: int, error: Exception) -> None:
    PrintJob.objects.filter(pk=job_id).exclude(status=PrintStatus.DONE).update(
        status=PrintStatus.FAILED, finished_at=timezone.now(), error=str(error)[:2000] or repr(error)
    )


def print_chunk_run(*, job_id: int, chunk: int) -> int:
    """Render one chunk of a job (the task body); return the number of sheets rendered."""
    job = PrintJob.objects.get(pk=job_id)
    if job.status == PrintStatus.FAILED:
        return 0
    PrintJob.objects.filter(pk=job_id, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RUNNING, started_at=timezone.now()
    )
    first = chunk * job.chunk_size
    ids = job.chunk_sheet_ids(chunk)
    by_id = {sheet.pk: sheet for sheet in sheets_in_order(ids)}
    positions = [(first + offset, by_id[pk]) for offset, pk in enumerate(ids) if pk in by_id]
    progress = PrintJob.objects.filter(pk=job_id)
    try:
        if job.fmt == PrintFormat.ZIP:
            for position, sheet in positions:
                _save_part(_part_name(job_id, "sheet", position), exports.sheet_export(sheet, "pdf").content)
                progress.update(done=F("done") + 1)
        else:
            parts = []
            for _position, sheet in positions:
                parts.append(exports.frozen_snapshot(sheet) or render.sheet_document(sheet))
                progress.update(done=F("done") + 1)
            if parts:
                _save_part(_part_name(job_id, "chunk", chunk), _combined(parts))
    except Exception as error:  # the job shows the failure; the task backend records the traceback
        _fail(job_id, error)
        raise
    if _chunk_finished(job_id):
        print_job_assemble(job_id=job_id)
    return len(positions)


def _combined(parts) -> bytes:
    """One PDF of laid-out documents and locked sheets' snapshots, in order: consecutive documents
    are written together (one font subset), a locked sheet prints its frozen PDF as it is."""
    pieces, run = [], []
    for part in parts:
        if isinstance(part, SheetSnapshot):
            if run:
                pieces.append(render.documents_pdf(run))
                run = []
            pieces.append(bytes(part.pdf))
        else:
            run.append(part)
    if run:
        pieces.append(render.documents_pdf(run))
    return pieces[0] if len(pieces) == 1 else render.concatenate_pdfs(pieces)


def _chunk_finished(job_id: int) -> bool:
    """Count a finished chunk under a row lock; True for the worker that finished the last one."""
    with transaction.atomic():
        job = PrintJob.objects.select_for_update().get(pk=job_id)
        job.chunks_done += 1
        job.save(update_fields=["chunks_done"])
        return job.chunks_done == job.chunks_total


def _read_parts(names: list[str]) -> list[bytes]:
    contents = []
    for name in names:
        with default_storage.open(name, "rb") as part:
            contents.append(part.read())
    return contents


def print_job_assemble(*, job_id: int) -> PrintJob:
    """Put the parts together into the job's file, then remove them."""
    job = PrintJob.objects.select_related("organization", "department").get(pk=job_id)
    try:
        if job.fmt == PrintFormat.ZIP:
            content, names = _zip(job)
        else:
            names = [_part_name(job_id, "chunk", i) for i in range(job.chunks_total)]
            names = [n for n in names if default_storage.exists(n)]
            content = render.concatenate_pdfs(_read_parts(names))
        filename = job_filename(job)
        job.result.save(f"{job.pk}/{filename}", ContentFile(content), save=False)
    except Exception as error:
        _fail(job_id, error)
        raise
    PrintJob.objects.filter(pk=job_id).update(
        status=PrintStatus.DONE, finished_at=timezone.now(), result=job.result.name, filename=filename
    )
    for name in names:
        default_storage.delete(name)
    job.refresh_from_db()
    return job


def _zip(job: PrintJob) -> tuple[bytes, list[str]]:
    """The per-sheet PDFs in print order, named 001_<sheet file name>.pdf; and the parts used."""
    by_id = {sheet.pk: sheet for sheet in sheets_in_order(job.sheet_ids)}
    out, used = io.BytesIO(), []
    # PDFs are compressed already: storing them is as small and much faster than deflating again.
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for index, pk in enumerate(job.sheet_ids):
            name = _part_name(job.pk, "sheet", index)
            if pk not in by_id or not default_storage.exists(name):
                continue
            (content,) = _read_parts([name])
            archive.writestr(f"{index + 1:03d}_{exports.sheet_filename(by_id[pk], 'pdf')}", content)
            used.append(name)
    return out.getvalue(), used
