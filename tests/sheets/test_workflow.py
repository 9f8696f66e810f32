"""The yearly cycle: review transitions, year lock with frozen outputs, rollover, history, progress."""

import subprocess

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from indicators.choices import CostBasis
from indicators.models import CostRecord
from sheets.choices import FormType, SheetStatus
from sheets.demo_policy import kamakura_policy_demo_load
from sheets.models import (
    EvaluationSheet,
    FiscalYear,
    NarrativeBlock,
    Organization,
    Program,
    SheetSnapshot,
    SheetTransition,
)
from sheets.services.workflow import Action, allowed_actions, sheet_transition
from sheets.services.year import fiscal_year_lock, fiscal_year_unlock, rollover


def _user(django_user_model, name):
    return django_user_model.objects.get(username=name)


def _post(client, sheet, action, comment=""):
    return client.post(reverse("sheets:transition", args=[sheet.pk]), {"action": action, "comment": comment})


def _status(sheet):
    sheet.refresh_from_db()
    return sheet.status


def test_the_review_cycle_through_the_pages(demo_sheet, client, login_as):
    login_as("staff")
    page = client.get(reverse("sheets:detail", args=[demo_sheet.pk])).content.decode()
    assert 'data-testid="action-submit"' in page and 'data-testid="action-approve"' not in page
    assert _post(client, demo_sheet, "submit").status_code == 302
    assert _status(demo_sheet) == SheetStatus.SUBMITTED
    # Submitted: staff can no longer edit, nor approve their own sheet.
    assert client.get(reverse("sheets:edit", args=[demo_sheet.pk])).status_code == 403
    assert _post(client, demo_sheet, "approve").status_code == 403
    assert _status(demo_sheet) == SheetStatus.SUBMITTED

    login_as("evaluator")
    response = client.post(
        reverse("sheets:transition", args=[demo_sheet.pk]), {"action": "return", "comment": ""}, follow=True
    )
    assert "差し戻す理由を入力してください" in response.content.decode()
    assert _status(demo_sheet) == SheetStatus.SUBMITTED
    _post(client, demo_sheet, "return", "指標の説明を補ってください。")
    assert _status(demo_sheet) == SheetStatus.RETURNED

    login_as("staff")
    assert client.get(reverse("sheets:edit", args=[demo_sheet.pk])).status_code == 200
    _post(client, demo_sheet, "submit")
    login_as("evaluator")
    _post(client, demo_sheet, "approve")
    assert _status(demo_sheet) == SheetStatus.APPROVED
    assert client.get(reverse("sheets:edit", args=[demo_sheet.pk])).status_code == 403

    # Publishing is the administrator's.
    assert _post(client, demo_sheet, "publish").status_code == 403
    login_as("admin")
    _post(client, demo_sheet, "publish")
    assert _status(demo_sheet) == SheetStatus.PUBLISHED
    steps = list(
        SheetTransition.objects.filter(sheet=demo_sheet).values_list("action", "by__username", "comment")
    )
    assert steps == [
        ("submit", "staff", ""),
        ("return", "evaluator", "指標の説明を補ってください。"),
        ("submit", "staff", ""),
        ("approve", "evaluator", ""),
        ("publish", "admin", ""),
    ]
    history = client.get(reverse("sheets:history", args=[demo_sheet.pk])).content.decode()
    assert "指標の説明を補ってください。" in history


def test_reopening_needs_a_reason_and_returns_the_sheet(demo_sheet, django_user_model):
    staff, evaluator = _user(django_user_model, "staff"), _user(django_user_model, "evaluator")
    sheet_transition(sheet=demo_sheet, action="submit", by=staff)
    sheet_transition(sheet=demo_sheet, action="approve", by=evaluator)
    with pytest.raises(ValidationError):
        sheet_transition(sheet=demo_sheet, action="reopen", by=evaluator)
    with pytest.raises(PermissionDenied):
        sheet_transition(sheet=demo_sheet, action="reopen", by=staff, comment="誤り")
    sheet_transition(sheet=demo_sheet, action="reopen", by=evaluator, comment="人件費の誤りを直すため")
    assert _status(demo_sheet) == SheetStatus.RETURNED


def test_a_transition_bumps_the_version_so_an_open_editor_is_stale(demo_sheet, django_user_model):
    version = demo_sheet.version
    sheet_transition(sheet=demo_sheet, action="submit", by=_user(django_user_model, "staff"))
    demo_sheet.refresh_from_db()
    assert demo_sheet.version == version + 1


