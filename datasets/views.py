"""Thin views of the dataset pages: export with progress and download, import with a dry run."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from datasets import services
from datasets.choices import ExportStatus, ImportStatus
from datasets.forms import ExportForm, ImportForm
from datasets.models import ExportJob, ImportJob
from datasets.permissions import can_import, export_visibility, owns_job
from datasets.report import ImportRejected, ImportReport
from datasets.safety import limits, too_large
from sheets.audit import log_export
from sheets.selectors import sheet_years

RECENT_JOBS = 10


@login_required
@require_http_methods(["GET", "POST"])
def export_form(request):
    org_ids, _limits = export_visibility(request.user)
    years = sheet_years(organization_ids=org_ids)
    form = ExportForm(
        request.POST or None, organization_ids=org_ids, initial={"year": years[0] if years else ""}
    )
    if form.is_bound and form.is_valid():
        job = services.export_job_create(
            user=request.user,
            evaluation_fy=form.cleaned_data["year"],
            fmt=form.cleaned_data["fmt"],
            department=form.cleaned_data["department"],
            policy_node=form.cleaned_data["policy_node"],
        )
        return redirect("datasets:export_status", pk=job.pk)
    jobs = ExportJob.objects.filter(requested_by=request.user)[:RECENT_JOBS]
    return render(request, "datasets/export_form.html", {"form": form, "jobs": jobs})


def _own_export(request, pk) -> ExportJob:
    job = get_object_or_404(ExportJob, pk=pk)
    if not owns_job(request.user, job.requested_by_id):
        raise PermissionDenied
    return job


@login_required
def export_status(request, pk):
    job = _own_export(request, pk)
    template = "datasets/_export_progress.html" if request.htmx else "datasets/export_status.html"
    return render(request, template, {"job": job})


@login_required
def export_download(request, pk):
    job = _own_export(request, pk)
    if job.status != ExportStatus.DONE or not job.file:
        raise Http404
    log_export(request=request, detail=f"dataset {job.filename}")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)


@login_required
@csrf_exempt  # checked by _import_form, after the size check that must not read the body
@require_http_methods(["GET", "POST"])
def import_form(request):
    if not can_import(request.user):
        raise PermissionDenied
    if request.method == "POST" and _content_length(request) > limits().max_file_bytes:
        # Refuse before Django reads (and spools to disk) the upload.
        error = too_large(_content_length(request), limits().max_file_bytes).message
        return _render_import_form(request, ImportForm(), status=413, error=error)
    return _import_form(request)


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _import_form(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if form.is_bound and form.is_valid():
        try:
            job = services.import_job_create(upload=form.cleaned_data["file"], user=request.user)
        except ImportRejected as error:
            form.add_error("file", error.message)
        else:
            return redirect("datasets:import_detail", pk=job.pk)
    return _render_import_form(request, form)


def _render_import_form(request, form, status=200, error=""):
    jobs = ImportJob.objects.filter(uploaded_by=request.user)[:RECENT_JOBS]
    context = {"form": form, "jobs": jobs, "upload_error": error}
    return render(request, "datasets/import_form.html", context, status=status)


def _own_import(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    if not owns_job(request.user, job.uploaded_by_id):
        raise PermissionDenied
    return job


@login_required
def import_detail(request, pk):
    job = _own_import(request, pk)
    report = ImportReport.from_dict(job.report)
    can_confirm = job.status == ImportStatus.PREVIEWED and report.ok and report.has_changes
    return render(
        request, "datasets/import_detail.html", {"job": job, "report": report, "can_confirm": can_confirm}
    )


@login_required
@require_POST
def import_confirm(request, pk):
    job = _own_import(request, pk)
    if not can_import(request.user):
        raise PermissionDenied
    try:
        job = services.import_job_confirm(job=job, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if job.status == ImportStatus.APPLIED:
            messages.success(request, _("反映しました。"))
        else:
            messages.error(request, _("取り込めない値があるため、何も反映していません。"))
    return redirect("datasets:import_detail", pk=job.pk)
