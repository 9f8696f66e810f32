"""Entry point of ``make perf``: every benchmark, each printing ``name=value`` lines with its baseline.

Usage: ``.venv/bin/python perf/run.py [--only pdf,pages,batch,excel,load]``.

The benchmarks use their own database (``perf/settings.py``: SQLite under ``perf/.data/``, or
``PERF_DATABASE_URL``), built on the first run: migrations, the demo and the scale data
(``PERF_SCALE=municipalities,programs,years``, default 40,150,6, several minutes the first time and
reused afterwards). The load test uses its own PostgreSQL database (``PERF_LOAD_DATABASE_URL``,
default postgres://postgres@127.0.0.1:5432/hikikomori_perf) and is skipped when none is reachable.
Each area runs in its own process, so that one's settings (task backend, database) never leak into
another's. Lines starting with ``#`` are progress, not figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf.common import PYTHON, ROOT, emit, machine_lines, scale_from_env  # noqa: E402

AREAS = ["pdf", "pages", "batch", "excel", "load"]
PREPARE = "from perf.common import setup_django, prepare_database\nsetup_django()\nprepare_database()\n"


def run_area(name: str) -> int:
    started = time.perf_counter()
    print(f"# --- {name}", flush=True)
    result = subprocess.run([PYTHON, str(ROOT / "perf" / f"{name}.py")], cwd=ROOT, env=os.environ.copy())
    emit(f"{name}_benchmark_seconds", time.perf_counter() - started)
    if result.returncode != 0:
        emit(f"{name}", f"failed (exit {result.returncode})")
    return result.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(AREAS), help="comma-separated areas: " + ",".join(AREAS))
    areas = [a for a in parser.parse_args().only.split(",") if a]
    unknown = set(areas) - set(AREAS)
    if unknown:
        parser.error(f"unknown areas: {', '.join(sorted(unknown))}")
    emit("command", " ".join([Path(PYTHON).name, "perf/run.py", *sys.argv[1:]]))
    emit("scale", "{} municipalities x {} programs x {} years".format(*scale_from_env()))
    for name, value in machine_lines():
        emit(name, value)
    if set(areas) & {"pdf", "pages", "batch", "excel"}:
        print("# preparing the benchmark database (first run: several minutes)", flush=True)
        subprocess.run([PYTHON, "-c", PREPARE], cwd=ROOT, check=True)
    failures = sum(run_area(name) != 0 for name in areas)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
