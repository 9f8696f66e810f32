"""The import's queries do not grow with its rows: owners, indicators, values, sheets and rights are
looked up per chunk of rows (a few queries), never per row or per program."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.services import import_apply, import_preview
from indicators.choices import ValueType
from indicators.models import IndicatorValue
from sheets.choices import Role
from sheets.models import EvaluationSheet, Membership
from tests.factories import (
    EvaluationSheetFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    OrganizationFactory,
    OrgUnitFactory,
    ProgramFactory,
    SubProgramFactory,
)

from .conftest import save_bytes

YEAR = 2025


@pytest.fixture
def place(db):
    """An organisation with a 部 › 課, and a staff member of the 課 (rights checked unit by unit)."""
    org = OrganizationFactory()
    department = OrgUnitFactory(organization=org)
    section = OrgUnitFactory(organization=org, parent=department)
    user = get_user_model().objects.create_user("import-staff")
    Membership.objects.create(user=user, organization=org, org_unit=section, role=Role.STAFF)
    return org, section, user


def _add_programs(org, section, count: int) -> None:
    """Programs with a value of YEAR each; every other one with a 事務事業 (its own value) and a draft
    sheet (the others have none: the rights are those over a draft sheet of the program)."""
    for i in range(count):
        program = ProgramFactory(organization=org, owner_unit=section)
        owners = [program]
        if i % 2:
            EvaluationSheetFactory(program=program, evaluation_fy=YEAR)
            owners.append(SubProgramFactory(organization=org, owner_unit=section, parent=program))
        for owner in owners:
            indicator = IndicatorFactory(organization=org, program=owner)
            IndicatorValueFactory(indicator=indicator, fiscal_year=YEAR, value_type=ValueType.ACTUAL)


def _changed_workbook(export_bytes, open_xlsx) -> tuple[bytes, int]:
    """The dataset workbook with every value of YEAR raised by one."""
    wb = open_xlsx(export_bytes(YEAR))
    ws = wb["指標値"]
    headers = [c.value for c in ws[1]]
    year, value = headers.index("年度"), headers.index("値")
    edited = 0
    for row in ws.iter_rows(min_row=2):
        if row[year].value == YEAR and isinstance(row[value].value, int | float):
            row[value].value += 1
            edited += 1
    return save_bytes(wb), edited


def _queries(export_bytes, open_xlsx, user) -> tuple[int, int, int, int]:
    """(rows edited, queries of the dry run, of the commit, of the commit's bulk inserts)."""
    content, edited = _changed_workbook(export_bytes, open_xlsx)
    user = get_user_model().objects.get(pk=user.pk)  # memberships are cached on the user: load them again
    with CaptureQueriesContext(connection) as dry:
        report = import_preview(io.BytesIO(content), name="q.xlsx", user=user)
    assert report.ok, report.lines()
    assert len(report.changes) == edited
    user = get_user_model().objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as commit:
        report = import_apply(io.BytesIO(content), name="q.xlsx", user=user)
    assert report.ok, report.lines()
    inserts = sum(q["sql"].startswith("INSERT") for q in commit.captured_queries)
    return edited, len(dry.captured_queries), len(commit.captured_queries) - inserts, inserts


def test_queries_of_dry_run_and_commit_do_not_grow_with_rows(place, export_bytes, open_xlsx):
    org, section, user = place
    _add_programs(org, section, 7)
    small_rows, small_dry, small_commit, _inserts = _queries(export_bytes, open_xlsx, user)
    _add_programs(org, section, 127)
    large_rows, large_dry, large_commit, large_inserts = _queries(export_bytes, open_xlsx, user)
    assert (small_rows, large_rows) == (10, 200)
    assert large_dry == small_dry, (small_dry, large_dry)
    assert large_commit == small_commit, (small_commit, large_commit)
    assert large_dry <= 20 and large_commit <= 30, (large_dry, large_commit)
    # The history rows are bulk inserted in batches of the backend's limit of parameters (SQLite: ~90).
    assert large_inserts <= 1 + large_rows // 60, large_inserts
    # Written, with their history (the staff member's change), and the draft sheets' versions raised.
    value = IndicatorValue.objects.filter(indicator__organization=org).first()
    assert value.value == Decimal("12")
    latest = value.history.order_by("-history_date", "-history_id").first()
    assert (latest.value, latest.history_user, latest.history_type) == (Decimal("12"), user, "~")
    assert set(EvaluationSheet.objects.filter(organization=org).values_list("version", flat=True)) == {3, 2}
