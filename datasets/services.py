"""Writes of the datasets app: export jobs, and the import's dry run and atomic confirmation."""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

from defusedxml import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from datasets import writers
from datasets.choices import ExportFormat, ExportStatus, ImportLayout, ImportStatus
from datasets.definitions import LAYOUT, YEAR_WINDOW, sheet_by_slug
from datasets.models import ExportJob, ImportJob
from datasets.permissions import export_visibility
from datasets.planning import Plan, apply_plan, plan_import
from datasets.read_dataset import is_dataset_workbook, read_dataset
from datasets.read_forms import sheet_layout
from datasets.report import ImportRejected, ImportReport
from datasets.safety import check_upload
from datasets.selectors import DatasetScope
from hikikomori_eval.wareki import fy_label

#: The command line acts as a superuser unless it is given --user.
COMMAND_LINE_USER = SimpleNamespace(is_superuser=True, is_authenticated=True, pk=None)


class StalePreviewError(ValidationError):
    """The data changed between the dry run and the confirmation: the planned changes differ."""


# ---- export ------------------------------------------------------------------------------------


def export_info(scope: DatasetScope, *, department=None, policy_node=None) -> list[tuple[str, str]]:
    """The 説明 sheet: what the workbook covers and how to import it back."""
    first, last = scope.fiscal_years[0], scope.fiscal_years[-1]
    return [
        ("データセット", "行政評価データセット"),
        ("形式の版", LAYOUT),
        ("出力日時", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("評価年度", fy_label(scope.evaluation_fy, "plain")),
        ("対象年度", f"{fy_label(first, 'plain')}〜{fy_label(last, 'plain')}（{YEAR_WINDOW}年度分）"),
        ("部", str(department) if department else "すべて"),
        ("施策", str(policy_node) if policy_node else "すべて"),
        (
            "取り込み",
            "「指標値」「事業費」シートの黄色の列（値・暫定値・注記、金額）を変更して取り込めます。"
            "青色の列は行を特定するキーです。変更しないでください。ほかのシートは参照用です。",
        ),
    ]


def export_filename(scope: DatasetScope, fmt: str, sheet: str = "") -> str:
    suffix = f"_{sheet}" if sheet else ""
    extension = "csv" if fmt == ExportFormat.CSV and sheet else ("zip" if fmt == ExportFormat.CSV else "xlsx")
    return f"dataset_{scope.evaluation_fy}{suffix}.{extension}"


def export_write(scope: DatasetScope, fmt: str, target, *, sheet: str = "", progress=None, info=None) -> int:
    """Write the dataset to ``target`` (a path or binary file); return the rows written."""
    specs = (sheet_by_slug(sheet),) if sheet else writers.DATASET_SHEETS
    if fmt == ExportFormat.XLSX:
        info = export_info(scope) if info is None else info
        return writers.write_xlsx(scope, target, info=list(info), progress=progress, specs=specs)
    if sheet:
        if isinstance(target, str | Path):
            with open(target, "wb") as out:
                return writers.write_csv(scope, specs[0], out)
        return writers.write_csv(scope, specs[0], target)
    return writers.write_csv_zip(scope, target, progress=progress, specs=specs)


def export_job_create(*, user, evaluation_fy: int, fmt: str, department=None, policy_node=None) -> ExportJob:
    """Record the export (with what ``user`` may see) and hand it to the task backend on commit."""
    from datasets.tasks import export_dataset_task

    organization_ids, unit_limits = export_visibility(user)
    job = ExportJob.objects.create(
        requested_by=user,
        evaluation_fy=evaluation_fy,
        fmt=fmt,
        organization_ids=organization_ids,
        unit_limits={str(org): ids for org, ids in unit_limits.items()},
        department=department,
        policy_node=policy_node,
    )

    def enqueue():
        result = export_dataset_task.enqueue(job.pk)
        ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))

    transaction.on_commit(enqueue)
    return job


def _job_scope(job: ExportJob) -> DatasetScope:
    return DatasetScope.for_visibility(
        job.evaluation_fy,
        job.organization_ids,
        job.unit_limits,
        department_id=job.department_id,
        policy_node_id=job.policy_node_id,
    )


def export_job_run(*, job_id: int) -> ExportJob:
    """Write the job's file (the task body). Progress is saved every few thousand rows."""
    job = ExportJob.objects.select_related("department", "policy_node").get(pk=job_id)
    scope = _job_scope(job)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, started_at=timezone.now(), rows_total=writers.row_count(scope)
    )

    def progress(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done)

    filename = export_filename(scope, job.fmt)
    try:
        info = export_info(scope, department=job.department, policy_node=job.policy_node)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / filename
            rows = export_write(scope, job.fmt, str(path), progress=progress, info=info)
            with path.open("rb") as content:
                stored = default_storage.save(f"datasets/exports/{job.pk}/{filename}", File(content))
    except Exception as error:  # the job shows the failure; the task backend records the traceback
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportStatus.FAILED, finished_at=timezone.now(), error=str(error)[:2000]
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.DONE, finished_at=timezone.now(), rows_done=rows, file=stored, filename=filename
    )
    job.refresh_from_db()
    return job


# ---- import ------------------------------------------------------------------------------------


def _dangerous_xml() -> ImportRejected:
    return ImportRejected(_("ブックに危険な XML（実体参照など）が含まれているため取り込みません。"))


