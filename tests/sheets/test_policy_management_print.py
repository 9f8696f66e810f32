"""施策マネジメントシート (Kunitachi, form 004): the PDF and the sheet page, as a reader sees them."""

import re
import subprocess

import pytest
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from hikikomori_eval.pdf import FONT_FAMILY
from sheets.choices import KNI_TREND_GRADE, FormType
from sheets.demo import global_option
from sheets.exports import PRINT_TEMPLATES, sheet_export, sheet_print_context
from sheets.models import EvaluationSheet, PolicyManagementSheet

HEADINGS = (
    "施策マネジメントシート",
    "施策の目的と指標",
    "第２次基本計画期間（令和２～令和９年度）内における取組内容",
    "総事業費・指標等の実績推移と目標値、実績状況把握",
    "施策の成果指標実績値に対する評価",
    "施策全体の成果実績目標達成度",
    "時系列比較（過去3ヶ年の比較）",
    "施策の現状",
    "施策を取り巻く状況（対象者や根拠法令等）はどう変化しているか？",
    "施策の具体的な取組状況",
    "5年度の評価結果",
    "施策の5年度における総合評価",
    "施策の課題・今後の方向性",
    "7年度の取組方針",
    "中期的な取組方針（概ね実施計画期間を想定）",
)
#: §3 施策コスト of 令和5年度 (the only year with data): label of the row → the one figure it prints.
COST_ROWS = {
    "国庫支出金": "31,371",
    "都道府県支出金": "20,556",
    "地方債": None,
    "その他": None,
    "一般財源": "316,118",
    "事業費計（A）": "368,045",
    "延べ業務時間": "67,820",
    "人件費計（B）": "229,568",
    "トータルコスト(A)＋(B)": "597,613",
    "事務事業数": "24",
}
PDFFONTS_ROW = re.compile(r"(\S+)\s+.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$")


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


def _kunitachi_sheet() -> EvaluationSheet:
    """The demo sheet, loaded inside the module fixture's own transaction (conftest's kunitachi_sheet is
    function-scoped)."""
    from sheets.demo_kunitachi import kunitachi_demo_load

    kunitachi_demo_load()
    return EvaluationSheet.objects.get(form_type=FormType.KUNITACHI_POLICY, evaluation_fy=2024)


@pytest.fixture(scope="module")
def kni_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo sheet exported once for the module; the demo data is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        exported = sheet_export(_kunitachi_sheet(), "pdf")
        transaction.set_rollback(True)
    path = tmp_path_factory.mktemp("pdf") / "kunitachi.pdf"
    path.write_bytes(exported.content)
    return path


@pytest.fixture(scope="module")
def kni_text(kni_pdf):
    return _run("pdftotext", "-layout", str(kni_pdf), "-")


def _tokens(line: str) -> list[str]:
    return re.findall(r"\d[\d,.]*", line)


def _standalone(word: str, text: str) -> list[str]:
    """``word`` as a cell of its own (between blanks), not inside a heading or a sentence."""
    return re.findall(rf"(?<!\S){word}(?!\S)", text)


def test_four_a4_portrait_pages_with_the_forms_footers(kni_pdf, kni_text):
    info = _run("pdfinfo", str(kni_pdf))
    assert re.search(r"Pages:\s+4\b", info)
    assert "595.276 x 841.89" in info  # A4 portrait
    pages = kni_text.split("\f")
    for number, footer in enumerate(("－１枚目－", "－２枚目－", "－３枚目－", "－４枚目－")):
        assert footer in pages[number], footer


def test_section_headings_in_the_forms_order(kni_text):
    position = -1
    for heading in HEADINGS:
        position = kni_text.find(heading, position + 1)
        assert position >= 0, heading


def test_header_and_section_1(kni_text):
    for expected in (
        "保健・福祉",
        "支え合いの地域づくりと自立支援",
        "福祉総務課",
        "国立 一郎",
        "生活福祉担当",
        "・NPO（分野、領域を問わず）",
        "人口（各年４月１日現在）",
        "グループ活動や地域活動に参加していない市民の割合",
        "◆不動産事業者等との連携を強化し、住宅確保要配慮者に対する居住支援を推進します。",
    ):
        assert expected in kni_text, expected


@pytest.mark.parametrize(("label", "figure"), COST_ROWS.items(), ids=range(len(COST_ROWS)))
def test_cost_rows_print_the_subject_year_only(kni_text, label, figure):
    """令和5年度 is the only year with cost data: the other seven years stay blank, never 0."""
    line = next(line for line in kni_text.splitlines() if label in line and re.search("千円|時間|本数", line))
    assert _tokens(line.replace("（A）", "").replace("（B）", "")) == ([figure] if figure else []), line


