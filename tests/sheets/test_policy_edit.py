"""Editing a 行政評価シート（施策の方針）: header, 評価者, texts per department and the §3 evaluations."""

import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sheets.choices import CONTRIBUTION, DIRECTION, FormType, OrgUnitKind, Role, SheetStatus
from sheets.demo_policy import kamakura_policy_demo_load
from sheets.exports import sheet_export
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    Membership,
    NarrativeBlock,
    OrgUnit,
    PolicyNode,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    SheetSignatory,
)
from sheets.selectors import policy_sheet_context
from sheets.services import (
    PolicySheetInput,
    ProgramEvaluationInput,
    StaleSheetError,
    policy_sheet_edit_state,
    policy_sheet_save,
)
from tests.factories import CostRecordFactory, ProgramFactory

FINAL_MISSING = "健福-17 ひきこもり対策推進事業: 最終評価を選択してください。"
CARRIED_NOTE = "前年度の９．今年度の目標から引き継ぎました"


def _option(key, code):
    return ChoiceOption.objects.get(choice_set__key=key, choice_set__organization__isnull=True, code=code)


def _unit(name):
    return OrgUnit.objects.get(organization__lg_code="142042", name=name)


@pytest.fixture
def policy_sheet(demo):
    sheet = kamakura_policy_demo_load()
    # The demo policy node is led by 健康福祉部 (its policy owner edits it); here the demo staff's unit
    # leads it so that the tests can also edit as staff.
    PolicyNode.objects.filter(pk=sheet.policy_node_id).update(lead_unit=_unit("生活福祉課"))
    return sheet


@pytest.fixture
def staff(client, login_as, policy_sheet):
    login_as("staff")
    return client


def _url(sheet):
    return reverse("sheets:policy_edit", args=[sheet.pk])


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
    add(form.signatories.management_form)
    for row in form.signatories.forms:
        add(row)
    data.update({k: str(v) for k, v in changes.items()})
    return data


def _snapshot(sheet) -> dict:
    """Everything the edit page may write, to compare before and after a post."""
    sheet.refresh_from_db()
    return {
        "sheet": (sheet.sheet_date, sheet.version),
        "signatories": sorted(
            SheetSignatory.objects.filter(sheet=sheet).values_list(
                "pk", "org_unit_id", "title", "person_name"
            )
        ),
        "narratives": sorted(
            NarrativeBlock.objects.filter(sheet=sheet).values_list("section_key", "org_unit_id", "text")
        ),
        "evaluations": sorted(
            ProgramPolicyEvaluation.objects.filter(sheet=sheet).values_list(
                "program_id", "order", "program_evaluation_id", "contribution_id", "final_evaluation_id"
            )
        ),
    }


def _program_pk(sheet, code):
    return ProgramPolicyEvaluation.objects.get(sheet=sheet, program__code=code).program_id


def _narrative_field(key, department):
    return f"main-narrative_{key.replace('.', '_')}_{department.pk}"


