"""Shared helpers of the benchmarks: Django set-up on the benchmark database, timing, output.

Every figure is printed as one ``name=value`` line, and each comes with the baseline it is compared
with, measured in the same run: on a shared or noisy machine the ratio stays meaningful when the
absolute times do not.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("PERF_DATA_DIR", ROOT / "perf" / ".data"))
PYTHON = sys.executable
#: municipalities,programs per municipality,years of the scale data (DESIGN.md: 40 × 150 × 6).
DEFAULT_SCALE = "40,150,6"


def setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perf.settings")
    import django

    django.setup()


def emit(name: str, value) -> None:
    if isinstance(value, float):
        value = f"{value:.4g}" if abs(value) < 1000 else f"{value:.0f}"
    print(f"{name}={value}", flush=True)


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def median_time(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    return statistics.median(timed(fn)[0] for _ in range(repeat))


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def scale_from_env() -> tuple[int, int, int]:
    municipalities, programs, years = (int(x) for x in os.environ.get("PERF_SCALE", DEFAULT_SCALE).split(","))
    return municipalities, programs, years


def prepare_database(log=print) -> None:
    """Migrate the benchmark database, load the demo and build the scale data (only what is missing)."""
    from django.core.management import call_command

    from sheets.demo import demo_is_loaded, demo_load
    from sheets.scale_data import ScaleSpec, generate

    call_command("migrate", verbosity=0, interactive=False)
    if not demo_is_loaded():
        demo_load()
    municipalities, programs, years = scale_from_env()
    spec = ScaleSpec(municipalities=municipalities, programs_per=programs, years=years)
    started = time.perf_counter()
    created = generate(spec, only_missing=True, log=lambda line: log(f"# scale data {line}"))
    if created:
        log(f"# scale data: {created} municipalities built in {time.perf_counter() - started:.0f} s")


def scale_organizations():
    from sheets.models import Organization
    from sheets.scale_data import municipality_codes

    municipalities, _programs, _years = scale_from_env()
    prefectures = 47 if municipalities > 100 else 1
    codes = municipality_codes(municipalities, prefectures=prefectures)
    return list(Organization.objects.filter(lg_code__in=codes).order_by("lg_code"))


def machine_lines() -> list[tuple[str, str]]:
    """What the figures were measured on."""

    def run(*args) -> str:
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    memory = run("free", "-g").splitlines()
    lines = [
        ("machine_nproc", str(os.cpu_count())),
        ("machine_memory_gib", memory[1].split()[1] if len(memory) > 1 else "?"),
        ("machine_cpu", _cpu_model()),
        ("machine_python", platform.python_version()),
        ("machine_load_1min", f"{os.getloadavg()[0]:.2f}"),
    ]
    try:
        import weasyprint

        lines.append(("machine_weasyprint", weasyprint.__version__))
    except ImportError:
        pass
    soffice = shutil.which("soffice")
    if soffice:
        lines.append(("machine_libreoffice", " ".join(run(soffice, "--version").split()[1:2])))
    if shutil.which("psql"):
        lines.append(("machine_postgresql", run("psql", "--version").replace("psql (PostgreSQL) ", "")))
    return lines


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip().replace(" ", "_")
    except OSError:
        pass
    return platform.processor() or "?"
