"""Thin views: check access, call one selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hikikomori_eval.wareki import fy_label
from sheets import content_version, exports, selectors, services
from sheets.audit import log_export
from sheets.choices import FormType
from sheets.forms import (
    InitiativeSheetEditForm,
    PolicyManagementSheetEditForm,
    PolicySheetEditForm,
    ProgramSheetEditForm,
)
from sheets.forms.sheet_list import SheetListFilterForm
from sheets.models import EvaluationSheet, Organization
from sheets.permissions import can_edit_sheet, visible_organization_ids, visible_sheet, visible_sheets
from sheets.services.workflow import allowed_actions
from sheets.sheet_body import frozen_body, sheet_body

#: The edit page of each form that has one.
#: Rows of the 評価シート一覧 per page (an auditor of a large installation sees thousands).
SHEETS_PER_PAGE = 50
EDIT_URLS = {
    FormType.KAMAKURA_PROGRAM: "sheets:edit",
    FormType.KAMAKURA_POLICY: "sheets:policy_edit",
    FormType.OKINAWA_INITIATIVE: "sheets:initiative_edit",
    FormType.KUNITACHI_POLICY: "sheets:policy_management_edit",
}


#: What the sheet's page and exports read through the sheet: the permission rules walk the owner's
#: units, and the 個表 and 施策の方針 contexts take the sheet fetched with these instead of fetching it.
_SHEET_RELATED = tuple(
    sorted(
        {
            "program__owner_unit__parent",
            "policy_node__lead_unit__parent",
            *exports.CONTEXT_SHEET_RELATED,
        }
    )
)


def _viewable_sheet(request, pk) -> EvaluationSheet:
    """The sheet in one query with the visibility rule: 404 when missing, 403 when hidden."""
    sheet, exists = visible_sheet(request.user, pk, related=_SHEET_RELATED)
    if sheet is None:
        if exists:
            raise PermissionDenied
        raise Http404
    return sheet


@login_required
def sheet_list(request):
    visible = visible_sheets(request.user)
    years = selectors.sheet_years(sheets=visible)
    organizations = list(
        Organization.objects.filter(pk__in=visible.values("organization_id"))
        .order_by("lg_code")
        .values_list("pk", "name")
    )
    form = SheetListFilterForm(
        request.GET or None,
        year_choices=[(y, fy_label(y, "plain")) for y in years],
        organizations=organizations,
    )
    filters = form.filters(default_year=years[0] if years else None)
    page = Paginator(selectors.sheet_list(sheets=visible, **filters), SHEETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "sheets/sheet_list.html",
        {
            "form": form,
            "page": page,
            "sheets": page.object_list,
            "year": filters["evaluation_fy"],
            "query_string": query.urlencode(),
            "several_organizations": len(organizations) > 1,
        },
    )


def _public_for(request, sheet) -> bool:
    """A reader from another municipality (a published sheet), or ?public=1: the published version."""
    outside = not request.user.is_superuser and sheet.organization_id not in visible_organization_ids(
        request.user
    )
    return outside or request.GET.get("public") == "1"


@login_required
def sheet_detail(request, pk):
    token = content_version.current()  # before the sheet is read: see sheets/content_version.py
    sheet = _viewable_sheet(request, pk)
    public = _public_for(request, sheet)
    snapshot = None if public else exports.frozen_snapshot(sheet)
    edit_url = EDIT_URLS.get(sheet.form_type)
    context = {
        "body": frozen_body(snapshot) if snapshot else sheet_body(sheet, public=public, token=token),
        "sheet": sheet,
        "can_edit": can_edit_sheet(request.user, sheet),
        "edit_url": edit_url and reverse(edit_url, args=[sheet.pk]),
        "actions": allowed_actions(request.user, sheet),
        "last_transition": sheet.transitions.select_related("by").order_by("-at", "-id").first(),
    }
    return render(request, "sheets/sheet_detail.html", context)


@login_required
def sheet_pdf(request, pk):
    sheet = _viewable_sheet(request, pk)
    public = _public_for(request, sheet)
    if request.GET.get("format") == "html":
        return render(
            request,
            exports.PRINT_TEMPLATES[sheet.form_type],
            exports.sheet_print_context(sheet, public=public),
        )
    return _download(request, sheet, exports.sheet_export(sheet, "pdf", public=public), inline=True)


@login_required
def sheet_xlsx(request, pk):
    sheet = _viewable_sheet(request, pk)
    return _download(request, sheet, exports.sheet_export(sheet, "xlsx", public=_public_for(request, sheet)))


def _download(request, sheet, exported, inline=False) -> HttpResponse:
    log_export(request=request, detail=exported.filename, sheet=sheet)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, exported.filename)
    return response


def _editable_sheet(request, pk, form_type) -> EvaluationSheet:
    sheet = get_object_or_404(
        EvaluationSheet.objects.select_related(
            "program__owner_unit__parent", "policy_node__lead_unit__parent"
        ),
        pk=pk,
        form_type=form_type,
    )
    if not can_edit_sheet(request.user, sheet):
        raise PermissionDenied
    return sheet


def _save_or_show(request, sheet, form, save, *, template, context, warnings=lambda data: ()):
    """Every edit page: a valid post is saved by the form's service (then back to the sheet with its
    warnings), anything else shows the form again with its messages and everything typed."""
    if form.is_bound and form.is_valid():
        data = form.to_input()
        try:
            save(sheet=sheet, data=data, by=request.user, expected_version=form.expected_version)
        except ValidationError as error:
            form.add_save_error(error)
        else:
            messages.success(request, _("保存しました。"))
            for warning in warnings(data):
                messages.warning(request, warning)
            return redirect("sheets:detail", pk=sheet.pk)
    return render(request, template, context())


def _posted(request):
    return request.POST if request.method == "POST" else None


# ---- 個表 edit mode: one page for every section, and the live recalculation of its figures ----


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request, pk):
    sheet = _editable_sheet(request, pk, FormType.KAMAKURA_PROGRAM)
    form = ProgramSheetEditForm(
        state=services.program_sheet_edit_state(sheet_id=sheet.pk), data=_posted(request)
    )
    return _save_or_show(
        request,
        sheet,
        form,
        services.program_sheet_save,
        template="sheets/program_sheet_form.html",
        context=form.template_context,
        warnings=lambda data: services.input_warnings(evaluation_fy=sheet.evaluation_fy, data=data),
    )


@login_required
@require_POST
def sheet_recalc(request, pk):
    """Derived figures of the typed (unsaved) values, as htmx out-of-band fragments."""
    sheet = _editable_sheet(request, pk, FormType.KAMAKURA_PROGRAM)
    form = ProgramSheetEditForm(state=services.program_sheet_edit_state(sheet_id=sheet.pk), data=request.POST)
    return render(request, "sheets/_derived_figures.html", {"derived_items": form.layout()["derived_items"]})


# ---- 「主な取組」検証票 edit mode: header, Plan, Do (values, budget), status, 2 (2), Check, Action ----


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request, pk):
    sheet = _editable_sheet(request, pk, FormType.OKINAWA_INITIATIVE)
    ctx = selectors.initiative_sheet_context(sheet_id=sheet.pk)
    form = InitiativeSheetEditForm(ctx=ctx, data=_posted(request))
    return _save_or_show(
        request,
        sheet,
        form,
        services.initiative_sheet_save,
        template="sheets/initiative_sheet_form.html",
        context=lambda: {"sheet": sheet, "ctx": ctx, "form": form},
        warnings=lambda data: selectors.initiative_sheet_context(sheet_id=sheet.pk).cumulative_warnings,
    )


@login_required
@require_POST
def initiative_status_check(request, pk):
    """V-STATUS for the typed (unsaved) status and basis, as an htmx fragment."""
    sheet = _editable_sheet(request, pk, FormType.OKINAWA_INITIATIVE)
    ctx = selectors.initiative_sheet_context(sheet_id=sheet.pk)
    chosen = request.POST.get("main-progress_status", "")
    status = next((o for o in ctx.progress_options if str(o.pk) == chosen), None)
    problem = selectors.progress_status_problem(
        status=status,
        rate=ctx.lowest_rate,
        options=ctx.progress_options,
        basis=request.POST.get("main-status_basis", ""),
    )
    return render(request, "sheets/edit/_status_check.html", {"problem": problem})


@login_required
@require_POST
def initiative_recalc(request, pk):
    """累計 plan values, A, B, A/B and V-CUM of the typed (unsaved) values, as htmx out-of-band fragments."""
    sheet = _editable_sheet(request, pk, FormType.OKINAWA_INITIATIVE)
    form = InitiativeSheetEditForm(
        ctx=selectors.initiative_sheet_context(sheet_id=sheet.pk), data=request.POST
    )
    return render(request, "sheets/_initiative_figures.html", {"form": form})


# ---- 行政評価シート（施策の方針） edit mode: 作成日, 評価者, texts per department, §3 evaluations ----


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request, pk):
    sheet = _editable_sheet(request, pk, FormType.KAMAKURA_POLICY)
    form = PolicySheetEditForm(
        state=services.policy_sheet_edit_state(sheet_id=sheet.pk), data=_posted(request)
    )
    return _save_or_show(
        request,
        sheet,
        form,
        services.policy_sheet_save,
        template="sheets/policy_sheet_form.html",
        context=form.template_context,
    )


# ---- 施策マネジメントシート edit mode: 氏名, indicator values, §4 grades, §5–§7 texts, §6(2) ----


@login_required
@require_http_methods(["GET", "POST"])
def policy_management_edit(request, pk):
    sheet = _editable_sheet(request, pk, FormType.KUNITACHI_POLICY)
    ctx = selectors.policy_management_context(sheet_id=sheet.pk)
    form = PolicyManagementSheetEditForm(ctx=ctx, data=_posted(request))
    return _save_or_show(
        request,
        sheet,
        form,
        services.policy_management_sheet_save,
        template="sheets/policy_management_sheet_form.html",
        context=lambda: {"sheet": sheet, "ctx": ctx, "form": form},
        warnings=lambda data: selectors.policy_management_context(sheet_id=sheet.pk).warnings,
    )