def _pdf_text(sheet, tmp_path) -> str:
    path = tmp_path / "policy.pdf"
    path.write_bytes(sheet_export(sheet, "pdf").content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


# ---- access -------------------------------------------------------------------------------------


def test_edit_page_opens_for_the_lead_unit_and_the_sheet_offers_it(staff, policy_sheet):
    response = staff.get(_url(policy_sheet))
    assert response.status_code == 200
    body = response.content.decode()
    assert "ひきこもり対策推進事業" in body
    assert "令和7年6月4日" in body  # 作成日 in 和暦
    assert response.context["form"].signatories.total_form_count() == 3
    detail = staff.get(reverse("sheets:detail", args=[policy_sheet.pk])).content.decode()
    assert _url(policy_sheet) in detail


def test_a_user_of_another_unit_is_refused(client, django_user_model, policy_sheet):
    other = django_user_model.objects.create_user("kyosei_staff")
    Membership.objects.create(
        user=other, organization=policy_sheet.organization, org_unit=_unit("地域共生課"), role=Role.STAFF
    )
    client.force_login(other)
    assert client.get(_url(policy_sheet)).status_code == 403
    assert client.post(_url(policy_sheet), {}).status_code == 403
    detail = client.get(reverse("sheets:detail", args=[policy_sheet.pk])).content.decode()
    assert _url(policy_sheet) not in detail


def test_the_policy_owner_of_the_lead_unit_edits_the_policy_sheet_not_program_sheets(
    client, login_as, demo, demo_sheet
):
    sheet = kamakura_policy_demo_load()
    login_as("policy_owner")
    assert client.get(_url(sheet)).status_code == 200
    assert client.get(reverse("sheets:edit", args=[demo_sheet.pk])).status_code == 403


def test_an_approved_sheet_is_refused(staff, policy_sheet):
    EvaluationSheet.objects.filter(pk=policy_sheet.pk).update(status=SheetStatus.APPROVED)
    assert staff.get(_url(policy_sheet)).status_code == 403
    assert staff.post(_url(policy_sheet), {}).status_code == 403


def test_the_policy_edit_url_only_serves_policy_sheets(staff, demo_sheet):
    assert staff.get(_url(demo_sheet)).status_code == 404


# ---- saving -------------------------------------------------------------------------------------


def test_round_trip_changes_exactly_what_was_posted(staff, policy_sheet, tmp_path):
    url = _url(policy_sheet)
    page = staff.get(url)
    health, civic = _unit("健康福祉部"), _unit("市民生活部")
    kenpuku17 = _program_pk(policy_sheet, "健福-17")
    before = _snapshot(policy_sheet)
    data = _page_data(
        page.context["form"],
        **{
            _narrative_field("002.4", health): "居場所を週２回に増やした。",
            f"main-final_evaluation_{kenpuku17}": _option(DIRECTION, "maintain").pk,
            "sig-TOTAL_FORMS": 4,
            "sig-3-org_unit": civic.pk,
            "sig-3-title": "市民生活部長",
            "sig-3-person_name": "山田　花子",
        },
    )
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["summary"]
    assert response.url == reverse("sheets:detail", args=[policy_sheet.pk])

    after = _snapshot(policy_sheet)
    assert after["sheet"] == (before["sheet"][0], before["sheet"][1] + 1)
    policy_sheet.refresh_from_db()
    assert policy_sheet.updated_by.username == "staff"
    new_signatories = set(after["signatories"]) - set(before["signatories"])
    assert set(before["signatories"]) <= set(after["signatories"])
    assert [(s[1], s[2], s[3]) for s in new_signatories] == [(civic.pk, "市民生活部長", "山田　花子")]
    old_text = dict(((k, u), t) for k, u, t in before["narratives"])[("002.4", health.pk)]
    assert set(before["narratives"]) - set(after["narratives"]) == {("002.4", health.pk, old_text)}
    assert set(after["narratives"]) - set(before["narratives"]) == {
        ("002.4", health.pk, "居場所を週２回に増やした。")
    }
    changed = set(after["evaluations"]) - set(before["evaluations"])
    assert [(row[0], row[4]) for row in changed] == [(kenpuku17, _option(DIRECTION, "maintain").pk)]
    assert len(after["evaluations"]) == len(before["evaluations"])

    detail = staff.get(response.url)
    messages = [str(m) for m in detail.context["messages"]]
    assert "保存しました。" in messages
    body = detail.content.decode()
    assert "居場所を週２回に増やした。" in body
    assert "市民生活部長　山田　花子" in body
    row = next(r for r in policy_sheet_context(sheet_id=policy_sheet.pk).program_rows if r.code == "健福-17")
    assert (row.program_evaluation, row.final_evaluation) == ("拡充", "現状維持")

    text = _pdf_text(policy_sheet, tmp_path)
    assert "居場所を週２回に増やした。" in text
    assert "山田　花子" in text or "山田 花子" in text
    assert "市民生活部" in text
    kenpuku17_line = next(line for line in text.splitlines() if "健福-17" in line)
    assert "現状維持" in kenpuku17_line

    # The new department gets its text fields on the next visit.
    again = staff.get(url).context["form"]
    assert _narrative_field("002.9", civic).removeprefix("main-") in again.main.fields


def test_header_date_and_a_removed_signatory(staff, policy_sheet):
    page = staff.get(_url(policy_sheet))
    form = page.context["form"]
    data = _page_data(form, **{"main-sheet_date": "2025-06-10", "sig-1-DELETE": "on"})
    response = staff.post(_url(policy_sheet), data)
    assert response.status_code == 302, response.context["summary"]
    ctx = policy_sheet_context(sheet_id=policy_sheet.pk)
    assert ctx.sheet_date_label == "令和7年6月10日"
    assert [d for d, _person in ctx.evaluators] == ["共生共創部", "健康福祉部"]
    # The removed department's texts stay stored (shown again if it gets a 評価者 back).
    assert NarrativeBlock.objects.filter(sheet=policy_sheet, org_unit=_unit("こどもみらい部")).exists()


def test_program_evaluation_blank_shows_the_program_sheet_direction(staff, policy_sheet):
    kenpuku17 = _program_pk(policy_sheet, "健福-17")
    form = staff.get(_url(policy_sheet)).context["form"]
    field = form.main.fields[f"program_evaluation_{kenpuku17}"]
    assert field.choices[0] == ("", "個表どおり（拡充）")
    # Choosing an evaluation stores it; blank again goes back to the program sheet's direction.
    data = _page_data(form, **{f"main-program_evaluation_{kenpuku17}": _option(DIRECTION, "improve").pk})
    assert staff.post(_url(policy_sheet), data).status_code == 302
    evaluation = ProgramPolicyEvaluation.objects.get(sheet=policy_sheet, program_id=kenpuku17)
    assert evaluation.program_evaluation.label == "改善・変更"
    form = staff.get(_url(policy_sheet)).context["form"]
    data = _page_data(form, **{f"main-program_evaluation_{kenpuku17}": ""})
    assert staff.post(_url(policy_sheet), data).status_code == 302
    row = next(r for r in policy_sheet_context(sheet_id=policy_sheet.pk).program_rows if r.code == "健福-17")
    assert row.program_evaluation == "拡充"


def test_missing_final_evaluation_is_refused_in_japanese_and_writes_nothing(staff, policy_sheet):
    kenpuku17 = _program_pk(policy_sheet, "健福-17")
    page = staff.get(_url(policy_sheet))
    before = _snapshot(policy_sheet)
    data = _page_data(
        page.context["form"],
        **{
            f"main-final_evaluation_{kenpuku17}": "",
            _narrative_field("002.8", _unit("健康福祉部")): "保存されないはずの記述",
        },
    )
    response = staff.post(_url(policy_sheet), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert FINAL_MISSING in body
    assert "保存されないはずの記述" in body  # the typed text is shown again
    assert _snapshot(policy_sheet) == before


def test_the_service_refuses_a_missing_final_evaluation_too(policy_sheet, django_user_model):
    state = policy_sheet_edit_state(sheet_id=policy_sheet.pk)
    kenpuku17 = _program_pk(policy_sheet, "健福-17")
    rows = tuple(
        ProgramEvaluationInput(r.program_id, r.program_evaluation_id, r.contribution_id, None)
        if r.program_id == kenpuku17
        else r
        for r in state.data.program_evaluations
    )
    before = _snapshot(policy_sheet)
    data = PolicySheetInput(sheet_date=None, signatories=(), narratives={}, program_evaluations=rows)
    with pytest.raises(ValidationError) as raised:
        policy_sheet_save(
            sheet=policy_sheet,
            data=data,
            by=django_user_model.objects.get(username="staff"),
            expected_version=1,
        )
    assert raised.value.messages == [FINAL_MISSING]
    assert _snapshot(policy_sheet) == before  # the signatories and the date were not removed either


def test_foreign_choices_and_programs_are_refused(policy_sheet, django_user_model):
    state = policy_sheet_edit_state(sheet_id=policy_sheet.pk)
    editor = django_user_model.objects.get(username="staff")
    first = state.data.program_evaluations[0]
    expand = _option(DIRECTION, "expand").pk
    # A 事業評価 option given as 貢献度, and a program not linked to the policy node.
    wrong_choice = ProgramEvaluationInput(first.program_id, None, expand, expand)
    other_program = ProgramFactory(organization=policy_sheet.organization)
    foreign = ProgramEvaluationInput(other_program.pk, None, None, expand)
    for rows in ((wrong_choice,), (foreign,)):
        data = PolicySheetInput(
            sheet_date=state.data.sheet_date,
            signatories=state.data.signatories,
            narratives={},
            program_evaluations=rows,
        )
        with pytest.raises(ValidationError):
            policy_sheet_save(sheet=policy_sheet, data=data, by=editor, expected_version=1)
    assert policy_sheet_edit_state(sheet_id=policy_sheet.pk).data == state.data


def test_duplicate_department_is_refused_next_to_the_row(staff, policy_sheet):
    page = staff.get(_url(policy_sheet))
    before = _snapshot(policy_sheet)
    data = _page_data(page.context["form"], **{"sig-1-org_unit": _unit("健康福祉部").pk})
    response = staff.post(_url(policy_sheet), data)
    assert response.status_code == 200
    assert "健康福祉部の評価者が重複しています。" in response.content.decode()
    assert _snapshot(policy_sheet) == before


def test_a_stale_version_is_refused_and_the_typed_values_stay(staff, policy_sheet):
    url = _url(policy_sheet)
    page = staff.get(url)
    health = _unit("健康福祉部")
    field = _narrative_field("002.6", health)
    first = _page_data(page.context["form"], **{field: "一人目の分析"})
    assert staff.post(url, first).status_code == 302
    saved = _snapshot(policy_sheet)

    second = _page_data(page.context["form"], **{field: "二人目の分析"})  # still version 1
    response = staff.post(url, second)
    assert response.status_code == 200
    body = response.content.decode()
    assert "他の利用者が先に保存しました" in body
    assert "二人目の分析" in body
    assert _snapshot(policy_sheet) == saved
    # The page now carries the stored version: saving again is an informed overwrite.
    form = response.context["form"]
    assert form.main["version"].value() == "2"
    assert staff.post(url, _page_data(form)).status_code == 302
    text = NarrativeBlock.objects.get(sheet=policy_sheet, section_key="002.6", org_unit=health).text
    assert text == "二人目の分析"


def test_stale_service_call_raises(policy_sheet, django_user_model):
    state = policy_sheet_edit_state(sheet_id=policy_sheet.pk)
    editor = django_user_model.objects.get(username="staff")
    policy_sheet_save(sheet=policy_sheet, data=state.data, by=editor, expected_version=1)
    with pytest.raises(StaleSheetError):
        policy_sheet_save(sheet=policy_sheet, data=state.data, by=editor, expected_version=1)
    policy_sheet.refresh_from_db()
    assert policy_sheet.version == 2


# ---- §1 carried over from last year's §9 ----------------------------------------------------------


def test_section1_starts_from_last_years_section9_and_is_saved_as_its_own(staff, policy_sheet):
    health = _unit("健康福祉部")
    last_year = EvaluationSheet.objects.create(
        organization=policy_sheet.organization,
        form_type=FormType.KAMAKURA_POLICY,
        evaluation_fy=2024,
        policy_node=policy_sheet.policy_node,
    )
    NarrativeBlock.objects.create(
        sheet=last_year, section_key="002.9", org_unit=health, text="昨年度に立てた今年度の目標"
    )
    NarrativeBlock.objects.filter(sheet=policy_sheet, section_key="002.1", org_unit=health).delete()

    page = staff.get(_url(policy_sheet))
    form = page.context["form"]
    assert (
        form.main[_narrative_field("002.1", health).removeprefix("main-")].value()
        == "昨年度に立てた今年度の目標"
    )
    body = page.content.decode()
    assert CARRIED_NOTE in body
    assert body.count(CARRIED_NOTE) == 1  # only the department whose §1 is empty

    assert staff.post(_url(policy_sheet), _page_data(form)).status_code == 302
    own = NarrativeBlock.objects.get(sheet=policy_sheet, section_key="002.1", org_unit=health)
    assert own.text == "昨年度に立てた今年度の目標"
    # Last year's sheet changing later no longer changes this year's §1.
    NarrativeBlock.objects.filter(sheet=last_year).update(text="書き換えられた目標")
    entry = next(
        e for e in policy_sheet_context(sheet_id=policy_sheet.pk).section_1.entries if e.department == health
    )
    assert (entry.text, entry.carried_over) == ("昨年度に立てた今年度の目標", False)
    assert CARRIED_NOTE not in staff.get(_url(policy_sheet)).content.decode()


# ---- query counts -------------------------------------------------------------------------------


def _policy_with_programs(policy_sheet, count) -> EvaluationSheet:
    """A fresh policy node led by the demo staff's unit, with ``count`` linked and evaluated programs."""
    base = policy_sheet.policy_node
    node = PolicyNode.objects.create(
        plan=base.plan,
        parent=base.parent,
        level=base.level,
        code=f"9-(9)-{count}",
        name="テスト施策",
        lead_unit=_unit("生活福祉課"),
    )
    sheet = EvaluationSheet.objects.create(
        organization=policy_sheet.organization,
        form_type=FormType.KAMAKURA_POLICY,
        evaluation_fy=2025,
        policy_node=node,
    )
    for department in ("健康福祉部", "共生共創部"):
        SheetSignatory.objects.create(
            sheet=sheet, org_unit=_unit(department), title=f"{department}長", person_name="試験　太郎"
        )
    expand, a = _option(DIRECTION, "expand"), _option(CONTRIBUTION, "Ａ")
    division = _unit("生活福祉課")
    for i in range(count):
        program = ProgramFactory(
            organization=policy_sheet.organization, owner_unit=division, name=f"試験事業{i}"
        )
        ProgramPolicyLink.objects.create(program=program, policy_node=node, fiscal_year=2024)
        CostRecordFactory(program=program, fiscal_year=2024, amount=10)
        ProgramPolicyEvaluation.objects.create(
            sheet=sheet, program=program, order=i, contribution=a, final_evaluation=expand
        )
    return sheet


def test_edit_page_queries_do_not_grow_with_the_programs(staff, policy_sheet, django_assert_max_num_queries):
    small, large = _policy_with_programs(policy_sheet, 2), _policy_with_programs(policy_sheet, 40)
    assert OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT, organization=small.organization).count() == 5
    staff.get(_url(small))  # warm the session
    with CaptureQueriesContext(connection) as get_small:
        page = staff.get(_url(small))
    assert page.status_code == 200
    with django_assert_max_num_queries(len(get_small.captured_queries)):
        page_large = staff.get(_url(large))
    assert page_large.status_code == 200
    assert page_large.content.decode().count("<td>試験事業") == 40

    maintain = _option(DIRECTION, "maintain").pk

    def post(sheet, page):
        form = page.context["form"]
        program_id = form.ctx.program_rows[0].program.pk
        data = _page_data(form, **{f"main-final_evaluation_{program_id}": maintain})
        return staff.post(_url(sheet), data)

    with CaptureQueriesContext(connection) as post_small:
        assert post(small, page).status_code == 302
    with django_assert_max_num_queries(len(post_small.captured_queries)):
        assert post(large, page_large).status_code == 302
    assert ProgramPolicyEvaluation.objects.filter(sheet=large, final_evaluation_id=maintain).count() == 1
