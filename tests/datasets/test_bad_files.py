"""Files that must be refused quickly, with a clear message, and with nothing written."""

import io
import zipfile

import pytest

from datasets.report import ImportRejected
from datasets.safety import MB, check_upload
from datasets.services import import_apply, import_preview

from .conftest import column_letter, find_row, save_bytes, table_snapshot


def _rewrite(
    content: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """A copy of the xlsx ``content`` with some entries replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, data in add.items():
            dst.writestr(name, data)
    return out.getvalue()


def _refused(content: bytes, cli_user, name="upload.xlsx") -> str:
    before = table_snapshot()
    report = import_apply(io.BytesIO(content), name=name, user=cli_user)
    assert not report.ok
    assert table_snapshot() == before
    assert len(report.file_errors) == 1
    return report.file_errors[0]


@pytest.fixture
def dataset(demo, export_bytes):
    return export_bytes()


def test_not_an_xlsx(demo, cli_user):
    assert _refused("団体コード,値\r\n142042,1\r\n".encode("utf-8-sig"), cli_user, "d.csv") == (
        "Excel のブック（.xlsx）ではありません。"
    )


def test_old_xls(demo, cli_user):
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    assert "古い形式（.xls）" in _refused(ole, cli_user, "d.xls")


def test_a_zip_that_is_no_workbook(demo, cli_user):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert _refused(out.getvalue(), cli_user) == "Excel のブック（.xlsx）ではありません。"


def test_corrupt_zip(dataset, cli_user):
    assert (
        _refused(dataset[: len(dataset) // 2], cli_user) == "ファイルが壊れています（ZIP として読めません）。"
    )


def test_corrupt_entry_inside_a_valid_zip(dataset, cli_user):
    damaged = bytearray(dataset)
    with zipfile.ZipFile(io.BytesIO(dataset)) as archive:
        info = archive.getinfo("xl/worksheets/sheet4.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + 64
    damaged[start : start + 32] = b"\xff" * 32
    assert "壊れている" in _refused(bytes(damaged), cli_user)


def test_zip_bomb_by_compression_ratio(dataset, cli_user):
    bomb = _rewrite(dataset, add={"xl/media/zeros.xml": b"\0" * (60 * MB)})
    assert len(bomb) < 2 * MB
    assert "圧縮爆弾" in _refused(bomb, cli_user)


def test_zip_bomb_by_total_size(dataset, cli_user, settings):
    settings.DATASETS_UPLOAD_LIMITS = {"max_uncompressed_bytes": 64 * 1024}
    assert "展開後のサイズが大きすぎます" in _refused(dataset, cli_user)


def test_zip_bomb_by_entry_count(dataset, cli_user):
    many = _rewrite(dataset, add={f"xl/media/{i}.xml": b"<a/>" for i in range(600)})
    assert "ファイル数が多すぎます" in _refused(many, cli_user)


def test_xml_entity_bomb(dataset, cli_user):
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    bomb = _rewrite(dataset, replace={"xl/worksheets/sheet4.xml": laughs})
    assert "危険な XML" in _refused(bomb, cli_user)


def test_macros(dataset, cli_user):
    with_vba = _rewrite(dataset, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    assert _refused(with_vba, cli_user) == "マクロや埋め込みプログラムを含むブックは取り込めません。"
    assert "マクロ有効ブック" in _refused(dataset, cli_user, name="d.xlsm")
    with zipfile.ZipFile(io.BytesIO(dataset)) as archive:
        types = archive.read("[Content_Types].xml")
    macro_types = types.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert macro_types != types
    assert "マクロ" in _refused(_rewrite(dataset, replace={"[Content_Types].xml": macro_types}), cli_user)


def test_formula_in_a_value_cell(demo, export_bytes, open_xlsx, cli_user):
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    row = find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値")
    ws[f"{column_letter(ws, '値')}{row}"] = "=60+5"
    before = table_snapshot()
    report = import_apply(io.BytesIO(save_bytes(wb)), name="d.xlsx", user=cli_user)
    assert [e.text for e in report.rejected] == [
        f"指標値シート {row}行目 O列（値）: 数式は取り込めません（値として貼り付けてください）"
    ]
    assert table_snapshot() == before


def test_wrong_layout(demo, export_bytes, open_xlsx, cli_user):
    wb = open_xlsx(export_bytes())
    wb["指標値"]["O1"] = "数値"
    assert _refused(save_bytes(wb), cli_user) == (
        "指標値シート 1行目: 列見出し「値」がありません（出力したときの列見出しのまま取り込んでください）"
    )
    from openpyxl import Workbook

    other = Workbook()
    other.active.append(["何か", "別の表"])
    assert "取り込める形式ではありません" in _refused(save_bytes(other), cli_user)


def test_program_sheet_workbook_whose_rows_moved(demo_sheet, open_xlsx, cli_user):
    from sheets.exports import sheet_export

    wb = open_xlsx(sheet_export(demo_sheet, "xlsx").content)
    ws = wb.worksheets[0]
    ws.insert_rows(20)  # rows shift; the defined names do not follow in openpyxl
    assert "構成が、現在の評価シートと一致しません" in _refused(save_bytes(wb), cli_user)


def test_a_50_mb_file_is_refused_before_it_is_read(demo, cli_user):
    big = b"PK\x03\x04" + b"\0" * (50 * MB)
    assert _refused(big, cli_user).startswith("ファイルが大きすぎます（50.0 MB、上限 20 MB）")


def test_check_upload_uses_the_given_size_without_reading(demo):
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read before the size check")

    with pytest.raises(ImportRejected, match="大きすぎます"):
        check_upload(Unreadable(), size=50 * MB, name="big.xlsx")


def test_preview_reports_the_file_error_too(demo, cli_user):
    report = import_preview(io.BytesIO(b"not a workbook"), name="x.xlsx", user=cli_user)
    assert report.file_errors == ["Excel のブック（.xlsx）ではありません。"]
