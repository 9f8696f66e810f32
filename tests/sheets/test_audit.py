"""The audit log: sign-ins, failed sign-ins, refused requests and exports are recorded."""

from django.core.management import call_command
from django.urls import reverse

from sheets.models import AuditEvent


def _kinds():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "username"))


def test_logins_and_failed_logins_are_logged(demo, client):
    client.post(reverse("login"), {"username": "staff", "password": "wrong"})
    client.post(reverse("login"), {"username": "staff", "password": "demo-pass-2025"})
    client.post(reverse("logout"))
    assert _kinds() == [("login_failed", "staff"), ("login", "staff"), ("logout", "staff")]
    assert AuditEvent.objects.first().ip_address == "127.0.0.1"


def test_a_refused_request_is_logged_once(demo_sheet, kunitachi_sheet, client, login_as):
    login_as("kni_staff")
    assert client.get(reverse("sheets:detail", args=[demo_sheet.pk])).status_code == 403
    denied = AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED)
    assert denied.count() == 1
    assert denied.get().path == reverse("sheets:detail", args=[demo_sheet.pk])
    assert denied.get().username == "kni_staff"


def test_every_export_is_logged(demo_sheet, client, login_as, tmp_path):
    login_as("auditor")
    client.get(reverse("sheets:pdf", args=[demo_sheet.pk]))
    client.get(reverse("sheets:xlsx", args=[demo_sheet.pk]))
    exports = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).order_by("id")
    assert [e.detail.rsplit(".", 1)[1] for e in exports] == ["pdf", "xlsx"]
    assert all(e.sheet_id == demo_sheet.pk and e.username == "auditor" for e in exports)
    call_command("export_sheets", "--year", "2025", "--code", "健福-17", "--out", str(tmp_path))
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, detail__startswith="export_sheets").count()
        == 1
    )
