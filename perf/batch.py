"""Batch printing: all sheets of one department rendered by task workers (Django Tasks, database backend).

Runs itself in a process whose task backend is ``django_tasks_db.DatabaseBackend`` and starts N
``manage.py db_worker`` processes; a job is timed from its creation to its finished file, and the CPU
seconds its workers used are counted (``batch_Nw_cpu_per_sheet_s``: per sheet per core, whatever else
runs on the machine). Baselines of
the same run: the same sheets rendered one after the other in this process (``sheet_export``), and
LibreOffice converting the same sheets' Excel exports in one call.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
HAS_DB_BACKEND = importlib.util.find_spec("django_tasks_db") is not None
if HAS_DB_BACKEND:
    os.environ["DJANGO_TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"

from perf.common import DATA, PYTHON, ROOT, emit, ratio, scale_organizations, setup_django, timed  # noqa: E402

WORKER_COUNTS = (1, 2)
ROUNDS = 2
TIMEOUT = 900


def start_workers(count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "perf.settings"}
    log = (DATA / "workers.log").open("a")
    return [
        subprocess.Popen(
            [
                PYTHON,
                "manage.py",
                "db_worker",
                "--interval",
                "0.05",
                "--no-startup-delay",
                "--worker-id",
                f"perf-{count}-{i}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for i in range(count)
    ]


def workers_cpu_seconds(workers: list[subprocess.Popen]) -> float | None:
    """CPU seconds (user + system) the worker processes have used so far; None without Linux's /proc.

    Unlike a job's wall-clock time, this does not grow when other work on a shared machine takes the
    cores, so the CPU seconds per sheet compare runs made under different loads.
    """
    total = 0.0
    for worker in workers:
        try:
            fields = Path(f"/proc/{worker.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def run_job(*, user, department, fmt: str, year: int) -> tuple[float, object]:
    from printing.choices import PrintStatus
    from printing.services import print_job_create

    started = time.perf_counter()
    job = print_job_create(user=user, department=department, evaluation_fy=year, fmt=fmt)
    while True:
        job.refresh_from_db()
        if job.status in (PrintStatus.DONE, PrintStatus.FAILED):
            break
        if time.perf_counter() - started > TIMEOUT:
            raise RuntimeError(f"print job {job.pk} did not finish in {TIMEOUT} s")
        time.sleep(0.05)
    if job.status != PrintStatus.DONE:
        raise RuntimeError(f"print job {job.pk} failed: {job.error}")
    return time.perf_counter() - started, job


def _spin(seconds: float) -> int:
    end, n = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        n += 1
    return n


def cpu_parallel_speedup(processes: int = 2, seconds: float = 3.0) -> float:
    """How much more pure-Python work ``processes`` busy processes do than one, right now.

    On an idle 2-core machine this is about 2; on a machine shared with other work it is what the
    workers can hope for, so it is the yardstick of their speed-up in the same run.
    """
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_spin, [0.2] * processes))
        one = pool.submit(_spin, seconds).result()
        many = sum(pool.map(_spin, [seconds] * processes))
    return many / one


def busiest_department(org, year: int):
    from printing.selectors import department_sheets
    from sheets.choices import OrgUnitKind
    from sheets.models import OrgUnit

    departments = OrgUnit.objects.filter(organization=org, kind=OrgUnitKind.DEPARTMENT)
    return max(departments, key=lambda d: department_sheets(department=d, evaluation_fy=year).count())


def run() -> None:
    from django.contrib.auth import get_user_model

    from perf.pdf import libreoffice_convert, soffice
    from printing import render
    from printing.choices import PrintFormat
    from printing.selectors import department_sheets
    from printing.services import chunk_size_for
    from sheets import exports

    orgs = scale_organizations()
    if not orgs:
        emit("batch", "skipped (no scale data)")
        return
    year = 2025
    org = orgs[0]
    user = get_user_model().objects.get(username=f"scale_{org.lg_code}")
    department = busiest_department(org, year)
    sheets = list(department_sheets(department=department, evaluation_fy=year))
    emit("batch_department", f"{org.name} {department.name} {year} ({len(sheets)} sheets)")
    emit("batch_sheets", len(sheets))

    exports.sheet_export(sheets[0], "pdf")  # warm the fonts, as a worker is warm
    render.documents_pdf([render.sheet_document(sheets[0])])
    size = chunk_size_for(len(sheets))
    chunks = [sheets[i : i + size] for i in range(0, len(sheets), size)]
    # Interleaved, chunk by chunk, so that a change of the machine's load hits both alike.
    # CPU seconds as well: on a shared machine they vary less than the wall clock.
    single, printing_path, printing_cpu = 0.0, 0.0, 0.0
    for round_ in range(2):
        for chunk in chunks:
            a = lambda chunk=chunk: [exports.sheet_export(s, "pdf") for s in chunk]  # noqa: E731
            b = lambda chunk=chunk: render.documents_pdf([render.sheet_document(s) for s in chunk])  # noqa: E731
            for fn in (a, b) if round_ % 2 == 0 else (b, a):
                cpu = time.process_time()
                seconds, _ = timed(fn)
                if fn is a:
                    single += seconds
                else:
                    printing_path += seconds
                    printing_cpu += time.process_time() - cpu
    inprocess = single / 2
    emit("batch_inprocess_per_sheet_s", inprocess / len(sheets))
    emit("batch_inprocess_printing_path_per_sheet_s", printing_path / 2 / len(sheets))
    emit("batch_inprocess_printing_path_cpu_per_sheet_s", printing_cpu / 2 / len(sheets))
    emit("batch_printing_path_vs_sheet_export_ratio", ratio(printing_path, single))

    if soffice():
        work = DATA / "lo-batch"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        files = []
        for i, sheet in enumerate(sheets):
            path = work / f"{i:03d}.xlsx"
            path.write_bytes(exports.sheet_export(sheet, "xlsx").content)
            files.append(path)
        libreoffice_per_sheet = min(libreoffice_convert(files, work / f"pdf{i}") for i in range(2)) / len(
            files
        )
        emit("batch_libreoffice_per_sheet_s", libreoffice_per_sheet)
    else:
        libreoffice_per_sheet = None
        emit("batch_libreoffice", "skipped (not installed)")

    if not HAS_DB_BACKEND:
        emit("batch_workers", "skipped (package django-tasks-db is not installed)")
        return
    # 1 and 2 workers alternately, twice: the best of each is kept, so that a burst of other work on a
    # shared machine does not decide the comparison.
    best: dict[int, tuple[float, object]] = {}
    cpu_per_sheet: dict[int, float] = {}
    speedups = []
    for _round in range(ROUNDS):
        speedups.append(cpu_parallel_speedup())
        for count in WORKER_COUNTS:
            workers = start_workers(count)
            try:
                run_job(user=user, department=department, fmt=PrintFormat.PDF_COMBINED, year=year)  # warm-up
                cpu_before = workers_cpu_seconds(workers)
                seconds, job = run_job(
                    user=user, department=department, fmt=PrintFormat.PDF_COMBINED, year=year
                )
                cpu_after = workers_cpu_seconds(workers)
                if cpu_before is not None and cpu_after is not None:
                    used = (cpu_after - cpu_before) / job.total
                    cpu_per_sheet[count] = min(used, cpu_per_sheet.get(count, used))
                if count not in best or seconds < best[count][0]:
                    best[count] = (seconds, job)
                if count == WORKER_COUNTS[-1] and _round == 0:
                    zip_seconds, zip_job = run_job(
                        user=user, department=department, fmt=PrintFormat.ZIP, year=year
                    )
                    emit(f"batch_{count}w_zip_per_sheet_s", zip_seconds / zip_job.total)
            finally:
                stop_workers(workers)
    emit("batch_cpu_parallel_speedup_2proc", max(speedups))
    per_sheet = {}
    for count, (seconds, job) in sorted(best.items()):
        per_sheet[count] = seconds / job.total
        emit(f"batch_{count}w_seconds", seconds)
        emit(f"batch_{count}w_sheets_per_s", job.total / seconds)
        emit(f"batch_{count}w_per_sheet_s", seconds / job.total)
        emit(f"batch_{count}w_per_sheet_per_core_s", seconds * min(count, os.cpu_count() or 1) / job.total)
        if count in cpu_per_sheet:
            emit(f"batch_{count}w_cpu_per_sheet_s", cpu_per_sheet[count])
        emit(f"batch_{count}w_vs_inprocess_ratio", ratio(seconds / job.total, inprocess / len(sheets)))
        if libreoffice_per_sheet:
            emit(f"batch_{count}w_vs_libreoffice_ratio", ratio(seconds / job.total, libreoffice_per_sheet))
        emit(f"batch_{count}w_result_bytes", job.result.size)
    emit("batch_2w_speedup_over_1w", ratio(per_sheet[1], per_sheet[2]))


if __name__ == "__main__":
    setup_django()
    run()
