"""HTML templates to PDF with WeasyPrint, offline and with the project's own Japanese font.

The print template links ``{% static 'css/print.css' %}``; that stylesheet declares the font
(``@font-face { font-family: "HikiIPAexGothic"; src: url(../fonts/ipaexg.ttf) }``), so the browser preview
(``?format=html``) and the PDF use the same file. WeasyPrint resolves every URL against a virtual
origin that never reaches the network: :class:`StaticFilesFetcher` serves files under
``BASE_DIR/static`` and refuses everything else.

Every PDF of the project goes through :func:`render_document` and :func:`write_pdf` (:func:`render_pdf`
for one template, ``printing.render`` for batches), which share per process:

- one ``FontConfiguration`` (the @font-face file is loaded once) and one ``CounterStyle``;
- the parsed stylesheets: the document's ``<link rel="stylesheet">`` to static files and its ``<style>``
  blocks are taken out of the HTML and handed to WeasyPrint as ready ``CSS`` objects, parsed once per
  process instead of once per document (about a tenth of a sheet's time);
- the cyclic garbage collector is paused while WeasyPrint works (see :func:`_gc_paused`).
"""

from __future__ import annotations

import contextlib
import gc
import html as html_lib
import logging
import mimetypes
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import CSS, HTML, Document
from weasyprint.css.counters import CounterStyle
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["StaticFilesFetcher", "font_configuration", "render_document", "render_pdf", "write_pdf"]

#: The family print.css gives the project's font file; any other font in a PDF is a fallback.
FONT_FAMILY = "HikiIPAexGothic"

#: Base URL of the rendered HTML. Nothing is ever fetched from it: the fetcher maps it to files.
BASE_URL = "http://hikikomori-eval.invalid/"

logger = logging.getLogger(__name__)
#: The shared FontConfiguration (a Pango font map) is not meant for concurrent use; rendering is
#: CPU-bound under the GIL anyway, so parallel batches use processes, not threads.
_lock = threading.Lock()
_font_config: FontConfiguration | None = None
#: @counter-style rules of the cached stylesheets (print_policy_management.css numbers pages －１枚目－).
_counter_style = CounterStyle()
#: Parsed stylesheets by ("url", url, mtime) or ("string", css text, 0); None: to be left in the HTML.
_stylesheets: dict[tuple[str, str, int], CSS | None] = {}
#: Templates have a handful of fixed stylesheets; the cap only guards against generated ones.
_MAX_CACHED = 64

