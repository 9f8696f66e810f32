"""export_dataset and import_workbook: files, the report on stdout and the exit codes."""

import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from datasets.management.commands.import_workbook import Command as ImportCommand
from indicators.choices import ValueType
from indicators.models import IndicatorValue

from .conftest import column_letter, find_row, save_bytes, table_snapshot


def _changed_workbook(path, open_xlsx, value):
    wb = open_xlsx(path.read_bytes())
    ws = wb["指標値"]
    row = find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値")
    ws[f"{column_letter(ws, '値')}{row}"] = value
    out = path.with_name("changed.xlsx")
    out.write_bytes(save_bytes(wb))
    return out, row


def test_export_dataset_xlsx_and_csv(demo, tmp_path, capsys):
    call_command(
        "export_dataset", "--year", "令和7年度", "--format", "xlsx", "--out", str(tmp_path / "d.xlsx")
    )
    assert (tmp_path / "d.xlsx").read_bytes().startswith(b"PK")
    call_command("export_dataset", "--year", "R7", "--format", "csv", "--out", str(tmp_path / "d.zip"))
    with zipfile.ZipFile(tmp_path / "d.zip") as archive:
        assert "indicator_values.csv" in archive.namelist()
    call_command(
        "export_dataset",
        "--year",
        "2025",
        "--format",
        "csv",
        "--sheet",
        "costs",
        "--out",
        str(tmp_path / "c.csv"),
    )
    assert (tmp_path / "c.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert "行を書き出しました" in capsys.readouterr().out


def test_export_dataset_filters_and_refuses_unknown_values(demo, tmp_path):
    call_command(
        "export_dataset",
        "--year",
        "2025",
        "--department",
        "健康福祉部",
        "--policy",
        "４-(1)-①",
        "--out",
        str(tmp_path / "d.xlsx"),
    )
    with pytest.raises(CommandError, match="年度として読めません"):
        call_command("export_dataset", "--year", "来年", "--out", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="部「総務部」を特定できません"):
        call_command(
            "export_dataset", "--year", "2025", "--department", "総務部", "--out", str(tmp_path / "x.xlsx")
        )


def test_import_workbook_dry_run_then_apply(demo, tmp_path, open_xlsx, capsys):
    call_command("export_dataset", "--year", "2025", "--out", str(tmp_path / "d.xlsx"))
    path, row = _changed_workbook(tmp_path / "d.xlsx", open_xlsx, 66)
    before = table_snapshot()
    call_command("import_workbook", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert f"指標値シート {row}行目 O列（値）: 変更 60 → 66" in out
    assert "確認のみ" in out
    assert table_snapshot() == before
    call_command("import_workbook", str(path))
    assert "反映しました" in capsys.readouterr().out
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    )
    assert value.value == 66


def test_import_workbook_exits_non_zero_on_rejection(demo, tmp_path, open_xlsx, capsys, monkeypatch):
    call_command("export_dataset", "--year", "2025", "--out", str(tmp_path / "d.xlsx"))
    path, row = _changed_workbook(tmp_path / "d.xlsx", open_xlsx, "七十二")
    before = table_snapshot()
    # run_from_argv (what manage.py runs) closes every connection at the end: keep the test database's.
    monkeypatch.setattr("django.core.management.base.connections", SimpleNamespace(close_all=lambda: None))
    with pytest.raises(SystemExit) as exit_info:
        ImportCommand(stdout=io.StringIO(), stderr=io.StringIO()).run_from_argv(
            ["manage.py", "import_workbook", str(path)]
        )
    assert exit_info.value.code == 1
    assert table_snapshot() == before
    with pytest.raises(CommandError, match="何も反映していません"):
        call_command("import_workbook", str(path), "--dry-run")
    assert f'指標値シート {row}行目 O列（値）: 数値ではありません（"七十二"）' in capsys.readouterr().out


def test_import_workbook_as_a_user_without_rights(demo, tmp_path, open_xlsx, capsys):
    call_command("export_dataset", "--year", "2025", "--out", str(tmp_path / "d.xlsx"))
    path, _row = _changed_workbook(tmp_path / "d.xlsx", open_xlsx, 61)
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path), "--user", "auditor")
    assert "この事業（健福-17）を変更する権限がありません" in capsys.readouterr().out


def test_import_workbook_refuses_a_bad_file(demo, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError):
        call_command("import_workbook", str(path))
    assert "Excel のブック（.xlsx）ではありません。" in capsys.readouterr().out