@pytest.mark.parametrize("username", ["auditor", "policy_owner"])
def test_readers_get_no_actions_on_program_sheets(demo_sheet, django_user_model, username):
    assert allowed_actions(_user(django_user_model, username), demo_sheet) == []


def test_another_municipality_cannot_see_an_unpublished_sheet_but_sees_it_published(
    demo_sheet, kunitachi_sheet, client, login_as, django_user_model
):
    login_as("kni_staff")
    url = reverse("sheets:detail", args=[demo_sheet.pk])
    assert client.get(url).status_code == 403
    assert "ひきこもり対策推進事業" not in client.get(reverse("sheets:list") + "?year=2025").content.decode()
    EvaluationSheet.objects.filter(pk=demo_sheet.pk).update(status=SheetStatus.PUBLISHED)
    assert client.get(url).status_code == 200
    assert _post(client, demo_sheet, "reopen", "x").status_code == 403


def _approve_all(year, django_user_model):
    admin = _user(django_user_model, "admin")
    for sheet in EvaluationSheet.objects.filter(evaluation_fy=year, organization__lg_code="142042"):
        for action in (Action.SUBMIT, Action.APPROVE):
            sheet_transition(sheet=sheet, action=action, by=admin)
    return admin


def test_locking_a_year_freezes_the_sheets_and_their_outputs(
    demo_sheet, client, login_as, django_user_model, tmp_path
):
    kamakura = Organization.objects.get(lg_code="142042")
    admin = _user(django_user_model, "admin")
    with pytest.raises(ValidationError, match="承認されていないシート"):
        fiscal_year_lock(organization=kamakura, evaluation_fy=2025, by=admin)
    _approve_all(2025, django_user_model)
    with pytest.raises(PermissionDenied):
        fiscal_year_lock(organization=kamakura, evaluation_fy=2025, by=_user(django_user_model, "evaluator"))
    fiscal_year_lock(organization=kamakura, evaluation_fy=2025, by=admin)
    demo_sheet.refresh_from_db()
    assert demo_sheet.locked_at is not None and SheetSnapshot.objects.filter(sheet=demo_sheet).exists()
    assert demo_sheet.frozen_values["form_type"] == FormType.KAMAKURA_PROGRAM

    # Linked data changes after locking: the locked page, PDF and workbook do not.
    for cost in CostRecord.objects.filter(
        program__parent__code="健福-17", fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount__isnull=False
    ):
        cost.amount += 1000
        cost.save()
    login_as("staff")
    page = client.get(reverse("sheets:detail", args=[demo_sheet.pk])).content.decode()
    assert "1,356" in page and "確定済" in page
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(client.get(reverse("sheets:pdf", args=[demo_sheet.pk])).content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "1,356" in text
    assert client.get(reverse("sheets:edit", args=[demo_sheet.pk])).status_code == 403
    assert allowed_actions(admin, demo_sheet) == []

    with pytest.raises(ValidationError):
        fiscal_year_unlock(organization=kamakura, evaluation_fy=2025, by=admin, reason="")
    fiscal_year_unlock(organization=kamakura, evaluation_fy=2025, by=admin, reason="決算額の訂正")
    demo_sheet.refresh_from_db()
    assert demo_sheet.locked_at is None
    assert "1,356" not in client.get(reverse("sheets:detail", args=[demo_sheet.pk])).content.decode()


def test_rollover_creates_next_years_sheets_once_and_carries_what_the_forms_carry(demo, django_user_model):
    policy_sheet = kamakura_policy_demo_load()
    kamakura = Organization.objects.get(lg_code="142042")
    admin = _user(django_user_model, "admin")
    ended = Program.objects.get(code="健福-05")
    ended.valid_to_fy = 2024
    ended.save()
    NarrativeBlock.objects.filter(sheet=policy_sheet, section_key="002.9").delete()
    department = policy_sheet.signatories.first().org_unit
    NarrativeBlock.objects.create(
        sheet=policy_sheet, section_key="002.9", org_unit=department, text="来年度の目標"
    )

    result = rollover(organization=kamakura, from_fy=2025, to_fy=2026, by=admin)
    codes = sorted(str(s.subject.code) for s in result.created)
    assert codes == sorted(["健福-17", "健福-18", "4-(1)-①"])
    assert result.ended == [str(ended)]
    new_policy = EvaluationSheet.objects.get(form_type=FormType.KAMAKURA_POLICY, evaluation_fy=2026)
    assert NarrativeBlock.objects.get(sheet=new_policy, section_key="002.1").text == "来年度の目標"
    new_sheet = EvaluationSheet.objects.get(program__code="健福-17", evaluation_fy=2026)
    assert new_sheet.status == SheetStatus.DRAFT
    program = new_sheet.program
    assert program.policy_links.filter(fiscal_year=2025).exists()
    assert program.staff_allocations.filter(fiscal_year=2026).exists()
    assert FiscalYear.objects.filter(organization=kamakura, evaluation_fy=2026).exists()

    again = rollover(organization=kamakura, from_fy=2025, to_fy=2026, by=admin)
    assert again.created == [] and again.existing == 3
    assert EvaluationSheet.objects.filter(evaluation_fy=2026).count() == 3


def test_rollover_command(demo, capsys):
    from django.core.management import call_command

    call_command("rollover", "--from", "R7", "--to", "2026", "--organization", "142042")
    assert "3 件" in capsys.readouterr().out
    call_command("rollover", "--from", "2025", "--to", "2026", "--organization", "142042")
    assert "0 件" in capsys.readouterr().out


def test_history_shows_who_changed_what(demo_sheet, client, login_as, django_user_model):
    from indicators.choices import ValueType
    from indicators.models import IndicatorValue
    from sheets.history import acting_as

    staff = _user(django_user_model, "staff")
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    )
    with acting_as(staff):
        value.value = 66
        value.save()
    login_as("auditor")
    page = client.get(reverse("sheets:history", args=[demo_sheet.pk])).content.decode()
    assert "60.00 → 66" in page and staff.last_name in page


