"""HTML templates to PDF with WeasyPrint, offline and with the project's own Japanese font.

The print template links ``{% static 'css/print.css' %}``; that stylesheet declares the font
(``@font-face { font-family: "HikiIPAexGothic"; src: url(../fonts/ipaexg.ttf) }``), so the browser preview
(``?format=html``) and the PDF use the same file. WeasyPrint resolves every URL against a virtual
origin that never reaches the network: :class:`StaticFilesFetcher` serves files under
``BASE_DIR/static`` and refuses everything else.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

__all__ = ["StaticFilesFetcher", "render_pdf"]

#: The family print.css gives the project's font file; any other font in a PDF is a fallback.
FONT_FAMILY = "HikiIPAexGothic"

#: Base URL of the rendered HTML. Nothing is ever fetched from it: the fetcher maps it to files.
BASE_URL = "http://hikikomori-eval.invalid/"

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_font_config: FontConfiguration | None = None


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


def render_pdf(*, template_name: str, context: dict) -> bytes:
    """Render a Django template and print it to PDF bytes."""
    html = render_to_string(template_name, context)
    # The shared FontConfiguration (a Pango font map) is not meant for concurrent use; rendering is
    # CPU-bound under the GIL anyway, so parallel batches use processes, not threads.
    with _lock:
        html_document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher())
        document = html_document.render(font_config=font_configuration())
        content = document.write_pdf()
    # A character missing from the project's font makes Pango fall back to a font of the machine.
    others = sorted({font.family for font in document.fonts.values()} - {FONT_FAMILY})
    if others:
        logger.warning("%s: PDF uses fonts other than %s: %s", template_name, FONT_FAMILY, ", ".join(others))
    return content
