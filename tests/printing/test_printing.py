"""Batch printing: a department's sheets as one PDF or a zip, with progress, for its readers only."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from printing import services
from printing.choices import PrintFormat, PrintStatus
from printing.models import PrintJob
from sheets.choices import FormType

PROGRAMS = ["共生社会推進事業", "ひきこもり対策推進事業", "生活保護事務"]  # print order: 健福-05, -17, -18


def _start(client, department, fmt, capture, form_type=FormType.KAMAKURA_PROGRAM):
    with capture(execute=True):
        return client.post(
            reverse("printing:form"),
            {"department": department.pk, "year": 2025, "form_type": form_type, "fmt": fmt},
        )


def _download(client, job) -> bytes:
    response = client.get(reverse("printing:download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_form_lists_the_finished_jobs_with_their_department_and_file(
    client, login_as, department, django_capture_on_commit_callbacks
):
    login_as("auditor")
    _start(client, department, PrintFormat.ZIP, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    page = client.get(reverse("printing:form")).content.decode()
    assert f"{job.organization.name}　{department.name}" in page
    assert reverse("printing:status", args=[job.pk]) in page
    assert f'<a href="{reverse("printing:download", args=[job.pk])}">{job.filename}</a>' in page


def test_combined_pdf_holds_every_sheet_of_the_department(
    client, login_as, department, pdf_text, django_capture_on_commit_callbacks
):
    login_as("auditor")
    response = _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert response.url == reverse("printing:status", args=[job.pk])
    assert (job.status, job.done, job.total) == (PrintStatus.DONE, 3, 3)
    assert job.chunks_done == job.chunks_total
    assert job.filename == "2025_鎌倉市_健康福祉部_行政評価シート【個表】.pdf"

    content = _download(client, job)
    text = pdf_text(content)
    positions = [text.index(name) for name in PROGRAMS]
    assert positions == sorted(positions)
    assert text.count("行政評価シート【個表】") >= 3
    single = [
        len(PdfReader(io.BytesIO(services.exports.sheet_export(s, "pdf").content)).pages)
        for s in services.sheets_in_order(job.sheet_ids)
    ]
    assert len(PdfReader(io.BytesIO(content)).pages) == sum(single)


def test_zip_holds_one_pdf_per_sheet(
    client, login_as, department, pdf_text, unzip, django_capture_on_commit_callbacks
):
    login_as("auditor")
    _start(client, department, PrintFormat.ZIP, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert (job.status, job.done, job.total) == (PrintStatus.DONE, 3, 3)
    files = unzip(_download(client, job))
    assert sorted(files) == list(files)
    assert len(files) == 3
    for (name, content), program in zip(files.items(), PROGRAMS, strict=True):
        assert name.endswith(f"{program}.pdf")
        assert program in pdf_text(content)


def test_status_page_shows_progress_and_polls_until_done(client, login_as, department):
    user = login_as("auditor")
    job = PrintJob.objects.create(
        requested_by=user,
        organization=department.organization,
        department=department,
        evaluation_fy=2025,
        sheet_ids=[1, 2, 3, 4],
        total=4,
        done=1,
        chunks_total=1,
        status=PrintStatus.RUNNING,
    )
    page = client.get(reverse("printing:status", args=[job.pk])).content.decode()
    assert "1 / 4 シート" in page and 'hx-trigger="every 1s"' in page
    fragment = client.get(reverse("printing:status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="print-progress"')
    PrintJob.objects.filter(pk=job.pk).update(status=PrintStatus.DONE, done=4)
    fragment = client.get(reverse("printing:status", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "ダウンロード" in fragment


@pytest.mark.parametrize("sheets", [2, 20])
def test_status_page_runs_a_constant_number_of_queries(
    client, login_as, department, sheets, django_assert_max_num_queries
):
    user = login_as("auditor")
    job = PrintJob.objects.create(
        requested_by=user,
        organization=department.organization,
        department=department,
        evaluation_fy=2025,
        sheet_ids=list(range(1, sheets + 1)),
        total=sheets,
        done=sheets // 2,
        chunks_total=sheets,
        status=PrintStatus.RUNNING,
    )
    with django_assert_max_num_queries(5):
        response = client.get(reverse("printing:status", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_another_municipality_can_neither_start_nor_see_nor_download(
    client, login_as, department, other_city_user, django_capture_on_commit_callbacks
):
    login_as("auditor")
    _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()

    client.force_login(other_city_user)
    form_page = client.get(reverse("printing:form")).content.decode()
    assert "健康福祉部" not in form_page and "福祉部" in form_page
    response = _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    assert response.status_code == 200  # the form again, with the department refused
    assert PrintJob.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.print_job_create(
            user=other_city_user, department=department, evaluation_fy=2025, fmt=PrintFormat.ZIP
        )
    assert client.get(reverse("printing:status", args=[job.pk])).status_code == 403
    assert client.get(reverse("printing:download", args=[job.pk])).status_code == 403


def test_a_department_without_sheets_is_refused_with_a_message(
    client, login_as, department, django_capture_on_commit_callbacks
):
    login_as("auditor")
    response = _start(
        client,
        department,
        PrintFormat.PDF_COMBINED,
        django_capture_on_commit_callbacks,
        form_type=FormType.OKINAWA_INITIATIVE,
    )
    assert "条件に合う評価シートがありません" in response.content.decode()
    assert not PrintJob.objects.exists()


def test_a_failing_sheet_fails_the_job_and_says_so(
    client, login_as, department, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(sheet):
        raise RuntimeError("レイアウトできません")

    monkeypatch.setattr(services.render, "sheet_document", broken)
    login_as("auditor")
    _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert job.status == PrintStatus.FAILED and "レイアウトできません" in job.error
    page = client.get(reverse("printing:status", args=[job.pk])).content.decode()
    assert "印刷に失敗しました" in page
    assert client.get(reverse("printing:download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize(("total", "size", "chunks"), [(1, 1, 1), (3, 1, 3), (10, 3, 4), (150, 8, 19)])
def test_jobs_are_cut_into_chunks_every_worker_can_share(total, size, chunks):
    assert services.chunk_size_for(total) == size
    assert -(-total // size) == chunks


def test_batch_rendering_prints_exactly_what_the_single_pdf_prints(kunitachi_sheet, pdf_text):
    """Stylesheets parsed once per process keep everything, @counter-style included (－１枚目－)."""
    from printing import render

    single = pdf_text(services.exports.sheet_export(kunitachi_sheet, "pdf").content)
    batch = pdf_text(render.documents_pdf([render.sheet_document(kunitachi_sheet)]))
    assert "－１枚目－" in batch
    assert batch == single


def test_staff_print_only_their_own_department(
    client, department, django_user_model, django_capture_on_commit_callbacks
):
    """A 担当者 of another 部 of the same city is offered only their 部 and cannot post 健康福祉部."""
    from sheets.choices import OrgUnitKind, Role
    from sheets.models import Membership, OrgUnit

    own = OrgUnit.objects.create(
        organization=department.organization, kind=OrgUnitKind.DEPARTMENT, name="総務部", order=99
    )
    user = django_user_model.objects.create_user("somu_staff", password="x")
    Membership.objects.create(user=user, organization=department.organization, org_unit=own, role=Role.STAFF)
    client.force_login(user)

    page = client.get(reverse("printing:form")).content.decode()
    assert "総務部" in page and "健康福祉部" not in page
    response = _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and "正しく選択してください" in response.content.decode()
    with pytest.raises(ValidationError):  # the service keeps to the sheets the user may read
        services.print_job_create(user=user, department=department, evaluation_fy=2025, fmt=PrintFormat.ZIP)
    assert not PrintJob.objects.exists()


def test_a_locked_year_prints_its_frozen_sheets_and_the_export_is_logged(
    client, login_as, department, django_user_model, monkeypatch, pdf_text, django_capture_on_commit_callbacks
):
    from sheets.models import AuditEvent, EvaluationSheet, Organization
    from sheets.services.workflow import Action, sheet_transition
    from sheets.services.year import fiscal_year_lock

    admin = django_user_model.objects.get(username="admin")
    kamakura = Organization.objects.get(lg_code="142042")
    for sheet in EvaluationSheet.objects.filter(evaluation_fy=2025, organization=kamakura):
        for action in (Action.SUBMIT, Action.APPROVE):
            sheet_transition(sheet=sheet, action=action, by=admin)
    fiscal_year_lock(organization=kamakura, evaluation_fy=2025, by=admin)

    def live_rendering(sheet):
        raise AssertionError("a locked sheet must print from its snapshot")

    monkeypatch.setattr(services.render, "sheet_document", live_rendering)
    login_as("auditor")
    _start(client, department, PrintFormat.PDF_COMBINED, django_capture_on_commit_callbacks)
    job = PrintJob.objects.get()
    assert job.status == PrintStatus.DONE, job.error
    text = pdf_text(_download(client, job))
    assert all(name in text for name in PROGRAMS)
    logged = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, user__username="auditor")
    assert any("一括印刷" in event.detail and "3枚" in event.detail for event in logged)