def test_history_page_query_count_is_constant(demo_sheet, client, login_as, django_assert_max_num_queries):
    from tests.factories import add_sub_programs

    login_as("auditor")
    url = reverse("sheets:history", args=[demo_sheet.pk])
    with django_assert_max_num_queries(60) as few:
        client.get(url)
    add_sub_programs(demo_sheet.program, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_progress_overview_counts_and_lists_untouched_sheets(demo_sheet, client, login_as, django_user_model):
    sheet_transition(sheet=demo_sheet, action="submit", by=_user(django_user_model, "staff"))
    login_as("evaluator")
    page = client.get(reverse("sheets:progress") + "?year=2025").content.decode()
    assert "健康福祉部" in page and "行政評価シート【個表】" in page
    login_as("staff")
    assert client.get(reverse("sheets:progress")).status_code == 403


def test_history_includes_the_peer_comparisons(demo_sheet, client, login_as, django_user_model):
    from benchmarks.models import BenchmarkEntry
    from benchmarks.services import benchmark_entry_save
    from sheets.history import acting_as

    entry = BenchmarkEntry.objects.filter(comparison__sheet=demo_sheet, is_self=False).first()
    with acting_as(_user(django_user_model, "staff")):
        entry.value_text = "14人/84人/56回"
        benchmark_entry_save(entry=entry)
    login_as("auditor")
    page = client.get(reverse("sheets:history", args=[demo_sheet.pk])).content.decode()
    assert "14人/84人/56回" in page


def test_the_approving_evaluator_signs_as_評価者(demo_sheet, django_user_model):
    from sheets.models import SheetSignatory
    from sheets.selectors.program_sheet import program_sheet_context

    evaluator = _user(django_user_model, "evaluator")
    evaluator.last_name, evaluator.first_name = "鈴木", "次郎"
    evaluator.save()
    before = SheetSignatory.objects.filter(sheet=demo_sheet).count()
    sheet_transition(sheet=demo_sheet, action=Action.SUBMIT, by=_user(django_user_model, "staff"))
    sheet_transition(sheet=demo_sheet, action=Action.APPROVE, by=evaluator)

    assert SheetSignatory.objects.filter(sheet=demo_sheet).count() == before  # the 課長's line, replaced
    assert program_sheet_context(sheet_id=demo_sheet.pk).evaluators == ["生活福祉課長　鈴木　次郎"]


def test_an_administrator_approving_leaves_the_評価者_as_entered(demo_sheet, django_user_model):
    from sheets.selectors.program_sheet import program_sheet_context

    sheet_transition(sheet=demo_sheet, action=Action.SUBMIT, by=_user(django_user_model, "staff"))
    sheet_transition(sheet=demo_sheet, action=Action.APPROVE, by=_user(django_user_model, "admin"))
    assert program_sheet_context(sheet_id=demo_sheet.pk).evaluators == ["生活福祉課長　山田　花子"]
