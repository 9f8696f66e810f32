"""The 行政評価シート【個表】 PDF: what a reader of the printed demo sheet sees, read back with poppler."""

import re
import subprocess

import pytest
from django.db import transaction

from hikikomori_eval.pdf import BASE_URL, FONT_FAMILY, StaticFilesFetcher
from sheets.choices import FormType
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet

TITLE = "令和７年（2025年）度行政評価シート【個表】"


def _demo_sheet() -> EvaluationSheet:
    from sheets.demo import demo_load

    demo_load()
    return EvaluationSheet.objects.get(
        form_type=FormType.KAMAKURA_PROGRAM, evaluation_fy=2025, program__code="健福-17"
    )


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo 健福-17 sheet exported once for the module; the demo data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        exported = sheet_export(_demo_sheet(), "pdf")
        transaction.set_rollback(True)
    path = tmp_path_factory.mktemp("pdf") / "sheet.pdf"
    path.write_bytes(exported.content)
    return exported, path


@pytest.fixture(scope="module")
def pdf_text(demo_pdf):
    return _run("pdftotext", "-layout", str(demo_pdf[1]), "-")


@pytest.fixture
def sheet(db):
    return _demo_sheet()


def test_export_is_a_named_pdf(demo_pdf):
    exported, _path = demo_pdf
    assert exported.content.startswith(b"%PDF-")
    assert exported.content_type == "application/pdf"
    assert exported.filename == "2025_健福-17_ひきこもり対策推進事業.pdf"


def test_about_three_a4_landscape_pages(demo_pdf):
    info = _run("pdfinfo", str(demo_pdf[1]))
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))
    assert 2 <= pages <= 4
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
    width, height = float(size.group(1)), float(size.group(2))
    assert (round(width), round(height)) == (842, 595)  # A4 landscape


def test_header_and_labels(pdf_text):
    for text in (
        TITLE,
        "健福-17",
        "ひきこもり対策推進事業",
        "生活福祉課",
        "4-(1)-①",
        "対象（誰・何を）",
        "令和６年（2024年）度に実施した事業の概要",
        "事業を構成する事務事業（最小事業）実績",
        "この事業に関わる職員数（毎年度４月１日時点）",
        "正規職員等",
        "会計年度任用職員",
        "最小事業評価",
        "視点別評価",
        "総合評価",
        "【今後の方針】",
        "◎事業実施に係る主な指標",
        "当該事業実施に伴う",
    ):
        assert text in pdf_text, text
    assert re.search(r"■\s*自治事務", pdf_text)
    assert re.search(r"□\s*法定受託事務", pdf_text)


FIGURES = (
    # §3 事業費の合計 (決算 / 当初 / 予算), 人件費, 国県支出金 and 一般財源
    *("1,356", "1,830", "1,397", "19,797", "13,145", "678", "917", "700"),
    # §3 達成度 (integer %) and indicator values with their unit
    *("83%", "72%", "78%", "60人", "108人"),
    # 【参考】 達成率 (one decimal)
    *("220.0%", "90.9%", "83.3%", "154.2%", "77.8%"),
    # 他市比較, printed exactly as entered (the full-width １ included)
    *("13人/84人/56回", "1,5１5件"),
)
PDFFONTS_ROW = re.compile(r"(\S+)\s+.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$")


@pytest.mark.parametrize("figure", FIGURES)
def test_figures_are_printed(pdf_text, figure):
    assert figure in pdf_text


def test_direction_checkbox_row(pdf_text):
    assert re.search(r"■\s*拡充", pdf_text)
    for label in ("改善・変更", "現状維持", "縮小", "休止・廃止"):
        assert re.search(rf"□\s*{label}", pdf_text), label


def test_blank_amounts_stay_blank(pdf_text):
    """地方債 and その他特定財源 have no amounts: their rows print no figure, not 0."""
    for label in ("地方債", "その他特定財源"):
        line = next(line for line in pdf_text.splitlines() if label in line)
        assert not re.search(r"\d", line.replace(label, "")), line


def test_only_the_projects_font_is_embedded(demo_pdf):
    rows = _run("pdffonts", str(demo_pdf[1])).splitlines()[2:]
    fonts = [PDFFONTS_ROW.match(row).groups() for row in rows]
    assert fonts
    for name, emb, _sub, _uni in fonts:
        assert emb == "yes", name
        assert "IPAex" in name, name
        assert FONT_FAMILY in name, f"{name}: not the @font-face family of static/fonts/ipaexg.ttf"


def test_fetcher_serves_static_files_only():
    fetcher = StaticFilesFetcher()
    assert fetcher.fetch(BASE_URL + "static/css/print.css").content_type == "text/css"
    for url in (
        "https://example.com/style.css",
        "file:///etc/passwd",
        BASE_URL + "manage.py",
        BASE_URL + "static/../manage.py",
        BASE_URL + "static/%2e%2e/manage.py",
        BASE_URL + "static/css/missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


@pytest.mark.django_db
def test_html_preview(client, django_user_model, sheet):
    client.force_login(django_user_model.objects.create_superuser("pdfadmin", "pdfadmin@example.com", "x"))
    response = client.get(f"/sheets/{sheet.pk}/pdf/?format=html")
    assert response.status_code == 200
    html = response.content.decode()
    assert TITLE in html
    assert "/static/css/print.css" in html
    assert "@page" in html


@pytest.mark.django_db
def test_pdf_view(client, django_user_model, sheet):
    client.force_login(django_user_model.objects.create_superuser("pdfadmin", "pdfadmin@example.com", "x"))
    response = client.get(f"/sheets/{sheet.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
