"""Rendering several sheets at once, with the project's PDF set-up (hikikomori_eval.pdf).

The print stylesheets a template links (``print.css`` …) are parsed once per process and handed to
WeasyPrint as ready stylesheets instead of being fetched, parsed and compiled for every sheet (about a
tenth of a sheet's time; see perf/RESULTS.md). The printed result is the same: they only style
``.sheet-print`` and the template's own ``<style>`` (``@page``) never sets the same properties.

A combined chunk is laid out sheet by sheet and written as one PDF: the font subset is embedded once
per chunk instead of once per sheet, which makes the writing faster and the file about four times
smaller than concatenating one PDF per sheet. Page numbers stay per sheet (each sheet is laid out as
its own document).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.css.counters import CounterStyle

from hikikomori_eval import pdf
from sheets import exports

logger = logging.getLogger(__name__)
_LINK = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)">')
_stylesheets: dict[str, CSS] = {}
#: @counter-style rules of those stylesheets (print_policy_management.css numbers pages －１枚目－).
_counter_style = CounterStyle()


def _stylesheet(url: str) -> CSS:
    """The parsed stylesheet of a static URL, parsed once per process (call under the pdf lock)."""
    if url not in _stylesheets:
        _stylesheets[url] = CSS(
            url=url,
            url_fetcher=pdf.StaticFilesFetcher(),
            font_config=pdf.font_configuration(),
            counter_style=_counter_style,
        )
    return _stylesheets[url]


def split_stylesheets(html: str) -> tuple[str, list[str]]:
    """The HTML without its links to static stylesheets, and their absolute URLs in document order."""
    static_prefix = urljoin(pdf.BASE_URL, settings.STATIC_URL)
    urls = []

    def take(match) -> str:
        url = urljoin(pdf.BASE_URL, match["href"])
        if not url.startswith(static_prefix):
            return match.group(0)
        urls.append(url)
        return ""

    return _LINK.sub(take, html), urls


def sheet_html(sheet) -> str:
    """The print HTML of a sheet (the same template and context as its single PDF)."""
    return render_to_string(exports.PRINT_TEMPLATES[sheet.form_type], exports.sheet_print_context(sheet))


def sheet_document(sheet):
    """The laid-out WeasyPrint document of a sheet, with the shared font configuration."""
    html, urls = split_stylesheets(sheet_html(sheet))
    # The lock of hikikomori_eval.pdf: the shared FontConfiguration is not safe for concurrent use.
    with pdf._lock:
        stylesheets = [_stylesheet(url) for url in urls]
        document = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.StaticFilesFetcher()).render(
            font_config=pdf.font_configuration(), counter_style=_counter_style, stylesheets=stylesheets
        )
    others = sorted({font.family for font in document.fonts.values()} - {pdf.FONT_FAMILY})
    if others:
        logger.warning("sheet %s: PDF uses fonts other than %s: %s", sheet.pk, pdf.FONT_FAMILY, others)
    return document


def documents_pdf(documents) -> bytes:
    """One PDF of the pages of several laid-out documents, in order."""
    pages = [page for document in documents for page in document.pages]
    with pdf._lock:
        return documents[0].copy(pages).write_pdf()


def concatenate_pdfs(parts) -> bytes:
    """Concatenate PDF files (bytes or binary files) with pypdf, keeping their bookmarks."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part) if isinstance(part, bytes) else part)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
