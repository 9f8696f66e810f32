"""Excel: the 100,000-row dataset export (time, peak memory) and the import of 10,000 value rows.

- Export: ``datasets.services.export_write`` of a scope of scale municipalities holding about
  100,000 rows, in a fresh process (peak RSS from ``getrusage``). Baseline of the same run: raw
  xlsxwriter in ``constant_memory`` mode writing the same rows (read streaming from the dataset's own
  CSV export of the same scope), also in a fresh process.
- Import: dry run and commit (rolled back afterwards) of a dataset workbook with 10,000 changed
  values. Baseline: openpyxl reading the same workbook in read-only mode (the floor of any import).

Skipped with a line when the datasets app is not installed.
"""

from __future__ import annotations

import csv
import io
import json
import math
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf.common import DATA, PYTHON, ROOT, emit, ratio, scale_organizations, setup_django, timed  # noqa: E402

TARGET_ROWS = 100_000
IMPORT_ROWS = 10_000
YEAR = 2025


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class RssSampler:
    """The highest resident set size seen while the block runs (sampled every few milliseconds)."""

    def __enter__(self):
        import threading

        self.start = self.peak = _rss_mb()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def _scope(org_ids):
    from datasets.selectors import DatasetScope

    return DatasetScope(evaluation_fy=YEAR, organization_ids=tuple(org_ids))


def child_export(org_ids: list[int], target: str) -> dict:
    """In a fresh process: the app's export of the scope."""
    from datasets.services import export_info, export_write

    scope = _scope(org_ids)
    with RssSampler() as rss:
        seconds, rows = timed(lambda: export_write(scope, "xlsx", target, info=export_info(scope)))
    return {"seconds": seconds, "rows": rows, "peak_mb": rss.peak, "start_mb": rss.start}


def _cell(text: str):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def child_raw(csv_zip: str, target: str) -> dict:
    """In a fresh process: raw xlsxwriter (constant memory) writing the rows of the CSV export."""
    import xlsxwriter

    def write() -> int:
        rows = 0
        wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False})
        with zipfile.ZipFile(csv_zip) as archive:
            for name in archive.namelist():
                ws = wb.add_worksheet(Path(name).stem[:31])
                with archive.open(name) as raw:
                    for r, row in enumerate(csv.reader(io.TextIOWrapper(raw, encoding="utf-8-sig"))):
                        for c, text in enumerate(row):
                            ws.write(r, c, _cell(text) if r else text)
                        rows += 1 if r else 0
        wb.close()
        return rows

    with RssSampler() as rss:
        seconds, rows = timed(write)
    return {"seconds": seconds, "rows": rows, "peak_mb": rss.peak, "start_mb": rss.start}


