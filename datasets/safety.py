"""Checks an uploaded workbook must pass before openpyxl opens it.

An .xlsx is a zip of XML files. Before any XML is parsed the zip's central directory is read (it is
small and at the end of the file) and the upload is refused, quickly and with a Japanese message, when
it is too large, is not a zip, is a corrupt zip, would expand to too much data (a "zip bomb": total
uncompressed size, number of entries, compression ratio), or carries macros or embedded programs.
The sizes checked are the declared ones: Python's zipfile never inflates an entry beyond its declared
size (it stops there and fails the CRC), so the declared sizes bound what the XML parser can see.

XML itself is parsed by openpyxl through defusedxml (no entity expansion, no external entities):
:func:`ensure_defused_xml` refuses to start without it.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from datasets.report import ImportRejected

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 20 * MB
    max_entries: int = 500
    max_uncompressed_bytes: int = 400 * MB
    #: Compression ratio above which an entry is a bomb (ordinary sheet XML stays below ~30).
    max_ratio: int = 200
    #: Entries smaller than this are not judged by their ratio (tiny files compress oddly).
    ratio_floor_bytes: int = 1 * MB


def limits() -> Limits:
    """The limits in force; ``DATASETS_UPLOAD_LIMITS`` (a dict) in settings overrides single values."""
    return Limits(**getattr(settings, "DATASETS_UPLOAD_LIMITS", {}))


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc and encrypted .xlsx
#: Parts that carry code: VBA projects, Excel 4 macro sheets, ActiveX controls, embedded objects.
_CODE_PARTS = ("vbaproject.bin", "xl/macrosheets/", "xl/activex/", "xl/embeddings/", "xl/dialogsheets/")
_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"ms-office.activex", b"ms-excel.intl.macrosheet")


def ensure_defused_xml() -> None:
    """openpyxl must parse XML with defusedxml; refuse to run without it."""
    from openpyxl import xml as openpyxl_xml

    if not openpyxl_xml.DEFUSEDXML:
        raise ImproperlyConfigured(
            "defusedxml is required to read uploaded workbooks (and OPENPYXL_DEFUSEDXML must not be False)."
        )


def too_large(size: int, limit: int) -> ImportRejected:
    return ImportRejected(
        _("ファイルが大きすぎます（%(size).1f MB、上限 %(limit)d MB）。シートを分けて取り込んでください。")
        % {"size": size / MB, "limit": limit // MB}
    )


def check_upload(file, *, size: int | None = None, name: str = "") -> None:
    """Raise :class:`ImportRejected` unless ``file`` (a binary file object) is a safe .xlsx.

    ``size`` is the upload's size when the caller knows it (an UploadedFile does); it is checked
    before a byte is read. The file position is left at the start.
    """
    lim = limits()
    if size is None:
        file.seek(0, 2)
        size = file.tell()
    file.seek(0)
    if size > lim.max_file_bytes:
        raise too_large(size, lim.max_file_bytes)
    lowered = name.lower()
    if lowered.endswith((".xlsm", ".xltm", ".xlsb")):
        raise ImportRejected(
            _("マクロ有効ブック（%(name)s）は取り込めません。.xlsx で保存し直してください。") % {"name": name}
        )
    head = file.read(8)
    file.seek(0)
    if head.startswith(_OLE_MAGIC):
        raise ImportRejected(
            _("古い形式（.xls）またはパスワード付きのブックです。.xlsx で保存し直してください。")
        )
    if not head.startswith(_ZIP_MAGIC):
        raise ImportRejected(_("Excel のブック（.xlsx）ではありません。"))
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            _check_entries(archive, infos, lim)
    except zipfile.BadZipFile as error:
        raise ImportRejected(_("ファイルが壊れています（ZIP として読めません）。")) from error
    except (OSError, EOFError, ValueError) as error:  # truncated central directory, bad offsets
        raise ImportRejected(_("ファイルが壊れています（ZIP として読めません）。")) from error
    finally:
        file.seek(0)


def _check_entries(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], lim: Limits) -> None:
    if len(infos) > lim.max_entries:
        raise ImportRejected(
            _("ブック内のファイル数が多すぎます（%(count)d 個、上限 %(limit)d 個）。")
            % {"count": len(infos), "limit": lim.max_entries}
        )
    names = {info.filename.lower() for info in infos}
    if "[content_types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRejected(_("Excel のブック（.xlsx）ではありません。"))
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise ImportRejected(_("暗号化されたブックは取り込めません。"))
        lowered = info.filename.lower()
        if any(part in lowered for part in _CODE_PARTS) or lowered.endswith(".bin"):
            raise ImportRejected(_("マクロや埋め込みプログラムを含むブックは取り込めません。"))
        total += info.file_size
        if total > lim.max_uncompressed_bytes:
            raise ImportRejected(
                _(
                    "展開後のサイズが大きすぎます（上限 %(limit)d MB）。"
                    "圧縮爆弾の疑いがあるため取り込みません。"
                )
                % {"limit": lim.max_uncompressed_bytes // MB}
            )
        if info.file_size >= lim.ratio_floor_bytes and info.file_size > lim.max_ratio * max(
            info.compress_size, 1
        ):
            raise ImportRejected(
                _(
                    "圧縮率が異常に高いファイル（%(name)s）を含んでいます。圧縮爆弾の疑いがあるため取り込みません。"
                )
                % {"name": info.filename}
            )
    content_types_info = archive.getinfo(_exact_name(infos, "[content_types].xml"))
    if content_types_info.file_size > lim.ratio_floor_bytes:
        raise ImportRejected(_("Excel のブック（.xlsx）ではありません。"))
    content_types = archive.read(content_types_info).lower()
    if any(marker in content_types for marker in _MACRO_CONTENT_TYPES):
        raise ImportRejected(_("マクロや埋め込みプログラムを含むブックは取り込めません。"))


def _exact_name(infos: list[zipfile.ZipInfo], lowered: str) -> str:
    return next(info.filename for info in infos if info.filename.lower() == lowered)
