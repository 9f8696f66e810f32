"""Thin views of batch printing: start a job, follow its progress (htmx), download the file."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from printing import services
from printing.choices import PrintStatus
from printing.forms import PrintJobForm
from printing.models import PrintJob
from printing.permissions import can_see_job, printable_department_ids, printable_organization_ids
from sheets.selectors import sheet_years

RECENT_JOBS = 10


@login_required
@require_http_methods(["GET", "POST"])
def job_form(request):
    org_ids = printable_organization_ids(request.user)
    years = sheet_years(organization_ids=org_ids)
    form = PrintJobForm(
        request.POST or None,
        organization_ids=org_ids,
        department_ids=printable_department_ids(request.user),
        years=years,
        initial={"year": years[0] if years else ""},
    )
    if form.is_bound and form.is_valid():
        try:
            job = services.print_job_create(
                user=request.user,
                department=form.cleaned_data["department"],
                evaluation_fy=form.cleaned_data["year"],
                form_type=form.cleaned_data["form_type"],
                fmt=form.cleaned_data["fmt"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("printing:status", pk=job.pk)
    jobs = PrintJob.objects.filter(requested_by=request.user).select_related("organization", "department")
    return render(request, "printing/job_form.html", {"form": form, "jobs": jobs[:RECENT_JOBS]})


def _visible_job(request, pk) -> PrintJob:
    job = get_object_or_404(PrintJob.objects.select_related("organization", "department"), pk=pk)
    if not can_see_job(request.user, job):
        raise PermissionDenied
    return job


@login_required
def job_status(request, pk):
    job = _visible_job(request, pk)
    template = "printing/_job_progress.html" if request.htmx else "printing/job_status.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk):
    job = _visible_job(request, pk)
    if job.status != PrintStatus.DONE or not job.result:
        raise Http404
    return FileResponse(job.result.open("rb"), as_attachment=True, filename=job.filename)
