"""The dataset pages: export with progress and download, import with a dry run and a confirmation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets.choices import ExportStatus, ImportStatus
from datasets.models import ExportJob, ImportJob
from indicators.choices import ValueType
from indicators.models import IndicatorValue
from sheets.choices import OrgUnitKind
from sheets.models import Organization
from tests.factories import OrgUnitFactory

from .conftest import column_letter, find_row, save_bytes, table_snapshot


def _upload(content: bytes, name="dataset.xlsx"):
    return SimpleUploadedFile(
        name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _workbook_with(export_bytes, open_xlsx, changes: int) -> bytes:
    """The demo dataset with ``changes`` indicator values changed (1 each)."""
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    col = column_letter(ws, "値")
    edited = 0
    for row in ws.iter_rows(min_row=2):
        cell = ws[f"{col}{row[0].row}"]
        if isinstance(cell.value, int) and edited < changes:
            cell.value += 1
            edited += 1
    assert edited == changes
    return save_bytes(wb)


@pytest.mark.parametrize("departments", [2, 20])
def test_export_page_runs_a_constant_number_of_queries(
    demo, client, login_as, departments, django_assert_max_num_queries
):
    org = Organization.objects.get(lg_code="142042")
    for i in range(departments):
        OrgUnitFactory(organization=org, kind=OrgUnitKind.DEPARTMENT, name=f"部{i}")
    login_as("auditor")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("datasets:export"))
    assert response.status_code == 200
    assert "データセットの出力" in response.content.decode()


def test_export_runs_in_the_background_and_downloads(
    demo, client, login_as, open_xlsx, django_capture_on_commit_callbacks
):
    login_as("auditor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("datasets:export"), {"year": "令和7年度", "fmt": "xlsx"})
    job = ExportJob.objects.get()
    assert response.url == reverse("datasets:export_status", args=[job.pk])
    assert job.status == ExportStatus.DONE  # the immediate backend ran the task on commit
    assert job.rows_done == job.rows_total > 0
    assert job.organization_ids == [Organization.objects.get(lg_code="142042").pk]
    page = client.get(response.url).content.decode()
    assert "ダウンロード" in page and "hx-trigger" not in page
    download = client.get(reverse("datasets:export_download", args=[job.pk]))
    content = b"".join(download.streaming_content)
    assert "指標値" in open_xlsx(content).sheetnames
    assert "dataset_2025.xlsx" in download["Content-Disposition"]
    form_page = client.get(reverse("datasets:export")).content.decode()
    assert f'<a href="{reverse("datasets:export_download", args=[job.pk])}">{job.filename}</a>' in form_page


def test_running_export_polls_with_htmx(demo, client, login_as, django_user_model):
    user = login_as("auditor")
    job = ExportJob.objects.create(requested_by=user, evaluation_fy=2025, rows_total=10, rows_done=4)
    page = client.get(reverse("datasets:export_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page and 'value="40"' in page
    fragment = client.get(reverse("datasets:export_status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="export-progress"')
    assert client.get(reverse("datasets:export_download", args=[job.pk])).status_code == 404


def test_other_users_jobs_are_not_shown(demo, client, login_as, django_user_model):
    owner = django_user_model.objects.get(username="staff")
    job = ExportJob.objects.create(requested_by=owner, evaluation_fy=2025, status=ExportStatus.DONE)
    login_as("auditor")
    assert client.get(reverse("datasets:export_status", args=[job.pk])).status_code == 403
    assert client.get(reverse("datasets:export_download", args=[job.pk])).status_code == 403


def test_pages_need_a_login(db, client):
    for name in ("datasets:export", "datasets:import"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/login/" in response.url


def test_auditors_may_not_import(demo, client, login_as):
    login_as("auditor")
    assert client.get(reverse("datasets:import")).status_code == 403


def test_import_dry_run_then_confirm(demo, client, login_as, export_bytes, open_xlsx):
    login_as("staff")
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    row = find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値")
    ws[f"{column_letter(ws, '値')}{row}"] = 63
    before = table_snapshot()
    response = client.post(reverse("datasets:import"), {"file": _upload(save_bytes(wb))})
    job = ImportJob.objects.get()
    assert response.url == reverse("datasets:import_detail", args=[job.pk])
    assert job.status == ImportStatus.PREVIEWED
    page = client.get(response.url).content.decode()
    assert "反映する" in page and "60" in page and "63" in page
    assert table_snapshot() == before
    client.post(reverse("datasets:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.APPLIED
    assert [(c["old"], c["new"]) for c in job.applied_changes] == [("60", "63")]  # the history
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    )
    assert value.value == 63
    assert "反映しました" in client.get(reverse("datasets:import_detail", args=[job.pk])).content.decode()


def test_confirm_after_the_data_changed_applies_nothing(demo, client, login_as, export_bytes, open_xlsx):
    login_as("staff")
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    row = find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値")
    ws[f"{column_letter(ws, '値')}{row}"] = 63
    client.post(reverse("datasets:import"), {"file": _upload(save_bytes(wb))})
    job = ImportJob.objects.get()
    IndicatorValue.objects.filter(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    ).update(value=61)  # someone else saved the sheet in between
    before = table_snapshot()
    response = client.post(reverse("datasets:import_confirm", args=[job.pk]), follow=True)
    assert "確認の後でデータが変更されました" in response.content.decode()
    assert table_snapshot() == before
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED
    assert [(e["old"], e["new"]) for e in job.report["entries"]] == [("61", "63")]  # the fresh dry run


def test_rejected_file_is_shown_on_the_form_and_stores_nothing(demo, client, login_as):
    login_as("staff")
    response = client.post(reverse("datasets:import"), {"file": _upload(b"a,b\r\n1,2\r\n", "x.csv")})
    assert "Excel のブック（.xlsx）ではありません。" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_rejected_rows_are_listed_and_cannot_be_confirmed(demo, client, login_as, export_bytes, open_xlsx):
    login_as("staff")
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    row = find_row(ws, 事業番号="健福-05", 枝番=1, 年度=2024, 値の種類="実績値")
    ws[f"{column_letter(ws, '値')}{row}"] = 1
    client.post(reverse("datasets:import"), {"file": _upload(save_bytes(wb))})
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    page = client.get(reverse("datasets:import_detail", args=[job.pk])).content.decode()
    assert "この事業（健福-05）を変更する権限がありません" in page and "反映する" not in page
    client.post(reverse("datasets:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.REJECTED


@pytest.mark.parametrize("changes", [2, 20])
def test_import_report_page_runs_a_constant_number_of_queries(
    demo, client, login_as, export_bytes, open_xlsx, changes, django_assert_max_num_queries
):
    login_as("admin")
    client.post(
        reverse("datasets:import"), {"file": _upload(_workbook_with(export_bytes, open_xlsx, changes))}
    )
    job = ImportJob.objects.get()
    assert len(job.report["entries"]) == changes
    with django_assert_max_num_queries(4):
        response = client.get(reverse("datasets:import_detail", args=[job.pk]))
    assert response.status_code == 200


def test_import_page_lists_recent_imports(demo, client, login_as):
    user = login_as("staff")
    ImportJob.objects.create(
        uploaded_by=user, original_name="前回.xlsx", status=ImportStatus.APPLIED, file="x.xlsx"
    )
    assert "前回.xlsx" in client.get(reverse("datasets:import")).content.decode()


def test_a_failed_export_is_shown_as_failed(
    demo, client, login_as, monkeypatch, django_capture_on_commit_callbacks
):
    from datasets import writers

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writers, "write_xlsx", broken)
    login_as("auditor")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("datasets:export"), {"year": "2025", "fmt": "xlsx"})
    job = ExportJob.objects.get()
    assert (job.status, job.error) == (ExportStatus.FAILED, "disk full")
    assert "出力に失敗しました" in client.get(response.url).content.decode()


def test_csv_export_from_the_page(demo, client, login_as, django_capture_on_commit_callbacks):
    login_as("admin")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("datasets:export"), {"year": "R7", "fmt": "csv"})
    job = ExportJob.objects.get()
    assert job.organization_ids is None and job.filename == "dataset_2025.zip"
    download = client.get(reverse("datasets:export_download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"PK")


def test_export_form_rejects_an_unreadable_year(demo, client, login_as):
    login_as("auditor")
    response = client.post(reverse("datasets:export"), {"year": "来年", "fmt": "xlsx"})
    assert "年度として読めません" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_too_large_upload_is_refused_before_it_is_read(demo, client, login_as, settings):
    settings.DATASETS_UPLOAD_LIMITS = {"max_file_bytes": 1024 * 1024}
    login_as("staff")
    response = client.post(
        reverse("datasets:import"), {"file": _upload(b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024))}
    )
    assert response.status_code == 413
    assert "ファイルが大きすぎます" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_form_still_checks_csrf(demo, login_as, django_user_model):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.get(username="staff"))
    assert client.post(reverse("datasets:import"), {"file": _upload(b"x")}).status_code == 403


def test_staff_export_only_their_department_and_downloads_are_logged(
    demo, client, login_as, open_xlsx, django_capture_on_commit_callbacks
):
    from sheets.models import AuditEvent
    from tests.factories import CostRecordFactory, ProgramFactory

    org = Organization.objects.get(lg_code="142042")
    general = OrgUnitFactory(organization=org, kind=OrgUnitKind.DEPARTMENT, name="総務部")
    other = ProgramFactory(organization=org, owner_unit=general, code="総務-01")
    CostRecordFactory(program=other, fiscal_year=2024)

    def exported_codes(username):
        login_as(username)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("datasets:export"), {"year": "2025", "fmt": "xlsx"})
        job = ExportJob.objects.filter(requested_by__username=username).get()
        content = b"".join(client.get(reverse("datasets:export_download", args=[job.pk])).streaming_content)
        ws = open_xlsx(content)["事業"]
        return {row[2] for row in ws.iter_rows(min_row=2, values_only=True)}

    assert "総務-01" not in exported_codes("staff")
    assert "総務-01" in exported_codes("auditor")
    assert (
        AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, detail="dataset dataset_2025.xlsx").count()
        == 2
    )
