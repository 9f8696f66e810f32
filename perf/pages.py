"""Pages: server time of the sheet, policy sheet and portfolio pages on the scale data, and query counts.

The portfolio pages are the benchmarks app's department portfolio (the department with the most
programs) and policy portfolio (the policy of the measured policy sheet), for FY ``YEAR``.

Requests go through Django's test client in this process (the whole middleware and template stack,
no network), timed as the median of several after a warm-up. The baseline of the same run is a bare
view rendering a 200-row table with the site's base template (``perf/urls.py``).

Sheet and portfolio pages are measured twice: ``page_<name>_*`` as most requests find them, the
sheet's body or the portfolio computed for the current content version by an earlier request
(``sheets/content_version.py``), and ``page_<name>_uncached_*`` as the first request after a write
does, computing them itself.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf.common import emit, ratio, scale_organizations, setup_django, timed  # noqa: E402

REPEAT = 15
BARE_URL = "/perf/bare/"
YEAR = 2025


def measure(client, name: str, url: str, baseline_url: str | None = BARE_URL, before=lambda: None) -> float:
    """Median server time of ``url``; with its ratio to the bare view timed alternately with it.

    ``before``: run (untimed) before each request of ``url``, e.g. to empty a cache.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    before()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    query_count = len(queries)  # now: the log is cleared by the next request
    if response.status_code != 200:
        emit(f"page_{name}", f"failed (HTTP {response.status_code} for {url})")
        return float("nan")
    page, bare = [], []
    for _ in range(REPEAT):  # interleaved: a change of the machine's load hits both alike
        before()
        page.append(timed(lambda: client.get(url))[0])
        if baseline_url:
            bare.append(timed(lambda: client.get(baseline_url))[0])
    seconds = statistics.median(page)
    emit(f"page_{name}_median_s", seconds)
    emit(f"page_{name}_queries", query_count)
    emit(f"page_{name}_bytes", len(response.content))
    if bare:
        emit(f"page_{name}_bare_median_s", statistics.median(bare))
        emit(f"page_{name}_ratio", ratio(seconds, statistics.median(bare)))
    return seconds


def measure_cached_page(client, name: str, url: str) -> None:
    """A page twice: as most requests find it (its content computed for the current content version
    by an earlier request) and as the first request after a write finds it (computing it)."""
    from django.core.cache import caches

    from sheets.content_version import CACHE_ALIAS

    measure(client, name, url)
    measure(client, f"{name}_uncached", url, before=caches[CACHE_ALIAS].clear)


def query_counts(client, urls) -> list[int]:
    """The number of queries of each page, in the order of ``urls``, each computing its content."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sheets.content_version import CACHE_ALIAS

    counts = []
    for url in urls:
        caches[CACHE_ALIAS].clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts.append(len(queries))
    return counts


def query_spread(client, sheets) -> tuple[int, int]:
    """The fewest and most queries of the sheets' pages."""
    counts = query_counts(client, [f"/sheets/{sheet.pk}/" for sheet in sheets])
    return min(counts), max(counts)


def department_portfolios(org) -> list[tuple[int, str]]:
    """(programs, URL) of the department portfolio (benchmarks app) of each of the organisation's
    departments, fewest programs first."""
    from django.db.models import Count, Q
    from django.urls import reverse

    from sheets.choices import OrgUnitKind, ProgramKind
    from sheets.models import OrgUnit

    own = Q(owned_programs__kind=ProgramKind.PROGRAM)
    below = Q(children__owned_programs__kind=ProgramKind.PROGRAM)
    departments = (
        OrgUnit.objects.filter(organization=org, kind=OrgUnitKind.DEPARTMENT)
        # Programs of the department itself and of its 課 (the scale data's tree is two levels deep).
        .annotate(
            programs=Count("owned_programs", filter=own, distinct=True)
            + Count("children__owned_programs", filter=below, distinct=True)
        )
        .order_by("programs", "pk")
    )
    return [
        (unit.programs, reverse("benchmarks:department_portfolio", args=[unit.pk]) + f"?year={YEAR}")
        for unit in departments
    ]


def policy_portfolio_url(policy_sheet) -> str:
    from django.urls import reverse

    return reverse("benchmarks:policy_portfolio", args=[policy_sheet.policy_node_id]) + f"?year={YEAR}"


def run() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.test import Client

    from sheets.choices import FormType
    from sheets.models import EvaluationSheet

    orgs = scale_organizations()
    if not orgs:
        emit("pages", "skipped (no scale data)")
        return
    org = orgs[0]
    client = Client()
    client.force_login(get_user_model().objects.get(username=f"scale_{org.lg_code}"))
    emit("pages_scale_sheets_total", EvaluationSheet.objects.count())

    measure(client, "bare_200_rows", BARE_URL, None)
    program_sheets = (
        EvaluationSheet.objects.filter(
            organization=org, evaluation_fy=YEAR, form_type=FormType.KAMAKURA_PROGRAM
        )
        .annotate(subs=Count("program__children"))
        .order_by("-subs", "pk")
    )
    largest = program_sheets.first()
    emit("page_sheet_sub_programs", largest.subs)
    measure_cached_page(client, "sheet", f"/sheets/{largest.pk}/")
    smallest = program_sheets.order_by("subs", "pk").first()
    low, high = query_spread(client, [smallest, largest])
    emit("page_sheet_queries_1_vs_max_subprograms", f"{low}/{high}")

    policy = (
        EvaluationSheet.objects.filter(
            organization=org, evaluation_fy=YEAR, form_type=FormType.KAMAKURA_POLICY
        )
        .annotate(links=Count("policy_node__program_links"))
        .order_by("-links", "pk")
        .first()
    )
    if policy:
        measure_cached_page(client, "policy_sheet", f"/sheets/{policy.pk}/")
    demo_policy = EvaluationSheet.objects.filter(
        form_type=FormType.KAMAKURA_POLICY, organization__lg_code="142042"
    )
    if demo_policy.exists():
        admin = get_user_model().objects.filter(username="auditor").first()
        if admin:
            demo_client = Client()
            demo_client.force_login(admin)
            measure_cached_page(
                demo_client, "policy_sheet_demo_37_programs", f"/sheets/{demo_policy.first().pk}/"
            )

    departments = department_portfolios(org)
    if departments:
        # The department with the most programs; the query count must not grow with them.
        (fewest, fewest_url), (most, most_url) = departments[0], departments[-1]
        emit("page_portfolio_department_programs", most)
        measure_cached_page(client, "portfolio_department", most_url)
        low, high = query_counts(client, [fewest_url, most_url])
        emit("page_portfolio_department_programs_fewest_vs_most", f"{fewest}/{most}")
        emit("page_portfolio_department_queries_fewest_vs_most", f"{low}/{high}")
    else:
        emit("page_portfolio_department", "skipped (no department in the scale data)")
    if policy:
        measure_cached_page(client, "portfolio_policy", policy_portfolio_url(policy))
    measure(client, "sheet_list", f"/?year={YEAR}")


if __name__ == "__main__":
    setup_django()
    run()
