"""The cheaper reads behind the sheet pages give what the plain ones give.

The 個表 and 施策の方針 pages hand the sheet they fetched to the context, sort small row sets in
memory instead of building ORDER BYs, and pick a choice list in memory; each is checked here against
the query it replaces (on SQLite and on PostgreSQL, whose NULLs sort the other way).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.choices import ValueType
from indicators.selectors import indicator_series_for
from sheets.choices import DIRECTION, FormType, ProgramKind
from sheets.demo_policy import kamakura_policy_demo_load
from sheets.models import ChoiceOption, ChoiceSet, EvaluationSheet, Program
from sheets.selectors import policy_sheet as policy_selectors
from sheets.selectors import policy_sheet_context, program_sheet_context
from sheets.selectors import program_sheet as program_selectors
from sheets.selectors.common import choice_option_values, choice_options
from tests.factories import (
    EvaluationSheetFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
    SubProgramFactory,
)

pytestmark = pytest.mark.django_db


def _options(organization_id, fiscal_year, key=DIRECTION):
    options = choice_options(key, organization_id=organization_id, fiscal_year=fiscal_year)
    return list(options.values_list("pk", "label"))


def _option_values(organization_id, fiscal_year, key=DIRECTION):
    return choice_option_values(key, "pk", "label", organization_id=organization_id, fiscal_year=fiscal_year)


def test_choice_option_values_pick_the_list_choice_options_picks(demo_sheet):
    org = demo_sheet.organization_id
    assert _option_values(org, 2025) == _options(org, 2025) != []  # the global list

    own = ChoiceSet.objects.create(key=DIRECTION, organization_id=org, label="独自", valid_from_fy=2020)
    ChoiceOption.objects.create(choice_set=own, code="b", label="独自B", order=2)
    ChoiceOption.objects.create(choice_set=own, code="a", label="独自A", order=2)
    ChoiceSet.objects.create(key=DIRECTION, label="新しい共通", valid_from_fy=2024)
    later = ChoiceSet.objects.create(key=DIRECTION, organization_id=org, label="将来", valid_from_fy=2030)
    ChoiceOption.objects.create(choice_set=later, code="z", label="将来Z")

    for fiscal_year in (2019, 2020, 2025, 2030):
        assert _option_values(org, fiscal_year) == _options(org, fiscal_year), fiscal_year
    assert [label for _, label in _option_values(org, 2025)] == ["独自A", "独自B"]  # own list, by order, code
    assert _option_values(org, 2025, key="NO_SUCH_LIST") == [] == _options(org, 2025, key="NO_SUCH_LIST")


def test_sub_programs_print_in_the_order_the_database_sorts_them():
    """order, then 枝番 (a blank one where the database puts NULLs), then id; other children and
    sub-programs of other years are left out."""
    sheet = EvaluationSheetFactory()
    program = sheet.program
    for order, branch_no in ((2, None), (1, 3), (1, None), (1, 1), (2, 1), (0, None)):
        SubProgramFactory(parent=program, order=order, branch_no=branch_no)
    SubProgramFactory(parent=program, order=0, branch_no=9, valid_to_fy=2020)  # ended before S
    ProgramFactory(parent=program, organization=program.organization, kind=ProgramKind.INITIATIVE)

    expected = list(
        Program.objects.filter(parent=program, kind=ProgramKind.SUB_PROGRAM)
        .active_in_any([2024, 2025])
        .order_by("order", "branch_no", "id")
        .values_list("pk", flat=True)
    )
    ctx = program_sheet_context(sheet_id=sheet.pk)
    assert [row.sub_program.pk for row in ctx.sub_rows] == expected
    assert len(expected) == 6


def test_program_context_from_the_pages_sheet_is_the_same_with_one_query_less(
    demo_sheet, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as own_fetch:
        fetched_here = program_sheet_context(sheet_id=demo_sheet.pk)
    sheet = EvaluationSheet.objects.select_related(*program_selectors.SHEET_RELATED).get(pk=demo_sheet.pk)
    with django_assert_max_num_queries(len(own_fetch) - 1):
        given = program_sheet_context(sheet_id=demo_sheet.pk, sheet=sheet)
    assert given == fetched_here


def test_policy_context_from_the_pages_sheet_is_the_same_with_one_query_less(
    demo, django_assert_max_num_queries
):
    policy_sheet = kamakura_policy_demo_load()
    with CaptureQueriesContext(connection) as own_fetch:
        fetched_here = policy_sheet_context(sheet_id=policy_sheet.pk)
    sheet = EvaluationSheet.objects.select_related(*policy_selectors.SHEET_RELATED).get(pk=policy_sheet.pk)
    with django_assert_max_num_queries(len(own_fetch) - 1):
        given = policy_sheet_context(sheet_id=policy_sheet.pk, sheet=sheet)
    assert given == fetched_here


def test_a_sheet_of_another_form_is_refused(demo):
    policy_sheet = kamakura_policy_demo_load()
    with pytest.raises(EvaluationSheet.DoesNotExist):
        program_sheet_context(sheet_id=policy_sheet.pk, sheet=policy_sheet)


@pytest.mark.parametrize("form_type", [FormType.KAMAKURA_PROGRAM, FormType.KAMAKURA_POLICY])
def test_the_page_reads_its_sheet_once(demo, client, login_as, form_type):
    kamakura_policy_demo_load()
    sheet = EvaluationSheet.objects.filter(form_type=form_type, evaluation_fy=2025).first()
    login_as("auditor")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("sheets:detail", args=[sheet.pk]))
    assert response.status_code == 200
    sheet_reads = [q for q in queries if q["sql"].startswith('SELECT "sheets_evaluationsheet"."id"')]
    assert len(sheet_reads) == 1, [q["sql"][:200] for q in sheet_reads]


def test_indicator_series_keep_the_values_in_year_and_type_order_and_can_read_some_years():
    indicator = IndicatorFactory()
    for fy, value_type in ((2025, ValueType.TARGET), (2023, ValueType.TARGET), (2024, ValueType.ACTUAL)):
        IndicatorValueFactory(indicator=indicator, fiscal_year=fy, value_type=value_type)
    IndicatorValueFactory(indicator=indicator, fiscal_year=2023, value_type=ValueType.ACTUAL)
    (series,) = indicator_series_for([indicator])
    assert list(series.values) == [
        (2023, ValueType.ACTUAL),
        (2023, ValueType.TARGET),
        (2024, ValueType.ACTUAL),
        (2025, ValueType.TARGET),
    ]
    (one_year,) = indicator_series_for([indicator], fiscal_years=[2023])
    assert list(one_year.values) == [(2023, ValueType.ACTUAL), (2023, ValueType.TARGET)]
