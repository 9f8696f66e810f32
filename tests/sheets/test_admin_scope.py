"""The Django admin for a municipal administrator (kni_admin, 国立市): their own rows, nothing else."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from indicators.models import PersonnelUnitCost, StaffCategory
from sheets.choices import OrgUnitKind, Role
from sheets.models import (
    ChoiceSet,
    EvaluationSheet,
    Membership,
    Organization,
    OrgUnit,
    Plan,
    PolicyNode,
    Program,
)

KAMAKURA, KUNITACHI = "142042", "132152"
LOGIN = 302


@pytest.fixture
def orgs(all_demos, db):
    return Organization.objects.get(lg_code=KAMAKURA), Organization.objects.get(lg_code=KUNITACHI)


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def _change(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _add(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def test_the_demo_municipal_administrator_is_staff_but_not_superuser(orgs):
    user = get_user_model().objects.get(username="kni_admin")
    assert user.is_staff and not user.is_superuser and user.check_password("demo-pass-2025")
    assert Membership.objects.filter(user=user, organization=orgs[1], role=Role.ADMINISTRATOR).exists()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff  # the demo superuser stays as it was


def test_giving_the_administrator_role_opens_the_admin(orgs):
    user = get_user_model().objects.create_user("new_admin", password="x")
    Membership.objects.create(user=user, organization=orgs[1], role=Role.STAFF)
    user.refresh_from_db()
    assert not user.is_staff
    Membership.objects.create(user=user, organization=orgs[1], role=Role.ADMINISTRATOR)
    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser


def test_index_lists_the_municipal_models_only(orgs, client, login_as):
    login_as("kni_admin")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    content = response.content.decode()
    for model in (Organization, OrgUnit, Membership, Plan, PolicyNode, Program, ChoiceSet):
        assert _changelist(model) in content
    for model in (PersonnelUnitCost, StaffCategory):
        assert _changelist(model) in content
    assert reverse("admin:sheets_sizeclass_changelist") not in content
    assert reverse("admin:auth_user_changelist") not in content
    assert "鎌倉市" not in content


@pytest.mark.parametrize(
    ("model", "path"),
    [
        (OrgUnit, "organization"),
        (Program, "organization"),
        (Membership, "organization"),
        (PolicyNode, "plan__organization"),
        (Plan, "organization"),
        (Organization, "pk"),
        (EvaluationSheet, "organization"),
    ],
)
def test_changelists_hold_only_the_own_rows(orgs, client, login_as, model, path):
    kamakura, kunitachi = orgs
    login_as("kni_admin")
    response = client.get(_changelist(model))
    assert response.status_code == 200
    rows = list(response.context["cl"].queryset)
    assert rows
    owners = {row.pk if path == "pk" else _owner(row, path) for row in rows}
    assert owners == {kunitachi.pk}
    assert "鎌倉市" not in response.content.decode()  # nor in the related filters


def _owner(row, path):
    *hops, last = path.split("__")
    for hop in hops:
        row = getattr(row, hop)
    return getattr(row, f"{last}_id")


def test_unit_names_of_the_other_municipality_are_absent(orgs, client, login_as):
    login_as("kni_admin")
    content = client.get(_changelist(OrgUnit)).content.decode()
    assert "福祉総務課" in content
    assert "生活福祉課" not in content
    rows = client.get(_changelist(Membership)).context["cl"].queryset
    assert {m.user.username for m in rows} == {"kni_staff", "kni_evaluator", "kni_admin"}


def test_the_superuser_still_sees_every_municipality(orgs, client, login_as):
    login_as("admin")
    content = client.get(_changelist(OrgUnit)).content.decode()
    assert "福祉総務課" in content and "生活福祉課" in content
    rows = client.get(_changelist(Program)).context["cl"].queryset
    assert {p.organization_id for p in rows} >= {o.pk for o in orgs}
    assert client.get(reverse("admin:sheets_sizeclass_changelist")).status_code == 200


def test_another_municipalitys_object_cannot_be_opened(orgs, client, login_as):
    kamakura, _ = orgs
    login_as("kni_admin")
    objects = [
        kamakura,
        OrgUnit.objects.get(organization=kamakura, name="生活福祉課"),
        Program.objects.filter(organization=kamakura).first(),
        Membership.objects.filter(organization=kamakura).first(),
        PolicyNode.objects.filter(plan__organization=kamakura).first(),
        EvaluationSheet.objects.filter(organization=kamakura).first(),
    ]
    for obj in objects:
        for url in (_change(obj), _change(obj).replace("/change/", "/delete/"), _change(obj) + "history/"):
            response = client.get(url)
            # Not in the queryset: Django answers "does not exist" and goes back to the index.
            assert response.status_code in (302, 403, 404), url
            if response.status_code == 302:
                assert response.url == reverse("admin:index")
        assert client.post(_change(obj).replace("/change/", "/delete/"), {"post": "yes"}).status_code in (
            302,
            403,
            404,
        )
        assert type(obj).objects.filter(pk=obj.pk).exists()


def test_posting_the_other_municipalitys_id_is_refused(orgs, client, login_as):
    kamakura, kunitachi = orgs
    login_as("kni_admin")
    memberships, units = Membership.objects.count(), OrgUnit.objects.count()
    someone = get_user_model().objects.get(username="kni_staff")
    response = client.post(
        _add(Membership), {"user": someone.pk, "organization": kamakura.pk, "role": Role.ADMINISTRATOR}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors["organization"]
    unit = {"kind": OrgUnitKind.SECTION, "name": "X課"}
    response = client.post(_add(OrgUnit), {**unit, "organization": kamakura.pk})
    assert response.status_code == 200 and response.context["adminform"].form.errors["organization"]
    # A unit of the other municipality as parent, and a user of the other municipality, too.
    kamakura_unit = OrgUnit.objects.get(organization=kamakura, name="生活福祉課")
    response = client.post(
        _add(OrgUnit),
        {**unit, "organization": kunitachi.pk, "parent": kamakura_unit.pk},
    )
    assert response.context["adminform"].form.errors["parent"]
    evaluator = get_user_model().objects.get(username="evaluator")
    response = client.post(
        _add(Membership), {"user": evaluator.pk, "organization": kunitachi.pk, "role": Role.ADMINISTRATOR}
    )
    assert response.context["adminform"].form.errors["user"]
    assert (Membership.objects.count(), OrgUnit.objects.count()) == (memberships, units)


def test_the_own_municipality_can_be_edited(orgs, client, login_as):
    _, kunitachi = orgs
    login_as("kni_admin")
    parent = OrgUnit.objects.get(organization=kunitachi, name="健康福祉部")
    response = client.post(
        _add(OrgUnit),
        {
            "organization": kunitachi.pk,
            "parent": parent.pk,
            "kind": OrgUnitKind.SECTION,
            "name": "高齢者支援課",
            "order": 9,
        },
    )
    assert response.status_code == 302
    assert OrgUnit.objects.filter(organization=kunitachi, name="高齢者支援課").exists()

    form = client.get(_add(Membership)).context["adminform"].form
    assert set(form.fields["organization"].queryset) == {kunitachi}
    assert {u.organization_id for u in form.fields["org_unit"].queryset} == {kunitachi.pk}
    assert set(form.fields["user"].queryset.values_list("username", flat=True)) == {
        "kni_staff",
        "kni_evaluator",
        "kni_admin",
    }

    # Its own record: the name is editable, what identifies it is not.
    response = client.get(_change(kunitachi))
    assert response.status_code == 200
    assert "lg_code" not in response.context["adminform"].form.fields
    assert client.get(_add(Organization)).status_code == 403


def test_shared_choice_lists_are_readable_not_editable(orgs, client, login_as):
    login_as("kni_admin")
    shared = ChoiceSet.objects.filter(organization__isnull=True).first()
    response = client.get(_change(shared))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    response = client.post(_change(shared), {"key": shared.key, "label": "changed", "valid_from_fy": 2000})
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.label != "changed"
    # Nor can a new shared list be made: the organisation is required for them.
    response = client.post(_add(ChoiceSet), {"key": "NEW", "label": "新しい", "valid_from_fy": 2025})
    assert response.status_code == 200 and response.context["adminform"].form.errors["organization"]
    assert not ChoiceSet.objects.filter(key="NEW").exists()


def test_sheets_are_read_only_in_the_admin(orgs, client, login_as):
    _, kunitachi = orgs
    login_as("kni_admin")
    sheet = EvaluationSheet.objects.filter(organization=kunitachi).first()
    response = client.get(_change(sheet))
    assert response.status_code == 200 and not response.context["has_change_permission"]
    assert client.post(_change(sheet), {}).status_code == 403
    assert client.get(_add(EvaluationSheet)).status_code == 403


@pytest.mark.parametrize("username", ["staff", "evaluator", "auditor", "kni_staff", "kni_evaluator"])
def test_other_roles_get_no_admin(orgs, client, login_as, username):
    login_as(username)
    response = client.get(reverse("admin:index"))
    assert response.status_code == LOGIN and reverse("admin:login") in response.url
    response = client.get(_changelist(OrgUnit))
    assert response.status_code == LOGIN


def test_a_staff_flag_without_the_administrator_role_shows_nothing(orgs, client, login_as):
    user = get_user_model().objects.get(username="kni_staff")
    user.is_staff = True
    user.save()
    login_as("kni_staff")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert _changelist(OrgUnit) not in response.content.decode()
    assert client.get(_changelist(OrgUnit)).status_code == 403


def test_every_model_offered_opens_with_its_own_rows(orgs, client, login_as):
    """Each changelist on the index, and the change page of its first row, render for kni_admin."""
    from django.contrib import admin

    login_as("kni_admin")
    index = client.get(reverse("admin:index"))
    offered = [model for app in index.context["app_list"] for model in (m["model"] for m in app["models"])]
    assert len(offered) >= 10
    for model in offered:
        response = client.get(_changelist(model))
        assert response.status_code == 200, model
        queryset = admin.site._registry[model].get_queryset(response.wsgi_request)
        first = queryset.first()
        if first is not None:
            assert client.get(_change(first)).status_code == 200, model


def test_save_model_refuses_another_organisation_as_a_last_guard(orgs, rf):
    from django.contrib import admin
    from django.core.exceptions import PermissionDenied

    kamakura, _ = orgs
    request = rf.post("/")
    request.user = get_user_model().objects.get(username="kni_admin")
    unit = OrgUnit(organization=kamakura, kind=OrgUnitKind.SECTION, name="X課")
    with pytest.raises(PermissionDenied):
        admin.site._registry[OrgUnit].save_model(request, unit, form=None, change=False)
    assert unit.pk is None
