"""Published outputs: small counts withheld for readers outside the municipality, real numbers inside."""

import re
import subprocess

from django.core.management import call_command
from django.urls import reverse

from indicators.choices import ValueType
from indicators.models import IndicatorValue
from sheets.choices import SheetStatus
from sheets.models import EvaluationSheet


def _small_actual(sheet):
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    )
    value.value, value.raw_text = 3, "3"
    value.save()
    EvaluationSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.PUBLISHED)


def _shows_three(text: str) -> bool:
    """The small count itself (3人), not 13人 of the peer table."""
    return re.search(r"(?<![\d,])3人", text) is not None


def _pdf_text(content, tmp_path) -> str:
    path = tmp_path / "sheet.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def test_another_municipality_reads_the_published_version(
    demo_sheet, kunitachi_sheet, client, login_as, tmp_path
):
    _small_actual(demo_sheet)
    login_as("kni_staff")
    text = _pdf_text(client.get(reverse("sheets:pdf", args=[demo_sheet.pk])).content, tmp_path)
    assert not _shows_three(text) and " X " in text and "公表用" in text
    assert "1,356" in text  # money is never withheld
    page = client.get(reverse("sheets:detail", args=[demo_sheet.pk])).content.decode()
    assert "公表用" in page


def test_the_municipality_itself_reads_the_real_numbers(demo_sheet, client, login_as, tmp_path):
    _small_actual(demo_sheet)
    login_as("auditor")
    text = _pdf_text(client.get(reverse("sheets:pdf", args=[demo_sheet.pk])).content, tmp_path)
    assert _shows_three(text) and "公表用" not in text
    public = _pdf_text(
        client.get(reverse("sheets:pdf", args=[demo_sheet.pk]) + "?public=1").content, tmp_path
    )
    assert not _shows_three(public) and "公表用" in public


def test_export_sheets_public(demo_sheet, tmp_path):
    _small_actual(demo_sheet)
    call_command("export_sheets", "--year", "2025", "--code", "健福-17", "--public", "--out", str(tmp_path))
    pdf = next(tmp_path.rglob("*.pdf"))
    text = _pdf_text(pdf.read_bytes(), tmp_path)
    assert not _shows_three(text) and "公表用" in text


def test_public_pdfs_of_every_form_embed_only_the_project_font(
    demo_sheet, kunitachi_sheet, okinawa_sheets, tmp_path
):
    """The 公表用 note is set in the sheet's font too: no fallback to a font of the machine."""
    from sheets import exports
    from sheets.demo_policy import kamakura_policy_demo_load

    sheets = [demo_sheet, kunitachi_sheet, okinawa_sheets[0], kamakura_policy_demo_load()]
    assert {s.form_type for s in sheets} == {"kmk_program", "kmk_policy", "kni_policy", "oki_initiative"}
    for sheet in sheets:
        path = tmp_path / f"{sheet.pk}.pdf"
        path.write_bytes(exports.sheet_export(sheet, "pdf", public=True).content)
        listing = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        fonts = {line.split()[0].split("+")[-1] for line in listing.splitlines()[2:]}
        assert fonts == {"HikiIPAexGothic"}, (sheet.form_type, fonts)
        assert "公表用" in _pdf_text(path.read_bytes(), tmp_path)
