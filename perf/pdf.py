"""PDF: the demo 個表 rendered by the app, against WeasyPrint alone and LibreOffice on the same content.

- ``pdf_render_median_s``: ``sheets.exports.sheet_export(sheet, "pdf")`` (queries, context, template,
  WeasyPrint), median of several, warm (fonts loaded once per process, as in a server or worker).
- ``pdf_render_cpu_median_s``: the same, in CPU seconds of this process: steadier than the wall clock on a
  shared machine, where other work takes the cores.
- ``pdf_static_html_median_s``: WeasyPrint rendering the same HTML saved as a static file (baseline:
  what any WeasyPrint app pays); ``pdf_overhead_ratio`` is ours over it (below 1: the app's set-up,
  hikikomori_eval.pdf, is faster than WeasyPrint's defaults).
- ``libreoffice_*``: ``soffice --headless --convert-to pdf`` of the sheet's own Excel export, once per
  file (start-up included) and as a batch of files in one call (per sheet). Skipped without LibreOffice.
"""

from __future__ import annotations

import io
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perf.common import DATA, ROOT, emit, median_time, ratio, setup_django, timed  # noqa: E402

REPEAT = 7
LO_BATCH = 10


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_convert(files: list[Path], outdir: Path) -> float:
    """Seconds for one ``soffice --convert-to pdf`` call over ``files`` (own profile, never the user's)."""
    profile = (DATA / "lo-profile").resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    args = [soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore"]
    args += ["--convert-to", "pdf", "--outdir", str(outdir), *map(str, files)]
    seconds, result = timed(lambda: subprocess.run(args, capture_output=True, timeout=600))
    if result.returncode != 0 or not all((outdir / f"{f.stem}.pdf").exists() for f in files):
        raise RuntimeError(f"LibreOffice failed: {result.stderr.decode(errors='replace')[:500]}")
    return seconds


def demo_sheet():
    from sheets.choices import FormType
    from sheets.models import EvaluationSheet

    return EvaluationSheet.objects.get(
        form_type=FormType.KAMAKURA_PROGRAM,
        evaluation_fy=2025,
        program__code="健福-17",
        organization__lg_code="142042",
    )


def run() -> None:
    from django.template.loader import render_to_string
    from pypdf import PdfReader
    from weasyprint import HTML

    from hikikomori_eval.pdf import font_configuration
    from sheets import exports

    sheet = demo_sheet()
    content = exports.sheet_export(sheet, "pdf").content
    emit("pdf_sheet", "demo 健福-17 令和7年度 個表")
    emit("pdf_pages", len(PdfReader(io.BytesIO(content)).pages))
    emit("pdf_bytes", len(content))

    context = median_time(lambda: exports.sheet_print_context(sheet), repeat=REPEAT)
    template = exports.PRINT_TEMPLATES[sheet.form_type]
    ctx = exports.sheet_print_context(sheet)
    html_time = median_time(lambda: render_to_string(template, ctx), repeat=REPEAT)

    html = render_to_string(template, ctx).replace('href="/static/', f'href="file://{ROOT}/static/')
    static_file = DATA / "static_sheet.html"
    static_file.write_text(html, encoding="utf-8")
    # Interleaved, so that the machine's load changes hit both alike.
    app_times, app_cpu, static_times = [], [], []
    for _ in range(REPEAT):
        cpu = time.process_time()
        app_times.append(timed(lambda: exports.sheet_export(sheet, "pdf"))[0])
        app_cpu.append(time.process_time() - cpu)
        static_times.append(
            timed(lambda: HTML(filename=str(static_file)).write_pdf(font_config=font_configuration()))[0]
        )
    app, static = statistics.median(app_times), statistics.median(static_times)
    emit("pdf_render_median_s", app)
    emit("pdf_render_cpu_median_s", statistics.median(app_cpu))
    emit("pdf_context_median_s", context)
    emit("pdf_template_median_s", html_time)
    emit("pdf_static_html_median_s", static)
    emit("pdf_overhead_ratio", ratio(app, static))
    emit("pdf_render_vs_target_0_5s", ratio(app, 0.5))

    if not soffice():
        emit("libreoffice", "skipped (not installed)")
        return
    work = DATA / "lo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    xlsx = work / "sheet.xlsx"
    xlsx.write_bytes(exports.sheet_export(sheet, "xlsx").content)
    libreoffice_convert([xlsx], work / "warm")  # creates the profile
    single = sorted(libreoffice_convert([xlsx], work / f"single{i}") for i in range(3))[1]
    copies = []
    for i in range(LO_BATCH):
        copy = work / f"sheet{i:02d}.xlsx"
        shutil.copy(xlsx, copy)
        copies.append(copy)
    batch = libreoffice_convert(copies, work / "batch") / LO_BATCH
    emit("libreoffice_single_s", single)
    emit("libreoffice_batch_per_sheet_s", batch)
    emit("pdf_vs_libreoffice_single_ratio", ratio(app, single))
    emit("pdf_vs_libreoffice_batch_ratio", ratio(app, batch))


if __name__ == "__main__":
    setup_django()
    run()