#: The stylesheets of a template, as Django renders them, in document order.
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(?P<href>[^"]+)">|<style>(?P<css>.*?)</style>', re.S)
#: Any stylesheet left in the HTML after taking out the ones above.
_OTHER_STYLESHEET = re.compile(r"<style\b|<link\b[^>]*\bstylesheet\b", re.I)
#: Markup where the patterns above could match what is not a stylesheet of the document (a comment, a
#: script, an SVG's own <style>) or URLs resolve against another base.
_UNCLEAR_MARKUP = re.compile(
    r"<!--|<script\b|<noscript\b|<template\b|<base\b|<svg\b(?:(?!</svg>).)*?<style\b", re.I | re.S
)
#: CSS whose cascade could change in the user origin (see _split_stylesheets); @import: a file unchecked.
_ORIGIN_SENSITIVE = re.compile(r"!\s*important|@import", re.I)


def static_root() -> Path:
    """The folder the PDF may read from (css, fonts, images)."""
    return (Path(settings.BASE_DIR) / "static").resolve()


class StaticFilesFetcher(URLFetcher):
    """Serves ``<STATIC_URL>…`` from ``BASE_DIR/static``; any other URL is refused, never fetched."""

    def __init__(self):
        super().__init__(allowed_protocols=())
        self.root = static_root()
        self.prefix = urljoin(BASE_URL, settings.STATIC_URL)

    def path_for(self, url: str) -> Path:
        if not url.startswith(self.prefix):
            raise ValueError(f"PDF rendering does not fetch {url!r}")
        path = (self.root / unquote(urlsplit(url[len(self.prefix) :]).path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"not a static file: {url!r}")
        return path

    def fetch(self, url, headers=None):
        path = self.path_for(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type})


def font_configuration() -> FontConfiguration:
    """One FontConfiguration per process: the @font-face file is loaded once, not per document."""
    global _font_config
    if _font_config is None:
        _font_config = FontConfiguration()
    return _font_config


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while WeasyPrint works.

    A sheet allocates a few hundred thousand objects: the collector would run hundreds of times per
    sheet, walking the young objects each time and every object of the process at each full collection
    (about a fifth of a sheet's time, measured). Their garbage is collected once, when it is enabled
    again, so memory grows only by one document's garbage.
    """
    if not gc.isenabled():  # paused by the caller: leave it to them
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        _freeze_long_lived_once()
        gc.enable()


_frozen = False


def _freeze_long_lived_once() -> None:
    """After the process's first document: collect its garbage, then exempt every object alive now
    (modules, fonts, parsed stylesheets) from later collections, which then walk only the objects of
    the documents that follow."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()


def _stylesheet(kind: str, source: str) -> CSS | None:
    """The parsed stylesheet of a static URL or of a <style> text, once per process (under _lock).

    A static file is parsed again when it changes, so that an edited print.css shows without a restart.
    """
    fetcher = StaticFilesFetcher()
    path = fetcher.path_for(source) if kind == "url" else None
    key = (kind, source, path.stat().st_mtime_ns if path else 0)
    if key not in _stylesheets:
        text = path.read_text(errors="replace") if path else source
        common = dict(url_fetcher=fetcher, font_config=font_configuration(), counter_style=_counter_style)
        if _ORIGIN_SENSITIVE.search(text):
            sheet = None
        elif path:
            sheet = CSS(url=source, **common)
        else:
            sheet = CSS(string=source, base_url=BASE_URL, **common)
        if len(_stylesheets) >= _MAX_CACHED:
            _stylesheets.clear()
        _stylesheets[key] = sheet
    return _stylesheets[key]


def _split_stylesheets(html: str) -> tuple[str, list[CSS]] | None:
    """The HTML without its stylesheets, and those parsed, in document order; None to keep them in.

    WeasyPrint applies ready ``CSS`` objects in the user origin, after the document's own (author)
    stylesheets. Taking all of them out keeps their order, so the cascade is the same as in the HTML
    as long as none uses ``!important`` (user !important would win over author) or ``@import``; the
    ``style`` attributes stay author and win as before. Otherwise the HTML is rendered as it is.
    """
    if _UNCLEAR_MARKUP.search(html):
        return None
    static_prefix = urljoin(BASE_URL, settings.STATIC_URL)
    sources = []

    def take(match) -> str:
        if match["href"] is None:
            sources.append(("string", match["css"]))
        else:
            sources.append(("url", urljoin(BASE_URL, html_lib.unescape(match["href"]))))
        return ""

    stripped = _STYLESHEET.sub(take, html)
    if _OTHER_STYLESHEET.search(stripped) or any(
        kind == "url" and not url.startswith(static_prefix) for kind, url in sources
    ):
        return None
    try:
        sheets = [_stylesheet(kind, source) for kind, source in sources]
    except ValueError:  # a missing file: WeasyPrint reports it and renders without it, as before
        return None
    if None in sheets:
        return None
    return stripped, sheets


def render_document(html: str) -> Document:
    """Lay out an HTML page of the project (a print template rendered by Django) with WeasyPrint."""
    with _lock, _gc_paused():
        split = _split_stylesheets(html)
        content, stylesheets = split if split else (html, [])
        return HTML(string=content, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(
            font_config=font_configuration(), counter_style=_counter_style, stylesheets=stylesheets
        )


def write_pdf(documents: list[Document], *, name: str = "") -> bytes:
    """One PDF of the pages of laid-out documents, in order (the fonts are embedded once).

    ``name`` identifies the PDF in log messages.
    """
    with _lock, _gc_paused():
        document = (
            documents[0]
            if len(documents) == 1
            else documents[0].copy([page for document in documents for page in document.pages])
        )
        content = document.write_pdf()
    # A character missing from the project's font makes Pango fall back to a font of the machine.
    # The fonts of a document are known once it is written.
    others = sorted({font.family for font in document.fonts.values()} - {FONT_FAMILY})
    if others:
        logger.warning("%s: PDF uses fonts other than %s: %s", name or "PDF", FONT_FAMILY, ", ".join(others))
    return content


def render_pdf(*, template_name: str, context: dict) -> bytes:
    """Render a Django template and print it to PDF bytes."""
    html = render_to_string(template_name, context)
    return write_pdf([render_document(html)], name=template_name)