def _child(*args) -> dict:
    out = subprocess.run(
        [PYTHON, str(ROOT / "perf" / "excel.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _scope_for_rows(orgs, target: int) -> list[int]:
    from datasets.writers import row_count

    per_org = row_count(_scope([orgs[0].pk]))
    count = min(len(orgs), max(1, math.ceil(target / per_org)))
    return [o.pk for o in orgs[:count]]


def run_export(org_ids: list[int]) -> None:
    from datasets.services import export_write

    xlsx, csv_zip, raw = DATA / "dataset.xlsx", DATA / "dataset_csv.zip", DATA / "raw.xlsx"
    export_write(_scope(org_ids), "csv", str(csv_zip))
    app = _child("export", ",".join(map(str, org_ids)), xlsx)
    base = _child("raw", csv_zip, raw)
    emit("excel_export_rows", app["rows"])
    emit("excel_export_municipalities", len(org_ids))
    emit("excel_export_s", app["seconds"])
    emit("excel_raw_xlsxwriter_s", base["seconds"])
    emit("excel_export_ratio", ratio(app["seconds"], base["seconds"]))
    emit("excel_process_max_rss_mb", _child("maxrss")["peak_mb"])
    emit("excel_export_peak_rss_mb", app["peak_mb"])
    emit("excel_export_rss_growth_mb", app["peak_mb"] - app["start_mb"])
    emit("excel_raw_peak_rss_mb", base["peak_mb"])
    emit("excel_raw_rss_growth_mb", base["peak_mb"] - base["start_mb"])
    emit("excel_export_bytes", xlsx.stat().st_size)


def _changed_workbook(source: Path, changes: int) -> tuple[bytes, int]:
    """A dataset workbook of ``changes`` rows of 指標値, each value changed by one.

    Only values of the evaluation year are taken: earlier years belong to approved, locked sheets
    and would be refused. Rows absent from an imported workbook are left as they are.
    """
    from openpyxl import Workbook, load_workbook

    src = load_workbook(source, read_only=True)
    rows = src["指標値"].iter_rows(values_only=True)
    header = next(rows)
    year_col, value_col = header.index("年度"), header.index("値")
    out = Workbook(write_only=True)
    ws = out.create_sheet("指標値")
    ws.append(header)
    edited = 0
    for row in rows:
        if edited >= changes:
            break
        if row[year_col] == YEAR and isinstance(row[value_col], int | float):
            ws.append([*row[:value_col], row[value_col] + 1, *row[value_col + 1 :]])
            edited += 1
    src.close()
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue(), edited


def run_import(org_ids: list[int]) -> None:
    from django.db import transaction
    from openpyxl import load_workbook

    from datasets.services import COMMAND_LINE_USER, export_write, import_apply, import_preview

    source = DATA / "import_source.xlsx"
    export_write(_scope(org_ids), "xlsx", str(source), sheet="indicator_values")
    content, edited = _changed_workbook(source, IMPORT_ROWS)
    emit("excel_import_changed_values", edited)
    emit("excel_import_workbook_bytes", len(content))

    def read_only():
        wb = load_workbook(io.BytesIO(content), read_only=True)
        for ws in wb.worksheets:
            for _row in ws.iter_rows(values_only=True):
                pass
        wb.close()

    baseline, _ = timed(read_only)
    dry, report = timed(lambda: import_preview(io.BytesIO(content), name="perf.xlsx", user=COMMAND_LINE_USER))
    emit("excel_openpyxl_read_s", baseline)
    emit("excel_import_dry_run_s", dry)
    emit("excel_import_dry_run_ratio", ratio(dry, baseline))
    emit("excel_import_ok", report.ok)
    if not report.ok:
        problems = report.file_errors or [entry.text for entry in report.rejected[:3]]
        emit("excel_import_problems", " / ".join(map(str, problems[:3])))
        return
    with transaction.atomic():
        commit, _ = timed(lambda: import_apply(io.BytesIO(content), name="perf.xlsx", user=COMMAND_LINE_USER))
        transaction.set_rollback(True)  # the benchmark database keeps its values
    emit("excel_import_commit_s", commit)
    emit("excel_import_commit_ratio", ratio(commit, baseline))


def run() -> None:
    try:
        import datasets.services  # noqa: F401
    except ImportError:
        emit("excel_dataset_export", "skipped (datasets app missing)")
        return
    orgs = scale_organizations()
    if not orgs:
        emit("excel", "skipped (no scale data)")
        return
    from indicators.models import IndicatorValue

    run_export(_scope_for_rows(orgs, TARGET_ROWS))
    per_org = IndicatorValue.objects.filter(indicator__organization=orgs[0], fiscal_year=YEAR).count()
    run_import([o.pk for o in orgs[: min(len(orgs), math.ceil(IMPORT_ROWS * 1.05 / max(per_org, 1)))]])


if __name__ == "__main__":
    setup_django()
    if len(sys.argv) > 1 and sys.argv[1] == "export":
        print(json.dumps(child_export([int(x) for x in sys.argv[2].split(",")], sys.argv[3])))
    elif len(sys.argv) > 1 and sys.argv[1] == "maxrss":
        print(json.dumps({"peak_mb": _peak_mb()}))  # a process that only set Django up
    elif len(sys.argv) > 1 and sys.argv[1] == "raw":
        print(json.dumps(child_raw(sys.argv[2], sys.argv[3])))
    else:
        run()
