"""Thin views of the yearly cycle: review transitions, a sheet's history, progress, year lock and rollover."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hikikomori_eval.wareki import fy_label
from sheets import selectors
from sheets.models import EvaluationSheet, FiscalYear, Organization
from sheets.permissions import can_see_progress, can_view_sheet, is_administrator, visible_sheets
from sheets.selectors.history import sheet_history, sheet_transitions
from sheets.selectors.progress import STATUSES, progress_overview
from sheets.services.workflow import sheet_transition
from sheets.services.year import fiscal_year_lock, fiscal_year_unlock, rollover


def _viewable(request, pk) -> EvaluationSheet:
    sheet = get_object_or_404(
        EvaluationSheet.objects.select_related(
            "program__owner_unit__parent", "policy_node__lead_unit__parent"
        ),
        pk=pk,
    )
    if not can_view_sheet(request.user, sheet):
        raise PermissionDenied
    return sheet


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
@require_POST
def transition(request, pk):
    sheet = _viewable(request, pk)
    try:
        sheet_transition(
            sheet=sheet,
            action=request.POST.get("action", ""),
            by=request.user,
            comment=request.POST.get("comment", ""),
        )
    except ValueError:
        messages.error(request, _("操作が正しくありません。"))
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("シートの状態を変更しました。"))
    return redirect("sheets:detail", pk=sheet.pk)


@login_required
def history(request, pk):
    sheet = _viewable(request, pk)
    return render(
        request,
        "sheets/history.html",
        {"sheet": sheet, "entries": sheet_history(sheet), "transitions": sheet_transitions(sheet)},
    )


def _year_choices(visible):
    return [(y, fy_label(y, "plain")) for y in selectors.sheet_years(sheets=visible)]


@login_required
def progress(request):
    if not can_see_progress(request.user):
        raise PermissionDenied
    visible = visible_sheets(request.user)
    choices = _year_choices(visible)
    year = (
        int(request.GET["year"])
        if request.GET.get("year", "").isdigit()
        else (choices[0][0] if choices else None)
    )
    rows = progress_overview(visible, year) if year else []
    statuses = [
        label for value, label in EvaluationSheet._meta.get_field("status").choices if value in STATUSES
    ]
    return render(
        request,
        "sheets/progress.html",
        {"rows": rows, "year": year, "year_choices": choices, "statuses": statuses},
    )


def _administered(user):
    organizations = Organization.objects.filter(sheets__isnull=False).distinct()
    return [o for o in organizations if is_administrator(user, o.pk)]


@login_required
def years(request):
    organizations = _administered(request.user)
    if not organizations:
        raise PermissionDenied
    states = {
        (y.organization_id, y.evaluation_fy): y
        for y in FiscalYear.objects.filter(organization__in=organizations)
    }
    rows = []
    for org in organizations:
        for fy in selectors.sheet_years(sheets=EvaluationSheet.objects.filter(organization=org)):
            rows.append(
                {
                    "organization": org,
                    "fy": fy,
                    "label": fy_label(fy, "plain"),
                    "state": states.get((org.pk, fy)),
                }
            )
    return render(request, "sheets/years.html", {"rows": rows})


@login_required
@require_POST
def year_action(request):
    organization = get_object_or_404(Organization, pk=request.POST.get("organization"))
    fy = int(request.POST.get("fy", "0") or 0)
    action = request.POST.get("action")
    try:
        if action == "lock":
            fiscal_year_lock(organization=organization, evaluation_fy=fy, by=request.user)
            messages.success(request, _("%(year)sを確定しました。") % {"year": fy_label(fy, "plain")})
        elif action == "unlock":
            fiscal_year_unlock(
                organization=organization,
                evaluation_fy=fy,
                by=request.user,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("%(year)sの確定を解除しました。") % {"year": fy_label(fy, "plain")})
        elif action == "rollover":
            result = rollover(organization=organization, from_fy=fy, to_fy=fy + 1, by=request.user)
            messages.success(
                request,
                _("%(year)sのシートを%(n)d件作成しました（既存 %(existing)d件、終了した事業 %(ended)d件）。")
                % {
                    "year": fy_label(fy + 1, "plain"),
                    "n": len(result.created),
                    "existing": result.existing,
                    "ended": len(result.ended),
                },
            )
        else:
            messages.error(request, _("操作が正しくありません。"))
    except ValidationError as error:
        _report(request, error)
    return redirect("sheets:years")
