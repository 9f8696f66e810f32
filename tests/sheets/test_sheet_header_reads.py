"""The merged reads of the 個表 header and §5(2) give what the plain queries give.

The primary policy link and the related units come from one query of the program, and the viewpoint
questions with the sheet's answers from one ``select_related`` query; each is checked here against
the plain read it replaces.
"""

import pytest

from sheets.models import (
    ChoiceOption,
    OrgUnit,
    PolicyNode,
    ProgramPolicyLink,
    ProgramRelatedUnit,
    ViewpointAnswer,
    ViewpointQuestion,
)
from sheets.selectors import program_sheet as program_selectors

pytestmark = pytest.mark.django_db


def _plain_labels(program, fiscal_year):
    link = (
        ProgramPolicyLink.objects.filter(program=program, fiscal_year__lte=fiscal_year, is_primary=True)
        .select_related("policy_node__parent")
        .order_by("-fiscal_year")
        .first()
    )
    if link is None:
        return "", ""
    node = link.policy_node
    return (str(node.parent) if node.parent else ""), str(node)


def _plain_related_units(program):
    return [
        r.org_unit.name for r in ProgramRelatedUnit.objects.filter(program=program).order_by("order", "id")
    ]


def test_labels_are_the_latest_primary_link_up_to_the_year_and_units_in_their_order(demo_sheet):
    program, e = demo_sheet.program, demo_sheet.evaluation_fy
    current = (
        ProgramPolicyLink.objects.filter(program=program, is_primary=True).order_by("-fiscal_year").first()
    )
    node = current.policy_node
    other = PolicyNode.objects.create(
        plan=node.plan, parent=node.parent, level=node.level, code="9-(9)-⑨", name="試験の施策"
    )
    # A later primary link (not yet valid), a secondary one of the year: neither changes the labels.
    ProgramPolicyLink.objects.create(program=program, policy_node=other, fiscal_year=e + 1, is_primary=True)
    ProgramPolicyLink.objects.filter(program=program, fiscal_year=e, is_primary=False).delete()
    ProgramPolicyLink.objects.create(program=program, policy_node=other, fiscal_year=e, is_primary=False)
    # Units printed by their order, whatever their ids.
    units = list(
        OrgUnit.objects.filter(organization=program.organization).exclude(pk=program.owner_unit_id)[:3]
    )
    ProgramRelatedUnit.objects.filter(program=program).delete()
    for order, unit in zip((3, 1, 2), units, strict=True):
        ProgramRelatedUnit.objects.create(program=program, org_unit=unit, order=order)

    field_label, policy_label, related = program_selectors._policy_labels_and_related_units(program, e)

    assert (field_label, policy_label) == _plain_labels(program, e) != ("", "")
    assert related == _plain_related_units(program) == [units[1].name, units[2].name, units[0].name]
    # In the year of the later link it is that link's node.
    assert program_selectors._policy_labels_and_related_units(program, e + 1)[:2] == (
        str(other.parent),
        str(other),
    )


def test_no_link_and_no_unit_give_blanks(demo_sheet):
    program = demo_sheet.program
    ProgramRelatedUnit.objects.filter(program=program).delete()
    assert program_selectors._policy_labels_and_related_units(program, 1990) == ("", "", [])


def test_viewpoints_are_the_questions_with_the_sheets_answers(demo_sheet):
    questions = list(
        ViewpointQuestion.objects.filter(
            organization_id=demo_sheet.organization_id, valid_from_fy__lte=demo_sheet.evaluation_fy
        ).order_by("order", "id")
    )
    assert len(questions) >= 3
    answers = ViewpointAnswer.objects.filter(sheet=demo_sheet)
    # One question unanswered, one answered by text only, one with a child option.
    answers.filter(question=questions[0]).delete()
    answers.filter(question=questions[1]).update(option=None, free_text="記述のみ")
    child = ChoiceOption.objects.filter(parent__isnull=False).first()
    assert child is not None  # the demo's lists have sub-options
    ViewpointAnswer.objects.update_or_create(
        sheet=demo_sheet, question=questions[2], defaults={"option": child, "free_text": ""}
    )

    rows = program_selectors._viewpoints(demo_sheet)

    by_question = {a.question_id: a for a in ViewpointAnswer.objects.filter(sheet=demo_sheet)}
    expected = [
        (
            q.pk,
            getattr(by_question.get(q.pk), "option_id", None),
            getattr(by_question.get(q.pk), "free_text", ""),
        )
        for q in questions
    ]
    assert [(r.question.pk, r.option.pk if r.option else None, r.free_text) for r in rows] == expected
    assert rows[0].option is None and rows[0].answer_text == "" and rows[0].free_text == ""
    assert rows[1].option is None and rows[1].free_text == "記述のみ"
    parent = child.parent
    assert rows[2].answer_text == f"{parent.code}.{parent.label}　{child.code}　{child.label}"