def test_no_zero_is_printed_for_missing_values(kni_text):
    assert not _standalone("0", kni_text)


def test_indicator_values_and_judgements(kni_text):
    assert "76,423" in kni_text
    assert re.search(r"12\.8\s+14\.8\s+―\s+12\.1", kni_text)  # 1イ 実績値, 令和4年度 not surveyed
    assert len(_standalone("未達成", kni_text)) == 4
    assert len(_standalone("向上", kni_text)) == 1


def test_grades_print_the_choice_only(kni_text):
    assert "E（ほぼ未達成）" in kni_text
    assert "B（どちらかと言えば向上）" in kni_text
    assert "A（高度に達成）～E（ほぼ未達成）" in kni_text
    assert re.search(r"■\s*C：成果向上のため、一層の努力が求められる。", kni_text)
    for code in "ABDE":
        assert re.search(rf"□\s*{code}：", kni_text), code
    assert "提案" not in kni_text  # the suggestion is shown on the page, not printed


def test_narratives_and_the_two_columns_of_5_4(kni_text):
    assert "5年度の取組状況" in kni_text
    assert "6年度の取組予定" in kni_text
    assert "他自治体の取組状況と比較して国立市の取組状況はどうか？" in kni_text
    assert "〇成果実績" in kni_text
    assert "〇改善余地のある事項・課題等" in kni_text
    assert "・増加する生活保護受給世帯に対するケースワークの充実" in kni_text


def test_only_the_projects_font_is_embedded(kni_pdf):
    rows = _run("pdffonts", str(kni_pdf)).splitlines()[2:]
    fonts = [PDFFONTS_ROW.match(row).groups() for row in rows]
    assert fonts
    for name, emb, _sub, _uni in fonts:
        assert emb == "yes", name
        assert FONT_FAMILY in name, name


def _page(client, login_as, sheet) -> str:
    login_as("kni_staff")
    response = client.get(reverse("sheets:detail", args=[sheet.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_the_suggested_grades(client, login_as, kunitachi_sheet):
    body = _page(client, login_as, kunitachi_sheet)
    assert "print_policy_management.css" in body
    assert "提案：E（ほぼ未達成）" in body
    assert "達成した指標の割合 0%" in body
    assert "提案：C（横ばい）" in body
    assert "向上・低下の指数 50%" in body
    assert "提案と2段階以上異なる理由" not in body
    assert "597,613" in body


def test_page_shows_the_reason_a_distant_grade_needs(client, login_as, kunitachi_sheet):
    management = PolicyManagementSheet.objects.get(sheet=kunitachi_sheet)
    management.trend_grade = global_option(KNI_TREND_GRADE, "E")  # suggested C: two steps away
    management.save()
    body = _page(client, login_as, kunitachi_sheet)
    assert "E（かなり低下）" in body
    assert "提案と2段階以上異なる理由" in body
    assert "（未記入）" in body
    management.trend_grade_reason = "調査方法の変更により\n比較できない"
    management.save()
    body = _page(client, login_as, kunitachi_sheet)
    assert "調査方法の変更により<br>比較できない" in body


def test_print_preview_has_no_suggestion(client, login_as, kunitachi_sheet):
    login_as("kni_staff")
    response = client.get(reverse("sheets:pdf", args=[kunitachi_sheet.pk]) + "?format=html")
    assert response.status_code == 200
    body = response.content.decode()
    assert "施策マネジメントシート" in body
    assert "提案：" not in body


def test_city_name_comes_from_the_organization(kunitachi_sheet):
    organization = kunitachi_sheet.organization
    organization.name = "試験市"
    organization.save()
    html = render_to_string(
        PRINT_TEMPLATES[FormType.KUNITACHI_POLICY],
        sheet_print_context(EvaluationSheet.objects.get(pk=kunitachi_sheet.pk)),
    )
    assert "他自治体の取組状況と比較して試験市の取組状況はどうか？" in html
    assert "国立市の取組状況" not in html


def test_a_linked_program_cost_change_reaches_the_pdf(kunitachi_sheet, tmp_path):
    from indicators.choices import FundingSource
    from indicators.models import FundingLine

    line = FundingLine.objects.get(source_type=FundingSource.NATIONAL, cost_record__program__code="12-13")
    line.amount += 100
    line.save()
    record = line.cost_record
    record.amount += 100
    record.save()
    path = tmp_path / "changed.pdf"
    path.write_bytes(sheet_export(kunitachi_sheet, "pdf").content)
    text = _run("pdftotext", "-layout", str(path), "-")
    assert "31,471" in text and "368,145" in text and "597,713" in text
    assert "368,045" not in text
