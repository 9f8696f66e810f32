"""Load: gunicorn on 127.0.0.1 against PostgreSQL, 50 concurrent users browsing and saving sheets.

Creates (if missing) the database ``hikikomori_perf`` on the local server (``PERF_LOAD_DATABASE_URL``),
migrates it and loads a small scale data set, starts gunicorn on a free loopback port and runs the
load generator of ``perf/loadgen.py`` twice: first on the bare 200-row view (baseline of the same run),
then browsing and saving 個表 (a few hot sheets, so that concurrent saves meet the optimistic lock).
Stale refusals are counted apart from errors; lost updates are checked against the database: each
sheet's final version and text must be those of its last successful save. Last, outdated pages are
looked for: several users (connections spread over the gunicorn workers, each worker with its own
cache of sheet bodies) open the hot sheets, one saves each of them anew, and all open them again:
every page must show the new text.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/hikikomori_perf"
DATABASE_URL = os.environ.get("PERF_LOAD_DATABASE_URL", DEFAULT_URL)
if __name__ == "__main__":
    os.environ["PERF_DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("PERF_SCALE", os.environ.get("PERF_LOAD_SCALE", "4,40,2"))

from perf.common import DATA, ROOT, emit, percentile, ratio, setup_django  # noqa: E402
from perf.loadgen import run_users  # noqa: E402

USERS = int(os.environ.get("PERF_LOAD_USERS", "50"))
DURATION = float(os.environ.get("PERF_LOAD_SECONDS", "45"))
BASELINE_DURATION = 15.0
HOT_SHEETS = 10
PASSWORD = "perf-load-pass"  # noqa: S105 - a benchmark user on a throw-away local database
GUNICORN = Path(sys.executable).with_name("gunicorn")


def ensure_database() -> str | None:
    """Create the benchmark database if needed; None when it is ready, else why it cannot be."""
    import psycopg

    name = DATABASE_URL.rsplit("/", 1)[1]
    admin_url = DATABASE_URL.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        return f"PostgreSQL not reachable ({str(error).strip()[:80]})"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    workers = 2 * (os.cpu_count() or 1) + 1
    log = (DATA / "gunicorn.log").open("a")
    process = subprocess.Popen(
        [str(GUNICORN), "hikikomori_eval.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", "4", "--timeout", "120"],
        cwd=ROOT, env={**os.environ, "DJANGO_SETTINGS_MODULE": "perf.settings"}, stdout=log, stderr=log,
    )  # fmt: skip
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise RuntimeError("gunicorn did not start; see perf/.data/gunicorn.log")


def prepare_users(org):
    from django.contrib.auth import get_user_model

    from sheets.choices import Role
    from sheets.models import Membership

    User = get_user_model()
    users = []
    for i in range(USERS):
        user, _ = User.objects.get_or_create(username=f"perf_load_{i:02d}")
        user.set_password(PASSWORD)
        user.save()
        Membership.objects.get_or_create(user=user, organization=org, org_unit=None, role=Role.ADMINISTRATOR)
        users.append((user.username, PASSWORD))
    return users


def emit_latencies(prefix: str, samples) -> None:
    values = [s.ms for s in samples]
    emit(f"{prefix}_requests", len(values))
    emit(f"{prefix}_p50_ms", percentile(values, 50))
    emit(f"{prefix}_p95_ms", percentile(values, 95))


def lost_updates(results, initial: dict[int, tuple[int, str]]) -> int:
    """Sheets whose final state is not that of their last successful save (or whose count is off)."""
    from sheets.models import EvaluationSheet

    lost = 0
    for sheet in EvaluationSheet.objects.filter(pk__in=initial).select_related("program_sheet"):
        saves = sorted((v, token) for pk, v, token in results.saves if pk == sheet.pk)
        versions = [v for v, _ in saves]
        start_version, start_text = initial[sheet.pk]
        expected = (saves[-1][0], saves[-1][1]) if saves else (start_version, start_text)
        final = (sheet.version, sheet.program_sheet.direction_text)
        if final != expected or versions != list(range(start_version + 1, start_version + 1 + len(saves))):
            lost += 1
    return lost


def outdated_pages(port: int, users, sheet_ids) -> tuple[int, int, list[str]]:
    """(pages showing another 今後の方針 than the one just saved, pages checked, errors)."""
    from perf.loadgen import Results, User

    results = Results()
    readers = []
    for username, password in users[:12]:
        reader = User(port, results)
        if reader.login(username, password):
            readers.append(reader)

    def page(reader, pk) -> str:
        return reader.request("check", "GET", f"/sheets/{pk}/")[1]

    for reader in readers:  # every worker a reader reaches renders and caches the bodies
        for pk in sheet_ids:
            page(reader, pk)
    for pk in sheet_ids:
        readers[0].save(pk, f"check-{pk}")
    if len(results.saves) != len(sheet_ids):
        results.errors.append(f"only {len(results.saves)} of {len(sheet_ids)} check saves went through")
    outdated = sum(f">check-{pk}</td>" not in page(reader, pk) for reader in readers for pk in sheet_ids)
    return outdated, len(readers) * len(sheet_ids), results.errors


def run() -> None:
    from perf.common import prepare_database, scale_organizations
    from sheets.choices import FormType
    from sheets.models import EvaluationSheet

    if not GUNICORN.exists():
        emit("load", "skipped (gunicorn is not installed in the virtualenv)")
        return
    problem = ensure_database()
    if problem:
        emit("load", f"skipped ({problem})")
        return
    from django.db import connection

    prepare_database(log=lambda line: None)
    emit("load_database", f"PostgreSQL {connection.pg_version // 10000} ({DATABASE_URL.rsplit('@', 1)[-1]})")
    org = scale_organizations()[0]
    users = prepare_users(org)
    sheets = list(
        EvaluationSheet.objects.filter(
            organization=org, evaluation_fy=2025, form_type=FormType.KAMAKURA_PROGRAM
        ).select_related("program_sheet")
    )
    hot = sheets[:HOT_SHEETS]
    initial = {s.pk: (s.version, s.program_sheet.direction_text) for s in hot}
    connection.close()

    port = free_port()
    server = start_gunicorn(port)
    try:
        emit("load_users", len(users))
        emit("load_server", f"gunicorn gthread {2 * (os.cpu_count() or 1) + 1}x4 on 127.0.0.1")
        base, base_seconds = run_users(
            port=port, users=users, duration=BASELINE_DURATION,
            actions=lambda user, rng, token: user.request("bare", "GET", "/perf/bare/"),
        )  # fmt: skip
        emit_latencies("load_bare", base.samples)
        emit("load_bare_rps", len(base.samples) / base_seconds)

        def browse_and_save(user, rng, token):
            roll = rng.random()
            if roll < 0.3:
                user.request("list", "GET", "/?year=2025")
            elif roll < 0.7:
                user.request("sheet", "GET", f"/sheets/{rng.choice(sheets).pk}/")
            else:
                user.save(rng.choice(hot).pk, token)

        results, seconds = run_users(port=port, users=users, duration=DURATION, actions=browse_and_save)
        lost = lost_updates(results, initial)
        outdated, checked, check_errors = outdated_pages(port, users, list(initial))
    finally:
        server.terminate()
        server.wait(timeout=60)
    emit("load_duration_s", seconds)
    emit_latencies("load", results.samples)
    emit("load_rps", len(results.samples) / seconds)
    for kind in ("list", "sheet", "edit_page", "save"):
        emit_latencies(f"load_{kind}", [s for s in results.samples if s.kind == kind])
    emit("load_p50_vs_bare_ratio", ratio(percentile([s.ms for s in results.samples], 50),
                                         percentile([s.ms for s in base.samples], 50)))  # fmt: skip
    emit("load_errors", len(results.errors) + len(base.errors) + len(check_errors))
    for error in (base.errors + results.errors + check_errors)[:5]:
        emit("load_error_example", error)
    emit("load_keepalive_reconnects", results.reconnects + base.reconnects)
    emit("load_saves_ok", len(results.saves))
    emit("load_stale_refusals", results.stale)
    emit("load_lost_updates", lost)
    emit("load_outdated_pages", f"{outdated} of {checked}")


if __name__ == "__main__":
    setup_django()
    run()
