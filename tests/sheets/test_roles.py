"""Every view × every role: what each demo user may do with the 健福-17 個表 (a draft) — and nothing more."""

import pytest
from django.urls import reverse

from sheets.models import EvaluationSheet, FiscalYear, SheetTransition

ROLES = ["anonymous", "staff", "evaluator", "policy_owner", "auditor", "admin", "kni_staff"]
LOGIN = 302  # anonymous users are sent to the login page
OK, REDIRECT, DENIED = 200, 302, 403

#: view → (method, expected status per role, in ROLES order)
MATRIX = {
    "list": ("get", [LOGIN, OK, OK, OK, OK, OK, OK]),
    "detail": ("get", [LOGIN, OK, OK, OK, OK, OK, DENIED]),
    "pdf": ("get", [LOGIN, OK, OK, OK, OK, OK, DENIED]),
    "xlsx": ("get", [LOGIN, OK, OK, OK, OK, OK, DENIED]),
    "history": ("get", [LOGIN, OK, OK, OK, OK, OK, DENIED]),
    "edit": ("get", [LOGIN, OK, OK, DENIED, DENIED, OK, DENIED]),
    "recalc": ("post", [LOGIN, OK, OK, DENIED, DENIED, OK, DENIED]),
    "transition": ("post", [LOGIN, REDIRECT, REDIRECT, DENIED, DENIED, REDIRECT, DENIED]),
    "progress": ("get", [LOGIN, DENIED, OK, OK, OK, OK, DENIED]),
    "years": ("get", [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED]),
    "year_action": ("post", [LOGIN, DENIED, DENIED, DENIED, DENIED, REDIRECT, DENIED]),
}
SHEET_VIEWS = {"detail", "pdf", "xlsx", "history", "edit", "recalc", "transition"}


def _cases():
    for view, (method, expected) in MATRIX.items():
        for role, status in zip(ROLES, expected, strict=True):
            yield pytest.param(view, method, role, status, id=f"{view}-{role}")


@pytest.fixture
def everyone(all_demos, db):
    return EvaluationSheet.objects.get(form_type="kmk_program", evaluation_fy=2025, program__code="健福-17")


@pytest.mark.parametrize(("view", "method", "role", "status"), list(_cases()))
def test_view_role_matrix(everyone, client, login_as, view, method, role, status):
    sheet = everyone
    if role != "anonymous":
        login_as(role)
    url = reverse(f"sheets:{view}", args=[sheet.pk] if view in SHEET_VIEWS else [])
    data = {}
    if view == "transition":
        data = {"action": "submit"}
    elif view == "year_action":
        data = {"organization": sheet.organization_id, "fy": 2025, "action": "lock"}
    response = client.post(url, data) if method == "post" else client.get(url)
    assert response.status_code == status
    if status == DENIED or role == "anonymous":
        # A refusal changes nothing.
        sheet.refresh_from_db()
        assert sheet.status == "draft" and sheet.version == 1
        assert not SheetTransition.objects.exists()
        assert not FiscalYear.objects.filter(locked_at__isnull=False).exists()


def test_a_posted_field_one_may_not_set_changes_nothing(demo_sheet, client, login_as):
    """The edit form has no status, owner or lock: posting them saves the sheet and ignores them."""
    from tests.sheets.test_edit_views import posted

    login_as("staff")
    data = posted(demo_sheet, status="approved", organization="999", locked_at="2025-01-01", owner_unit="1")
    assert client.post(reverse("sheets:edit", args=[demo_sheet.pk]), data).status_code == REDIRECT
    sheet = EvaluationSheet.objects.get(pk=demo_sheet.pk)
    assert (sheet.status, sheet.locked_at, sheet.organization_id) == (
        "draft",
        None,
        demo_sheet.organization_id,
    )
    assert sheet.program.owner_unit_id == demo_sheet.program.owner_unit_id
    assert sheet.version == 2  # the save itself went through


def test_changing_the_id_in_the_url_to_another_municipalitys_sheet_is_refused(
    demo_sheet, kunitachi_sheet, client, login_as
):
    login_as("staff")
    for name in ("detail", "pdf", "xlsx", "history"):
        assert client.get(reverse(f"sheets:{name}", args=[kunitachi_sheet.pk])).status_code == DENIED
    assert (
        client.get(reverse("sheets:policy_management_edit", args=[kunitachi_sheet.pk])).status_code == DENIED
    )
    response = client.post(reverse("sheets:transition", args=[kunitachi_sheet.pk]), {"action": "submit"})
    assert response.status_code == DENIED
    kunitachi_sheet.refresh_from_db()
    assert kunitachi_sheet.status == "draft"


#: The other apps' views and the other forms' edit pages × roles (GET), with oki_staff of 沖縄県 too.
OTHER_ROLES = [*ROLES, "oki_staff"]
OTHER_MATRIX = {
    "sheets:policy_edit": [LOGIN, DENIED, DENIED, OK, DENIED, OK, DENIED, DENIED],
    "sheets:initiative_edit": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, DENIED, OK],
    "sheets:policy_management_edit": [LOGIN, DENIED, DENIED, DENIED, DENIED, OK, OK, DENIED],
    "benchmarks:program": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:program_trends": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:program_trends_pdf": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:department_portfolio": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:department_portfolio_xlsx": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:policy_portfolio": [LOGIN, OK, OK, OK, OK, OK, DENIED, DENIED],
    "benchmarks:survey_index": [LOGIN, OK, OK, OK, OK, OK, OK, OK],
    "datasets:export": [LOGIN, OK, OK, OK, OK, OK, OK, OK],
    "datasets:import": [LOGIN, OK, OK, DENIED, DENIED, OK, OK, OK],  # auditors read, never write
    "printing:form": [LOGIN, OK, OK, OK, OK, OK, OK, OK],  # each is offered only what they may read
}


def _other_url(view: str) -> str:
    from sheets.models import OrgUnit

    sheets = EvaluationSheet.objects
    program = sheets.get(form_type="kmk_program", evaluation_fy=2025, program__code="健福-17")
    policy = sheets.get(form_type="kmk_policy", evaluation_fy=2025)
    args = {
        "sheets:policy_edit": [policy.pk],
        "sheets:initiative_edit": [sheets.filter(form_type="oki_initiative").first().pk],
        "sheets:policy_management_edit": [sheets.filter(form_type="kni_policy").first().pk],
        "benchmarks:department_portfolio": [
            OrgUnit.objects.get(organization__lg_code="142042", name="健康福祉部").pk
        ],
        "benchmarks:policy_portfolio": [policy.policy_node_id],
    }
    args["benchmarks:department_portfolio_xlsx"] = args["benchmarks:department_portfolio"]
    if view.startswith("benchmarks:program"):
        args[view] = [program.pk]
    return reverse(view, args=args.get(view, []))


@pytest.mark.parametrize(
    ("view", "role", "status"),
    [
        pytest.param(view, role, status, id=f"{view}-{role}")
        for view, expected in OTHER_MATRIX.items()
        for role, status in zip(OTHER_ROLES, expected, strict=True)
    ],
)
def test_other_views_role_matrix(all_demos, db, client, login_as, view, role, status):
    if role != "anonymous":
        login_as(role)
    assert client.get(_other_url(view)).status_code == status
