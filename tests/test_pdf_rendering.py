"""The shared PDF path: stylesheets parsed once, and the HTML rendered as it is when that is unsafe."""

import subprocess

import pytest

from hikikomori_eval import pdf

PAGE = (
    '<html lang="ja"><head><link rel="stylesheet" href="/static/css/print.css">'
    '<style>p {{ color: #000; }}</style></head><body class="sheet-print">{body}</body></html>'
)


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_plain_page_hands_its_stylesheets_over_parsed_once():
    html = PAGE.format(body="<p>行政評価</p>")
    stripped, sheets = pdf._split_stylesheets(html)
    assert len(sheets) == 2 and "<style>" not in stripped and "print.css" not in stripped
    assert pdf._split_stylesheets(html)[1][0] is sheets[0]  # the cached object, not parsed again


@pytest.mark.parametrize(
    "body",
    [
        "<!-- <style>p { color: red }</style> --><p>行政評価</p>",
        '<svg><style>text { font-size: 8px }</style><text x="0" y="10">行政評価</text></svg>',
        '<p style="color: red">行政評価</p><style>p { color: blue !important }</style>',
    ],
    ids=["comment", "svg-style", "important"],
)
def test_unclear_markup_is_rendered_as_it_is(body, tmp_path):
    html = PAGE.format(body=body)
    assert pdf._split_stylesheets(html) is None
    assert "行政評価" in _text(pdf.write_pdf([pdf.render_document(html)]), tmp_path)


def test_the_collector_is_back_after_a_document_with_the_process_objects_frozen(tmp_path):
    """Paused while WeasyPrint works, never left off; what outlives the first document (fonts, parsed
    stylesheets) is exempt from later collections."""
    import gc

    content = pdf.write_pdf([pdf.render_document(PAGE.format(body="<p>行政評価</p>"))])
    assert "行政評価" in _text(content, tmp_path)
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
