"""Editing a 「主な取組」検証票: one atomic save with optimistic locking, through the service and the page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sheets.choices import SheetStatus
from sheets.models import (
    CheckFactor,
    ChoiceOption,
    ImprovementPlan,
    ImprovementReflection,
    OkinawaInitiativeSheet,
)
from sheets.selectors import initiative_sheet_context
from sheets.services import (
    InitiativeSheetInput,
    ReflectionInput,
    StaleSheetError,
    TypedRowInput,
    initiative_sheet_save,
)


def _option(key, code):
    return ChoiceOption.objects.get(choice_set__key=key, choice_set__organization__isnull=True, code=code)


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


def test_edit_page_saves_through_the_form(client, login_as, sheet):
    login_as("oki_staff")
    url = reverse("sheets:initiative_edit", args=[sheet.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    ctx = page.context["ctx"]
    data = {
        "main-version": 1,
        "main-progress_status": ctx.progress_status.pk,
        "main-status_basis": "画面から",
    }
    data[f"main-reflection_{ctx.reflections[0].source_plan_id}"] = "画面からの反映状況"
    for formset, rows in ((form.check_formset, ctx.check_rows), (form.action_formset, ctx.action_rows)):
        prefix = formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)})
        for i, row in enumerate(rows):
            data.update(
                {
                    f"{prefix}-{i}-pk": row.pk,
                    f"{prefix}-{i}-type_id": row.option.pk,
                    f"{prefix}-{i}-content": row.content,
                }
            )
    data["check-1-DELETE"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].main.errors
    assert OkinawaInitiativeSheet.objects.get(sheet=sheet).status_basis == "画面から"
    assert ImprovementReflection.objects.get(sheet=sheet).reflection_text == "画面からの反映状況"
    assert CheckFactor.objects.filter(sheet=sheet).count() == 1


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
