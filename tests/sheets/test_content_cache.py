"""Rendered sheet bodies and portfolios are reused only while the data they show is unchanged.

The content token changes after every committed write, however it was made (a model save, a bulk
update, raw SQL); reads, rolled-back writes and the tables no sheet prints leave it alone. These tests
commit for real (``transactional_db``), as requests and task workers do.
"""

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sheets import content_version
from sheets.choices import FormType, Role
from sheets.models import AuditEvent, ContentVersion, EvaluationSheet, Membership, Program, ProgramSheet
from tests.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token():
    """The committed content's token, renewed by a first write if the database has none yet."""
    if content_version.current() is None:
        content_version.bump()
    return content_version.current()


def test_a_committed_save_renews_the_token(token):
    program = ProgramFactory()
    assert content_version.current() not in (None, token)
    before = content_version.current()
    program.name = "改名した事業"
    program.save()
    assert content_version.current() not in (None, before)


def test_bulk_updates_and_raw_sql_renew_the_token(token):
    program = ProgramFactory()
    before = content_version.current()
    Program.objects.filter(pk=program.pk).update(name="一括で改名")  # sends no signal
    after_update = content_version.current()
    assert after_update != before
    with connection.cursor() as cursor:
        table = Program._meta.db_table
        cursor.execute(f"UPDATE {table} SET name = %s WHERE id = %s", ["SQLで改名", program.pk])
    assert content_version.current() != after_update


def test_one_new_token_per_transaction_on_commit(token):
    with transaction.atomic():
        program = ProgramFactory()
        Program.objects.filter(pk=program.pk).update(name="同じ取引で改名")
        assert content_version.current() is None  # uncommitted writes of its own: do not cache
        assert sum(isinstance(c[1], content_version._NewToken) for c in connection.run_on_commit) == 1
    assert content_version.current() not in (None, token)


def test_reads_rolled_back_writes_and_unwatched_tables_keep_the_token(token):
    program = ProgramFactory()
    before = content_version.current()
    list(Program.objects.all())
    with pytest.raises(RuntimeError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(name="取り消される改名")
        raise RuntimeError
    session = SessionStore()
    session["x"] = 1
    session.save()
    AuditEvent.objects.create(kind=AuditEvent._meta.get_field("kind").choices[0][0], detail="export")
    assert content_version.current() == before


def test_a_savepoint_rolled_back_does_not_hide_the_writes_after_it(token):
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            ProgramFactory()
            raise RuntimeError
        ProgramFactory()  # its new token must still be scheduled
    assert content_version.current() != token


def test_without_a_token_nothing_is_cached_until_the_next_write(token):
    ContentVersion.objects.all().delete()  # as a flushed database has it
    assert content_version.current() is None
    assert content_version.cached("key", lambda: "computed", token=None) == "computed"
    ProgramFactory()
    assert content_version.current() not in (None, token)


@pytest.fixture
def sheet_page(demo_sheet, client, login_as):
    login_as("staff")
    return reverse("sheets:detail", args=[demo_sheet.pk])


def _get(client, url):
    """(the sheet's body as the page shows it, the number of queries of the request)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    return page[page.index('<div class="sheet-screen">') :], len(queries)  # not the per-request CSRF token


def test_the_page_reuses_its_body_until_the_data_changes(client, sheet_page, demo_sheet):
    first, rendering_queries = _get(client, sheet_page)
    again, cached_queries = _get(client, sheet_page)
    assert again == first
    assert cached_queries < rendering_queries - 8  # no context built

    ProgramSheet.objects.filter(sheet=demo_sheet).update(direction_text="窓口を一本化して継続する。")
    changed, queries = _get(client, sheet_page)
    assert "窓口を一本化して継続する。" in changed
    assert queries == rendering_queries


def test_cached_bodies_are_still_refused_to_other_municipalities(client, sheet_page, django_user_model):
    _get(client, sheet_page)  # rendered and cached for the staff member
    outsider = django_user_model.objects.create_user("outsider", password="x")
    Membership.objects.create(user=outsider, organization=OrganizationFactory(), role=Role.AUDITOR)
    client.force_login(outsider)
    assert client.get(sheet_page).status_code == 403


def test_the_published_body_is_cached_apart_from_the_internal_one(client, sheet_page):
    public_note = "※公表用"
    internal, _ = _get(client, sheet_page)
    public, _ = _get(client, sheet_page + "?public=1")
    internal_again, _ = _get(client, sheet_page)
    assert public_note in public
    assert public_note not in internal
    assert internal_again == internal


def test_each_form_shows_the_same_body_from_the_cache(client, demo, login_as):
    """The other forms' pages give the same HTML from the cache as rendered (demo 施策の方針 sheet)."""
    from sheets.demo_policy import kamakura_policy_demo_load

    kamakura_policy_demo_load()
    login_as("auditor")
    policy = EvaluationSheet.objects.filter(form_type=FormType.KAMAKURA_POLICY).first()
    url = reverse("sheets:detail", args=[policy.pk])
    rendered, rendering_queries = _get(client, url)
    cached, cached_queries = _get(client, url)
    assert cached == rendered and cached_queries < rendering_queries


def test_a_portfolio_is_computed_again_only_after_a_write(client, demo_sheet, login_as, django_user_model):
    login_as("auditor")
    url = reverse("benchmarks:department_portfolio", args=[demo_sheet.program.owner_unit.department.pk])
    with CaptureQueriesContext(connection) as computing:
        first = client.get(url, {"year": 2025}).content.decode()
    with CaptureQueriesContext(connection) as cached:
        again = client.get(url, {"year": 2025}).content.decode()
    main = slice(first.index("<main"), None)  # not the header's per-request CSRF token
    assert again[main] == first[main] and len(cached) < len(computing)
    assert demo_sheet.program.name in first

    Program.objects.filter(pk=demo_sheet.program_id).update(name="ひきこもり支援総合事業")
    assert "ひきこもり支援総合事業" in client.get(url, {"year": 2025}).content.decode()

    outsider = django_user_model.objects.create_user("outsider", password="x")
    Membership.objects.create(user=outsider, organization=OrganizationFactory(), role=Role.AUDITOR)
    client.force_login(outsider)
    assert client.get(url, {"year": 2025}).status_code == 403
