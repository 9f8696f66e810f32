"""The command line: demo loading and batch export."""

import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from indicators.models import CostRecord, IndicatorValue
from sheets.models import EvaluationSheet, Program


def _counts():
    return (
        EvaluationSheet.objects.count(),
        Program.objects.count(),
        IndicatorValue.objects.count(),
        CostRecord.objects.count(),
    )


@pytest.mark.django_db
def test_load_demo_is_idempotent(capsys):
    call_command("load_demo")
    first = _counts()
    call_command("load_demo")
    call_command("load_demo", "--reset")
    assert _counts() == first
    # 鎌倉市: 3 個表 and 1 施策の方針 (令和7年度); 沖縄県: 3 検証票 of 令和5年度 and the 3 of 令和4年度;
    # 国立市: 1 施策マネジメントシート.
    assert first[0] == 3 + 1 + 6 + 1
    assert "読み込み済み" in capsys.readouterr().out


def _written(folder) -> list[str]:
    """The exported files as organisation folder / file name."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_export_sheets_writes_the_okinawa_initiative_sheets(okinawa_sheets, tmp_path):
    call_command("export_sheets", "--year", "R5", "--format", "xlsx", "--out", str(tmp_path))
    assert _written(tmp_path) == [
        "470007_沖縄県/2023_「ひきこもり専門相談窓口」の運営.xlsx",
        "470007_沖縄県/2023_ひきこもり支援に関する情報発信及び「ひきこもり専門相談窓口」の周知.xlsx",
        "470007_沖縄県/2023_市町村との連携及び支援者研修の充実.xlsx",
    ]


def test_export_sheets_writes_one_pdf_per_sheet(demo, tmp_path):
    call_command("export_sheets", "--year", "2025", "--format", "pdf", "--out", str(tmp_path))
    files = _written(tmp_path)
    assert len(files) == 3
    assert "142042_鎌倉市/2025_健福-17_ひきこもり対策推進事業.pdf" in files
    assert all((tmp_path / name).read_bytes().startswith(b"%PDF") for name in files)


def test_export_sheets_filters_by_code_and_accepts_wareki_and_full_width(demo, tmp_path):
    call_command(
        "export_sheets",
        "--year",
        "令和7年度",
        "--code",
        "健福-１７",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
    )
    assert _written(tmp_path) == ["142042_鎌倉市/2025_健福-17_ひきこもり対策推進事業.xlsx"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "2031"], "2031年度の評価シートはありません"),
        (["--year", "2025", "--code", "健福-99"], "番号 健福-99 の2025年度"),
        (["--year", "2025", "--form", "kni_policy"], "様式 施策マネジメントシート の2025年度"),
        (["--year", "2025", "--organization", "470007"], "団体コード 470007"),
        (["--year", "来年"], "年度として読めません"),
    ],
)
def test_export_sheets_fails_with_a_message(demo, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_sheets", *args, "--out", str(tmp_path))


def test_export_sheets_exits_non_zero_from_the_shell(tmp_path):
    """Batch scripts see the failure: manage.py exits 1 with the message on stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", "export_sheets", "--year", "来年", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hikikomori_eval.settings.test"},
    )
    assert result.returncode == 1
    assert "年度として読めません" in result.stderr


def test_export_sheets_writes_every_form_of_the_year_and_filters_by_form(demo, kunitachi_sheet, tmp_path):
    from sheets.demo_policy import kamakura_policy_demo_load

    kamakura_policy_demo_load()
    call_command("export_sheets", "--year", "2025", "--format", "xlsx", "--out", str(tmp_path / "all"))
    assert len(_written(tmp_path / "all")) == 3 + 1  # three 個表 and the 施策の方針
    call_command(
        "export_sheets",
        "--year",
        "R7",
        "--form",
        "kmk_policy",
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "p"),
    )
    assert _written(tmp_path / "p") == ["142042_鎌倉市/2025_4-(1)-①_多様性のある福祉サービスの充実.pdf"]
    call_command(
        "export_sheets", "--year", "2024", "--organization", "１３２１５２", "--out", str(tmp_path / "k")
    )
    assert _written(tmp_path / "k") == ["132152_国立市/2024_12_支え合いの地域づくりと自立支援.pdf"]