def _unreadable() -> ImportRejected:
    return ImportRejected(_("ファイルが壊れているか、Excel のブックとして読めません。"))


_READ_ERRORS = (
    KeyError,
    ValueError,
    OSError,
    EOFError,
    zlib.error,
    TypeError,
    IndexError,
    zipfile.BadZipFile,
)


def _open_workbook(file):
    try:
        return load_workbook(file, read_only=True, data_only=False, keep_links=False, keep_vba=False)
    except DefusedXmlException as error:
        raise _dangerous_xml() from error
    except _READ_ERRORS as error:
        if isinstance(error.__cause__, DefusedXmlException):  # openpyxl wraps the parser's refusal
            raise _dangerous_xml() from error
        raise _unreadable() from error


def import_plan(file, *, name: str, user) -> tuple[ImportReport, Plan | None]:
    """Check, read and plan an import without writing anything (the dry run)."""
    check_upload(file, name=name)
    report = ImportReport()
    wb = _open_workbook(file)
    try:
        if layout := sheet_layout(wb):
            report.layout = layout.import_layout
            read = layout.read(wb, report)
            plan = plan_import(
                read.value_ops,
                read.cost_ops,
                user=user,
                report=report,
                sheet=read.sheet,
                budget_projects=read.budget_project_ids,
            )
        elif is_dataset_workbook(wb):
            report.layout = ImportLayout.DATASET
            value_ops, cost_ops = read_dataset(wb, report)
            plan = plan_import(value_ops, cost_ops, user=user, report=report)
        else:
            raise ImportRejected(
                _(
                    "取り込める形式ではありません。データセットの Excel（指標値・事業費シート）か、"
                    "評価シート（個表・施策の方針・「主な取組」検証票・施策マネジメントシート）の Excel を"
                    "そのまま使ってください。"
                )
            )
    except DefusedXmlException as error:
        raise _dangerous_xml() from error
    except (zlib.error, OSError, EOFError, zipfile.BadZipFile) as error:
        raise _unreadable() from error
    finally:
        wb.close()
    return report, plan


def import_preview(file, *, name: str, user) -> ImportReport:
    """The dry run: what the import would create, change or reject. Writes nothing."""
    try:
        report, _plan = import_plan(file, name=name, user=user)
    except ImportRejected as error:
        return ImportReport(file_errors=[error.message])
    return report


def import_apply(file, *, name: str, user, expected_fingerprint: str | None = None) -> ImportReport:
    """Dry-run again inside one transaction and write the planned rows, all or nothing.

    Nothing is written when a cell is rejected, or when ``expected_fingerprint`` (the dry run the
    user confirmed) no longer matches: the data changed in between (:class:`StalePreviewError`).
    """
    with transaction.atomic():
        try:
            report, plan = import_plan(file, name=name, user=user)
        except ImportRejected as error:
            return ImportReport(file_errors=[error.message])
        if not report.ok:
            return report
        if expected_fingerprint is not None and report.fingerprint() != expected_fingerprint:
            raise StalePreviewError(
                _("確認の後でデータが変更されました。もう一度確認してから反映してください。"), code="stale"
            )
        apply_plan(plan, user=user)
    return report


def import_job_create(*, upload, user) -> ImportJob:
    """Store an upload that passed the file checks, with its dry-run report (rejections included)."""
    check_upload(upload, size=upload.size, name=upload.name)
    report = import_preview(upload, name=upload.name, user=user)
    if report.file_errors:  # refused as a whole (dangerous XML, unreadable): keep nothing
        raise ImportRejected(report.file_errors[0])
    upload.seek(0)
    job = ImportJob(
        uploaded_by=user,
        original_name=upload.name[:200],
        layout=report.layout,
        status=ImportStatus.PREVIEWED if report.ok else ImportStatus.REJECTED,
        report=report.to_dict(),
        fingerprint=report.fingerprint(),
    )
    job.file.save(f"{timezone.now():%Y%m%d%H%M%S}.xlsx", upload, save=False)
    job.save()
    return job


def import_job_confirm(*, job: ImportJob, user) -> ImportJob:
    """Apply a previewed job; on a stale preview its report is refreshed and nothing is written."""
    if job.status != ImportStatus.PREVIEWED:
        raise ValidationError(_("この取り込みは反映できる状態ではありません。"), code="state")
    with job.file.open("rb") as file:
        try:
            report = import_apply(
                file, name=job.original_name, user=user, expected_fingerprint=job.fingerprint
            )
        except StalePreviewError:
            file.seek(0)
            fresh = import_preview(file, name=job.original_name, user=user)
            job.report, job.fingerprint = fresh.to_dict(), fresh.fingerprint()
            job.status = ImportStatus.PREVIEWED if fresh.ok else ImportStatus.REJECTED
            job.save(update_fields=["report", "fingerprint", "status"])
            raise
    if not report.ok:
        job.report, job.status = report.to_dict(), ImportStatus.REJECTED
        job.save(update_fields=["report", "status"])
        return job
    job.status = ImportStatus.APPLIED
    job.applied_at = timezone.now()
    job.applied_by = user if getattr(user, "pk", None) else None
    job.applied_changes = report.to_dict()["entries"]
    job.save(update_fields=["status", "applied_at", "applied_by", "applied_changes"])
    return job
