"""Thin views of the benchmarks pages: check access, call one selector or service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from benchmarks import analytics, opendata, selectors, services
from benchmarks.survey import SURVEY_CODE
from benchmarks.workbooks import portfolio_workbook
from hikikomori_eval.pdf import render_pdf
from sheets import content_version
from sheets.models import EvaluationSheet, Organization, OrgUnit, PolicyNode
from sheets.permissions import can_edit_sheet, can_view_sheet, visible_organization_ids

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _viewable_sheet(request, pk) -> EvaluationSheet:
    sheet = get_object_or_404(
        EvaluationSheet.objects.select_related(
            "organization__size_class", "program__owner_unit__parent", "policy_node__lead_unit__parent"
        ),
        pk=pk,
        program__isnull=False,
    )
    if not can_view_sheet(request.user, sheet):
        raise PermissionDenied
    return sheet


@login_required
def survey_index(request, code=SURVEY_CODE):
    ctx = selectors.survey_index_context(survey_code=code)
    return render(request, "benchmarks/survey_index.html", {"ctx": ctx})


@login_required
def survey_question(request, code, question):
    ctx = selectors.survey_question_context(
        survey_code=code,
        question_code=question,
        breakdown_key=request.GET.get("breakdown"),
        highlight=request.GET.get("row") or selectors.user_size_class(request.user),
    )
    return render(request, "benchmarks/survey_question.html", {"ctx": ctx})


@login_required
def program_benchmark(request, pk):
    sheet = _viewable_sheet(request, pk)
    ctx = selectors.program_benchmark_context(sheet=sheet)
    return render(
        request,
        "benchmarks/program_benchmark.html",
        {"ctx": ctx, "can_edit": can_edit_sheet(request.user, sheet)},
    )


@login_required
@require_POST
def program_benchmark_refresh(request, pk):
    sheet = _viewable_sheet(request, pk)
    if not can_edit_sheet(request.user, sheet):
        raise PermissionDenied
    result = services.benchmark_sheet_refresh(sheet=sheet)
    messages.success(
        request,
        _("他市比較を更新しました（自団体の値 %(own)s 件、他団体の値 %(peers)s 件）。")
        % {"own": result.own_parts, "peers": result.peer_entries},
    )
    return redirect("benchmarks:program", pk=sheet.pk)


@login_required
def program_trends(request, pk):
    sheet = _viewable_sheet(request, pk)
    return render(
        request, "benchmarks/program_trends.html", {"ctx": analytics.program_trend_context(sheet=sheet)}
    )


@login_required
def program_trends_pdf(request, pk):
    sheet = _viewable_sheet(request, pk)
    context = {"ctx": analytics.program_trend_context(sheet=sheet)}
    if request.GET.get("format") == "html":
        return render(request, "benchmarks/print/program_trends.html", context)
    content = render_pdf(template_name="benchmarks/print/program_trends.html", context=context)
    return _download(content, f"{sheet.program.code}_推移.pdf", "application/pdf", inline=True)


def _viewable_organization(request, organization_id: int) -> None:
    if not (request.user.is_superuser or organization_id in visible_organization_ids(request.user)):
        raise PermissionDenied


# A portfolio depends on the data alone (access is checked first): computed once per content version.


def _department_context(request, pk):
    token = content_version.current()  # before the data is read: see sheets/content_version.py
    unit = get_object_or_404(OrgUnit.objects.select_related("organization"), pk=pk)
    _viewable_organization(request, unit.organization_id)
    year = selectors.portfolio_year(unit.organization_id, request.GET.get("year"))
    if year is None:
        raise Http404
    return content_version.cached(
        f"portfolio:department:{unit.pk}:{year}",
        lambda: selectors.department_portfolio_context(unit=unit, evaluation_fy=year),
        token=token,
    )


def _policy_context(request, pk):
    token = content_version.current()
    node = get_object_or_404(PolicyNode.objects.select_related("plan"), pk=pk)
    _viewable_organization(request, node.plan.organization_id)
    year = selectors.portfolio_year(node.plan.organization_id, request.GET.get("year"))
    if year is None:
        raise Http404
    return content_version.cached(
        f"portfolio:policy:{node.pk}:{year}",
        lambda: selectors.policy_portfolio_context(node=node, evaluation_fy=year),
        token=token,
    )


@login_required
def department_portfolio(request, pk):
    ctx = _department_context(request, pk)
    xlsx_url = reverse("benchmarks:department_portfolio_xlsx", args=[pk]) + f"?year={ctx.evaluation_fy}"
    return render(request, "benchmarks/portfolio.html", {"ctx": ctx, "xlsx_url": xlsx_url})


@login_required
def department_portfolio_xlsx(request, pk):
    ctx = _department_context(request, pk)
    return _download(portfolio_workbook(ctx), f"{ctx.title}_{ctx.evaluation_fy}.xlsx", XLSX)


@login_required
def policy_portfolio(request, pk):
    ctx = _policy_context(request, pk)
    xlsx_url = reverse("benchmarks:policy_portfolio_xlsx", args=[pk]) + f"?year={ctx.evaluation_fy}"
    return render(request, "benchmarks/portfolio.html", {"ctx": ctx, "xlsx_url": xlsx_url})


@login_required
def policy_portfolio_xlsx(request, pk):
    ctx = _policy_context(request, pk)
    return _download(portfolio_workbook(ctx), f"{ctx.title}_{ctx.evaluation_fy}.xlsx", XLSX)


def _download(content: bytes, filename: str, content_type: str, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response


@login_required
def opendata_csv(request, pk, kind):
    organization = get_object_or_404(Organization, pk=pk)
    _viewable_organization(request, organization.pk)
    year = selectors.portfolio_year(organization.pk, request.GET.get("year"))
    if year is None or kind not in ("indicators", "comparisons"):
        raise Http404
    if kind == "indicators":
        content = opendata.csv_bytes(opendata.INDICATOR_HEADER, opendata.indicator_rows(organization, year))
    else:
        content = opendata.csv_bytes(opendata.COMPARISON_HEADER, opendata.comparison_rows(organization, year))
    return _download(content, f"{organization.lg_code}_{kind}_{year}.csv", "text/csv; charset=utf-8")
