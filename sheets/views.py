"""Thin views: check access, call one selector or service, render."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from hikikomori_eval.wareki import fy_label
from sheets import exports, selectors
from sheets.models import EvaluationSheet
from sheets.permissions import can_edit_sheet, can_view_sheet, visible_organization_ids


def _viewable_sheet(request, pk) -> EvaluationSheet:
    sheet = get_object_or_404(EvaluationSheet.objects.select_related("program__owner_unit__parent"), pk=pk)
    if not can_view_sheet(request.user, sheet):
        raise PermissionDenied
    return sheet


@login_required
def sheet_list(request):
    org_ids = None if request.user.is_superuser else visible_organization_ids(request.user)
    years = selectors.sheet_years(organization_ids=org_ids)
    year = (
        int(request.GET["year"]) if request.GET.get("year", "").isdigit() else (years[0] if years else None)
    )
    sheets = selectors.sheet_list(organization_ids=org_ids, evaluation_fy=year)
    year_choices = [(y, fy_label(y, "plain")) for y in years]
    return render(
        request, "sheets/sheet_list.html", {"sheets": sheets, "year": year, "year_choices": year_choices}
    )


@login_required
def sheet_detail(request, pk):
    sheet = _viewable_sheet(request, pk)
    context = exports.sheet_print_context(sheet)
    context.update(sheet=sheet, can_edit=can_edit_sheet(request.user, sheet))
    return render(request, "sheets/sheet_detail.html", context)


@login_required
def sheet_pdf(request, pk):
    sheet = _viewable_sheet(request, pk)
    if request.GET.get("format") == "html":
        return render(request, exports.PRINT_TEMPLATES[sheet.form_type], exports.sheet_print_context(sheet))
    return _download(exports.sheet_export(sheet, "pdf"), inline=True)


@login_required
def sheet_xlsx(request, pk):
    return _download(exports.sheet_export(_viewable_sheet(request, pk), "xlsx"))


def _download(exported, inline=False) -> HttpResponse:
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, exported.filename)
    return response
