"""Editing a 「主な取組」検証票: one atomic save with optimistic locking, through the service and the page."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.choices import ValueStatus, ValueType
from indicators.models import IndicatorValue
from sheets.choices import SheetStatus
from sheets.models import (
    CheckFactor,
    ChoiceOption,
    ImprovementPlan,
    ImprovementReflection,
    OkinawaInitiativeSheet,
)
from sheets.selectors import budget_totals, initiative_policy_nodes, initiative_sheet_context
from sheets.services import (
    InitiativeSheetInput,
    ReflectionInput,
    StaleSheetError,
    TypedRowInput,
    initiative_sheet_save,
)


def _option(key, code):
    return ChoiceOption.objects.get(choice_set__key=key, choice_set__organization__isnull=True, code=code)


def _option_codes(key):
    return list(
        ChoiceOption.objects.filter(choice_set__key=key, choice_set__organization__isnull=True)
        .order_by("order", "id")
        .values_list("code", flat=True)
    )


def _input(ctx, **changes) -> InitiativeSheetInput:
    values = {
        "progress_status_id": ctx.progress_status.pk,
        "status_basis": ctx.status_basis,
        "activity_overview": ctx.activity_overview,
        "activity_done": ctx.activity_done,
        "activity_plan": ctx.activity_plan,
        "reflections": tuple(ReflectionInput(r.source_plan_id, r.reflection_text) for r in ctx.reflections),
        "check_rows": tuple(TypedRowInput(r.option.pk, r.content, r.pk) for r in ctx.check_rows),
        "action_rows": tuple(TypedRowInput(r.option.pk, r.content, r.pk) for r in ctx.action_rows),
    }
    values.update(changes)
    return InitiativeSheetInput(**values)


@pytest.fixture
def sheet(okinawa_sheets):
    return okinawa_sheets[0]


@pytest.fixture
def editor(django_user_model, sheet):
    return django_user_model.objects.get(username="oki_staff")


def test_status_outside_its_band_needs_a_basis(sheet, editor):
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    with pytest.raises(ValidationError) as raised:
        initiative_sheet_save(sheet=sheet, data=_input(ctx, status_basis="  "), by=editor, expected_version=1)
    assert "判定根拠の記入が必要です" in str(raised.value.message_dict["status_basis"])
    # 大幅遅れ fits 0.0%: no basis needed.
    fitting = _input(ctx, status_basis="", progress_status_id=_option("OKI_PROGRESS", "much_delayed").pk)
    initiative_sheet_save(sheet=sheet, data=fitting, by=editor, expected_version=1)
    assert initiative_sheet_context(sheet_id=sheet.pk).status_problem == ""


def test_save_texts_rows_and_reflections_and_bump_the_version(sheet, editor):
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    first_check = ctx.check_rows[0]
    data = _input(
        ctx,
        status_basis="新しい判定根拠",
        reflections=(ReflectionInput(ctx.reflections[0].source_plan_id, "新しい反映状況"),),
        check_rows=(
            TypedRowInput(first_check.option.pk, "書き換えた要因", first_check.pk),
            TypedRowInput(_option("OKI_CHECK_TYPE", "⑥").pk, "新しい要因"),
        ),
        action_rows=(TypedRowInput(_option("OKI_ACTION_TYPE", "⑤").pk, "新しい改善案"),),
    )
    saved = initiative_sheet_save(sheet=sheet, data=data, by=editor, expected_version=1)
    assert (saved.version, saved.updated_by) == (2, editor)
    after = initiative_sheet_context(sheet_id=sheet.pk)
    assert after.status_basis == "新しい判定根拠"
    assert after.reflections[0].reflection_text == "新しい反映状況"
    assert [(r.option.code, r.content) for r in after.check_rows] == [
        ("③", "書き換えた要因"),
        ("⑥", "新しい要因"),
    ]
    assert after.check_rows[0].pk == first_check.pk  # updated in place, not recreated
    assert [(r.option.code, r.content) for r in after.action_rows] == [("⑤", "新しい改善案")]
    assert ImprovementPlan.objects.get(sheet=sheet).target_fy == 2023  # next year's (2)


def test_a_stale_version_is_refused_and_nothing_changes(sheet, editor):
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    initiative_sheet_save(sheet=sheet, data=_input(ctx, status_basis="一人目"), by=editor, expected_version=1)
    with pytest.raises(StaleSheetError):
        initiative_sheet_save(
            sheet=sheet, data=_input(ctx, status_basis="二人目", check_rows=()), by=editor, expected_version=1
        )
    assert OkinawaInitiativeSheet.objects.get(sheet=sheet).status_basis == "一人目"
    assert CheckFactor.objects.filter(sheet=sheet).count() == 2


def test_approved_sheets_and_foreign_choices_are_refused(sheet, editor):
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    wrong = _input(ctx, check_rows=(TypedRowInput(_option("OKI_ACTION_TYPE", "①").pk, "x"),))
    with pytest.raises(ValidationError):
        initiative_sheet_save(sheet=sheet, data=wrong, by=editor, expected_version=1)
    sheet.status = SheetStatus.APPROVED
    sheet.save()
    with pytest.raises(ValidationError):
        initiative_sheet_save(sheet=sheet, data=_input(ctx), by=editor, expected_version=1)


def _page_data(form, **changes) -> dict:
    """What the browser posts for the edit page as it was rendered (every input), with ``changes``."""
    data = {}

    def add(bound_form):
        for bf in bound_form:
            value = bf.field.prepare_value(bf.value())
            if value is False:
                continue
            data[bf.html_name] = "on" if value is True else ("" if value is None else value)

    add(form.main)
    for formset in (form.check_formset, form.action_formset):
        add(formset.management_form)
        for row in formset.forms:
            add(row)
    data.update(changes)
    return data


def test_edit_page_saves_through_the_form(client, login_as, sheet):
    login_as("oki_staff")
    url = reverse("sheets:initiative_edit", args=[sheet.pk])
    page = client.get(url)
    assert page.status_code == 200
    ctx = page.context["ctx"]
    data = _page_data(page.context["form"], **{"main-status_basis": "画面から", "check-1-DELETE": "on"})
    data[f"main-reflection_{ctx.reflections[0].source_plan_id}"] = "画面からの反映状況"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].main.errors
    assert OkinawaInitiativeSheet.objects.get(sheet=sheet).status_basis == "画面から"
    assert ImprovementReflection.objects.get(sheet=sheet).reflection_text == "画面からの反映状況"
    assert CheckFactor.objects.filter(sheet=sheet).count() == 1
    # Posting the page unchanged keeps the header, the plan, the values and the budget as they were.
    after = initiative_sheet_context(sheet_id=sheet.pk)
    assert (after.program.name, after.sub_item, after.implementing_body) == (
        ctx.program.name,
        ctx.sub_item,
        ctx.implementing_body,
    )
    assert [r.texts for r in after.plan_rows] == [r.texts for r in ctx.plan_rows]
    assert [(r.actual.text, r.rate.text) for r in after.result_rows] == [
        (r.actual.text, r.rate.text) for r in ctx.result_rows
    ]
    assert [[c.amount for c in r.cells] for r in after.budget_rows] == [
        [c.amount for c in r.cells] for r in ctx.budget_rows
    ]


def test_edit_page_shows_the_status_warning_and_checks_it_live(client, login_as, sheet):
    login_as("oki_staff")
    page = client.get(reverse("sheets:initiative_edit", args=[sheet.pk])).content.decode()
    assert "達成割合 0.0% の目安と一致しません" in page
    url = reverse("sheets:initiative_status_check", args=[sheet.pk])
    on_track = _option("OKI_PROGRESS", "on_track").pk
    fragment = client.post(url, {"main-progress_status": on_track, "main-status_basis": ""}).content.decode()
    assert "進捗状況「順調」" in fragment and "判定根拠の記入が必要です" in fragment
    much_delayed = _option("OKI_PROGRESS", "much_delayed").pk
    assert "status-warning" not in client.post(url, {"main-progress_status": much_delayed}).content.decode()


def test_detail_offers_editing_to_the_owning_unit_only(client, login_as, sheet):
    login_as("oki_staff")
    assert (
        reverse("sheets:initiative_edit", args=[sheet.pk])
        in client.get(reverse("sheets:detail", args=[sheet.pk])).content.decode()
    )
    login_as("staff")  # 鎌倉市
    assert client.get(reverse("sheets:initiative_edit", args=[sheet.pk])).status_code == 403


# ---- Header, 1 Plan, 2 Do (values and budget) on the edit page ----------------------------------


def _post(client, sheet, **changes):
    """Load the edit page, change some inputs and post it; returns (response, context before)."""
    url = reverse("sheets:initiative_edit", args=[sheet.pk])
    page = client.get(url)
    ctx = page.context["ctx"]
    names = {key.format(**_keys(ctx)): value for key, value in changes.items()}
    return client.post(url, _page_data(page.context["form"], **names), follow=True), ctx


def _keys(ctx) -> dict:
    """Input names of the page: the (first) printed indicator, S and the plan years, the budget project."""
    indicator = ctx.plan_rows[0].indicator
    project = ctx.budget_rows[0].project if ctx.budget_rows else None
    s1 = ctx.budget_rows[0].cells[-1] if ctx.budget_rows else None
    return {
        "ind": indicator.pk,
        "s": ctx.subject_fy,
        "s_1": ctx.subject_fy - 1,
        "p2": ctx.plan_years[1],
        "next_budget": f"{project.pk}_{s1.fiscal_year}_{s1.basis}" if project else "",
    }


@pytest.fixture
def staff(client, login_as, okinawa_sheets):
    login_as("oki_staff")
    return client


def test_editing_a_plan_value_changes_the_printed_cumulative(staff, okinawa_sheets):
    newsletter = okinawa_sheets[0]
    assert initiative_sheet_context(sheet_id=newsletter.pk).plan_rows[0].texts == [
        "1件",
        "1件（2件）",
        "1件（3件）",
    ]
    response, _ctx = _post(staff, newsletter, **{"main-plan_{ind}_{p2}": "２"})  # R5, full-width
    assert response.redirect_chain, response.context["form"].main.errors
    after = initiative_sheet_context(sheet_id=newsletter.pk)
    assert after.plan_rows[0].texts == ["1件", "2件（3件）", "1件（4件）"]
    stored = IndicatorValue.objects.get(
        indicator=after.plan_rows[0].indicator,
        fiscal_year=after.plan_years[1],
        value_type=ValueType.PLAN_SINGLE,
    )
    assert (stored.value, stored.raw_text) == (D(2), "２")  # normalised, the text as typed kept
    page = staff.get(reverse("sheets:initiative_edit", args=[newsletter.pk])).content.decode()
    assert 'value="２"' in page  # the input shows what was typed
    assert "3件" in page and "4件" in page  # the cumulative, read-only


def test_editing_an_actual_changes_a_over_b_raw_kept_display_capped(staff, okinawa_sheets):
    consultations = okinawa_sheets[2]
    response, ctx = _post(staff, consultations, **{"main-actual_{ind}_{s}": "3,600件"})
    assert response.redirect_chain, response.context["form"].main.errors
    (row,) = initiative_sheet_context(sheet_id=consultations.pk).result_rows
    assert (row.actual.text_with_unit, row.target_text) == ("3,600件", "1,800件")
    assert (row.rate.text, row.rate.raw_text, row.rate.is_capped) == ("100.0%", "200.0%", True)
    stored = IndicatorValue.objects.get(
        indicator=row.indicator, fiscal_year=ctx.subject_fy, value_type=ValueType.ACTUAL
    )
    assert stored.raw_text == "3,600件"
    _post(staff, consultations, **{"main-actual_{ind}_{s}": "９００"})
    (row,) = initiative_sheet_context(sheet_id=consultations.pk).result_rows
    assert (row.rate.text, row.rate.is_capped) == ("50.0%", False)


def test_a_status_token_is_stored_as_a_status_not_zero(staff, okinawa_sheets):
    consultations = okinawa_sheets[2]
    response, ctx = _post(staff, consultations, **{"main-actual_{ind}_{s_1}": "未実施"})
    assert response.redirect_chain, response.context["form"].main.errors
    stored = IndicatorValue.objects.get(
        indicator=ctx.plan_rows[0].indicator, fiscal_year=ctx.subject_fy - 1, value_type=ValueType.ACTUAL
    )
    assert (stored.status, stored.value, stored.raw_text) == (ValueStatus.NOT_CONDUCTED, None, "未実施")
    (row,) = initiative_sheet_context(sheet_id=consultations.pk).result_rows
    assert row.earlier[-1].text == "未実施"


def test_a_value_that_is_no_number_is_refused_next_to_its_field(staff, okinawa_sheets):
    consultations = okinawa_sheets[2]
    response, _ctx = _post(staff, consultations, **{"main-actual_{ind}_{s}": "たくさん"})
    assert not response.redirect_chain
    assert "未実施・未定・―" in response.content.decode()
    assert initiative_sheet_context(sheet_id=consultations.pk).result_rows[0].actual.text == "2,386"


def test_the_shared_budget_changes_on_every_sheet_and_counts_once(staff, okinawa_sheets):
    page = staff.get(reverse("sheets:initiative_edit", args=[okinawa_sheets[1].pk])).content.decode()
    assert "ほかの検証票にも反映されます" in page
    funding = _option("OKI_MAIN_FUNDING", _option_codes("OKI_MAIN_FUNDING")[-1])
    response, ctx = _post(
        staff,
        okinawa_sheets[1],
        **{"main-budget_{next_budget}": "１５，０００", "main-funding_{next_budget}": funding.pk},
    )
    assert response.redirect_chain, response.context["form"].main.errors
    for sheet in okinawa_sheets:
        (row,) = initiative_sheet_context(sheet_id=sheet.pk).budget_rows
        assert (row.cells[-1].amount, row.cells[-1].main_funding) == (D(15000), funding.label)
        assert row.cells[0].amount == D(10311)  # untouched
    programs = [sheet.program for sheet in okinawa_sheets]
    next_cell = ctx.budget_rows[0].cells[-1]
    assert budget_totals(programs=programs, fiscal_year=next_cell.fiscal_year, basis=next_cell.basis) == D(
        15000
    )


def test_header_fields_are_saved(staff, okinawa_sheets):
    sheet = okinawa_sheets[0]
    ctx = initiative_sheet_context(sheet_id=sheet.pk)
    other = next(
        n for n in initiative_policy_nodes(organization_id=sheet.organization_id) if n != ctx.sub_item
    )
    response, _ctx = _post(
        staff,
        sheet,
        **{
            "main-name": "情報発信（改）",
            "main-content_text": "新しい取組内容",
            "main-implementing_body": "県・市町村",
            "main-related_url": "https://example.jp/hikikomori",
            "main-sub_item": other.pk,
        },
    )
    assert response.redirect_chain, response.context["form"].main.errors
    after = initiative_sheet_context(sheet_id=sheet.pk)
    assert (after.program.name, after.content_text, after.implementing_body, after.related_url) == (
        "情報発信（改）",
        "新しい取組内容",
        "県・市町村",
        "https://example.jp/hikikomori",
    )
    assert after.sub_item == other
    assert after.outcome_indicator_name == ctx.outcome_indicator_name


def test_cumulative_decrease_warns_on_the_page_and_after_save(staff, okinawa_sheets):
    newsletter = okinawa_sheets[0]  # 通信 発行件数（累計）: 1 → 0 → 0 (R2 → R4)
    page = staff.get(reverse("sheets:initiative_edit", args=[newsletter.pk])).content.decode()
    assert "R3年度の実績値（累計）が前年度より減っています" in page
    response, _ctx = _post(staff, newsletter)
    assert response.redirect_chain
    messages = [str(m) for m in response.context["messages"]]
    assert any("前年度より減っています" in m for m in messages)
    response, _ctx = _post(
        staff, newsletter, **{"main-actual_{ind}_{s_1}": "1", "main-actual_{ind}_{s}": "1"}
    )
    assert not any("前年度より減っています" in str(m) for m in response.context["messages"])
    assert initiative_sheet_context(sheet_id=newsletter.pk).cumulative_warnings == []


def test_a_stale_page_is_refused_and_nothing_changes(staff, okinawa_sheets):
    newsletter = okinawa_sheets[0]
    url = reverse("sheets:initiative_edit", args=[newsletter.pk])
    page = staff.get(url)
    names = _keys(page.context["ctx"])
    first = _page_data(page.context["form"], **{f"main-plan_{names['ind']}_{names['p2']}": "5"})
    assert staff.post(url, first).status_code == 302
    second = _page_data(page.context["form"], **{f"main-plan_{names['ind']}_{names['p2']}": "7"})
    response = staff.post(url, second)  # still version 1
    assert response.status_code == 200
    assert response.context["form"].main.non_field_errors()
    assert initiative_sheet_context(sheet_id=newsletter.pk).plan_rows[0].cells[1].single.text == "5"


def test_edit_page_queries_do_not_grow_with_the_check_rows(
    staff, okinawa_sheets, django_assert_max_num_queries
):
    sheet = okinawa_sheets[1]  # two components, a budget project, reflections and Action rows

    def with_check_rows(count):
        CheckFactor.objects.filter(sheet=sheet).delete()
        CheckFactor.objects.bulk_create(
            CheckFactor(sheet=sheet, content=f"要因{i}", order=i) for i in range(1, count + 1)
        )

    url = reverse("sheets:initiative_edit", args=[sheet.pk])
    with_check_rows(2)
    staff.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as two_rows:
        assert staff.get(url).status_code == 200
    with_check_rows(20)
    with django_assert_max_num_queries(len(two_rows.captured_queries)):
        page = staff.get(url)
    assert page.context["form"].check_formset.total_form_count() == 21  # 20 rows and one to add


def test_typed_values_recompute_the_cumulative_and_a_over_b_live(staff, okinawa_sheets):
    consultations = okinawa_sheets[2]
    page = staff.get(reverse("sheets:initiative_edit", args=[consultations.pk]))
    ctx = page.context["ctx"]
    names = _keys(ctx)
    data = _page_data(
        page.context["form"],
        **{
            f"main-plan_{names['ind']}_{names['p2']}": "２，０００",
            f"main-actual_{names['ind']}_{names['s']}": "900",
        },
    )
    fragment = staff.post(reverse("sheets:initiative_recalc", args=[consultations.pk]), data).content.decode()
    compact = " ".join(fragment.split())
    assert f'id="plan-cum-{names["ind"]}-2"' in compact  # R5 （累計）, swapped out of band
    assert ">3,800件</output>" in compact  # 1,800 + 2,000
    assert "50.0%" in fragment and "900件" in fragment
    # nothing saved
    assert initiative_sheet_context(sheet_id=consultations.pk).result_rows[0].rate.text == "100.0%"
