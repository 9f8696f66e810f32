"""The 「主な取組」検証票 as PDF and Excel: what a reader of the printed demo sheets sees."""

import re
import subprocess
from io import BytesIO

import openpyxl
import pytest
from django.db import transaction

from sheets.choices import FormType
from sheets.exports import sheet_export
from sheets.models import EvaluationSheet
from sheets.workbooks_initiative import DEFINED_NAMES, LAYOUT


def _run(*args) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


@pytest.fixture(scope="module")
def exports(django_db_setup, django_db_blocker, tmp_path_factory):
    """The three demo 検証票 of 令和5年度 as PDF and xlsx, exported once; the demo data is rolled back."""
    from sheets.demo import demo_load

    folder = tmp_path_factory.mktemp("oki")
    result = []
    with django_db_blocker.unblock(), transaction.atomic():
        demo_load()
        sheets = EvaluationSheet.objects.filter(
            form_type=FormType.OKINAWA_INITIATIVE, evaluation_fy=2023
        ).order_by("program__order")
        for sheet in sheets:
            pdf, xlsx = sheet_export(sheet, "pdf"), sheet_export(sheet, "xlsx")
            path = folder / f"{sheet.program.order}.pdf"
            path.write_bytes(pdf.content)
            result.append((pdf, path, xlsx))
        transaction.set_rollback(True)
    return result


@pytest.fixture(scope="module")
def texts(exports):
    return [
        re.sub(r"[ \t]+", " ", _run("pdftotext", "-layout", str(path), "-")) for _pdf, path, _x in exports
    ]


@pytest.fixture(scope="module")
def workbooks(exports):
    return [openpyxl.load_workbook(BytesIO(x.content)) for _p, _path, x in exports]


def test_a4_portrait_one_page_each(exports):
    for pdf, path, _x in exports:
        assert pdf.content_type == "application/pdf"
        info = _run("pdfinfo", str(path))
        assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
        size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.MULTILINE)
        assert (round(float(size.group(1))), round(float(size.group(2)))) == (595, 842)
    assert exports[2][0].filename == "2023_「ひきこもり専門相談窓口」の運営.pdf"


def test_pdf_labels_in_the_forms_order(texts):
    labels = [
        "様式１（主な取組）",
        "「主な取組」検証票",
        "施策展開",
        "施策の小項目名",
        "施策の方向",
        "対応する成果指標",
        "１ 取組の概要（Plan）",
        "年度別計画",
        "活動指標",
        "２ 取組の状況（Do）",
        "予算事業名",
        "令和4年度活動内容",
        "令和5年度活動計画",
        "達成割合",
        "進捗状況の判定根拠、要因及び取組の効果",
        "(２)これまでの改善案の反映状況",
        "令和4年度の取組改善案",
        "３ 取組の検証（Check）",
        "４ 取組の改善案（Action）",
    ]
    text = texts[0].replace("　", " ")
    positions = [text.find(label) for label in labels]
    assert -1 not in positions, [label for label, p in zip(labels, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_pdf_header_and_figures(texts):
    first, meetings, consultations = texts
    assert "2-(5)-ウ 日常生活を支える福祉サービスの向上" in first
    assert "③ひきこもり支援の推進" in first
    assert "保健医療部地域保健課【098-866-2215】" in first.replace(" ", "")
    for text in texts:
        compact = text.replace(" ", "")
        assert "ひきこもり支援推進事業" in compact
        assert "10,31112,622各省計上補助14,310各省計上補助" in compact
    assert re.search(r"1件 +1件（2件） +1件（3件）", first)
    assert re.search(r"1件 +0件 +0件 +1件 +0\.0%", first)
    assert "概ね順調" in first
    assert re.search(r"協議会：4回 +協議会：4回（8回） +協議会：4回（12回）", meetings)
    assert re.search(r"4回 +3回 +6回 +協議会：4回 +100\.0%", meetings)
    assert re.search(r"1,800件 +1,800件（3,600件） +1,800件（5,400件）", consultations)
    assert re.search(r"1,862件 +1,897件 +2,386件 +1,800件 +100\.0%", consultations)
    # The printed form shows the cap only; the raw ratio is on the page and in the workbook.
    assert "150.0%" not in meetings and "132.6%" not in consultations


def test_pdf_check_types_with_their_category(texts):
    compact = texts[1].replace(" ", "")
    assert "⑥他地域等の動向" in compact and "(外部環境の変化)" in compact
    assert "⑤情報発信等の強" in compact  # the type column wraps the label


def test_workbook_cells(workbooks):
    wb = workbooks[2]
    ws = wb["主な取組"]

    def named(name):
        ((title, ref),) = list(ws.defined_names[name].destinations)
        return ws[ref]

    assert {p.name: p.value for p in wb.custom_doc_props.props}["layout"] == LAYOUT
    assert set(DEFINED_NAMES) <= set(ws.defined_names)
    assert named("sheet_title").value == "「主な取組」検証票"
    assert named("initiative").value == "「ひきこもり専門相談窓口」の運営"
    assert [c.value for c in named("plan_values")[0]] == [
        "1,800件",
        "1,800件（3,600件）",
        "1,800件（5,400件）",
    ]
    budget = named("budget")
    assert [c.value for c in budget[2][1:8]] == [10311, 12622, "各省計上", "補助", 14310, "各省計上", "補助"]
    assert budget[2][1].number_format == "#,##0"
    (row,) = named("results")
    assert [c.value for c in row[2:6]] == [1862, 1897, 2386, 1800]
    assert row[4].number_format == '#,##0"件"'
    rate = row[6]
    e, f = f"E{rate.row}", f"F{rate.row}"
    assert rate.value == f'=IF(AND(ISNUMBER({e}),ISNUMBER({f}),{f}<>0),MIN({e}/{f},1),"")'
    assert rate.number_format == "0.0%"
    assert "132.6%" in rate.comment.text
    assert named("progress_status").value == "順調"


def test_workbook_components_and_status(workbooks):
    ws = workbooks[1]["主な取組"]
    ((_t, ref),) = list(ws.defined_names["results"].destinations)
    council, training = ws[ref]
    assert [c.value for c in council[2:6]] == [4, 3, 6, 4]
    assert council[5].number_format == '"協議会："#,##0"回"'
    assert "150.0%" in council[6].comment.text
    assert [c.value for c in training[2:6]] == [1, 1, 1, 1]
    ws1 = workbooks[0]["主な取組"]
    ((_t, ref),) = list(ws1.defined_names["progress_status"].destinations)
    assert ws1[ref].value == "概ね順調"
    ((_t, ref),) = list(ws1.defined_names["reflections"].destinations)
    assert ws1[ref][0][0].value.startswith("センター通信の発行と")
