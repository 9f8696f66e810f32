"""The dataset export: headers, keys and cell types of the workbook, filters, CSV."""

import csv
import datetime
import io
import zipfile
import zoneinfo
from decimal import Decimal

import pytest

from datasets.definitions import DATASET_SHEETS, INFO_SHEET_TITLE, LAYOUT
from datasets.selectors import DatasetScope
from datasets.services import export_write
from indicators.choices import AchievementMethod, CostBasis, IndicatorKind, ValueStatus, ValueType
from indicators.models import IndicatorValue
from sheets.choices import OrgUnitKind, SheetStatus
from sheets.models import EvaluationSheet
from tests.factories import (
    CostRecordFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    OrganizationFactory,
    OrgUnitFactory,
    ProgramFactory,
)

from .conftest import find_row


def _row(ws, row_number) -> dict:
    headers = [c.value for c in ws[1]]
    return {h: c for h, c in zip(headers, ws[row_number], strict=False)}


def test_every_sheet_has_the_defined_japanese_headers(demo, export_bytes, open_xlsx):
    wb = open_xlsx(export_bytes())
    assert wb.sheetnames == [INFO_SHEET_TITLE, *(spec.title for spec in DATASET_SHEETS)]
    for spec in DATASET_SHEETS:
        assert [c.value for c in wb[spec.title][1]] == spec.headers
    info = {row[0]: row[1] for row in wb[INFO_SHEET_TITLE].iter_rows(min_row=2, values_only=True)}
    assert info["形式の版"] == LAYOUT
    assert info["評価年度"] == "令和7年度"
    assert info["対象年度"].startswith("令和2年度〜令和7年度")


def test_numbers_are_numbers_codes_are_text_and_achievement_is_computed(demo, export_bytes, open_xlsx):
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    actual = _row(ws, find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値"))
    assert actual["団体コード"].data_type == "s" and actual["団体コード"].value == "142042"
    assert actual["事業番号"].value == "健福-17"
    assert actual["年度"].value == 2024 and actual["和暦"].value == "令和6年度"
    assert actual["値"].value == 60 and actual["値"].data_type == "n"
    # 60 / 72 with indicators.calculations, kept as a fraction and shown as percent
    assert actual["達成度"].value == pytest.approx(60 / 72)
    assert actual["達成度"].number_format == "0.0%"
    target = _row(ws, find_row(ws, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="目標値"))
    assert target["値"].value == 72 and target["達成度"].value is None

    costs = wb["事業費"]
    cost = _row(costs, find_row(costs, 事業番号="健福-17", 枝番=3, 年度=2024, 区分="決算"))
    assert cost["事業費（千円）"].value == 720 and cost["事業費（千円）"].number_format == "#,##0"
    funding = _row(costs, find_row(costs, 事業番号="健福-17", 枝番=None, 年度=2024, 区分="決算"))
    assert funding["国県支出金（千円）"].value == 678
    assert funding["一般財源（千円）"].value is None  # blank stays blank, never 0
    assert funding["財源内訳の合計（千円）"].value == 678


def test_dates_are_dates_and_statuses_are_text(demo, demo_sheet, export_bytes, open_xlsx):
    demo_sheet.sheet_date = datetime.date(2025, 6, 4)
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")
    demo_sheet.locked_at = datetime.datetime(2025, 7, 1, 9, 30, tzinfo=tokyo)
    demo_sheet.status = SheetStatus.APPROVED
    demo_sheet.save()
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2025, value_type=ValueType.TARGET
    )
    value.value, value.status = None, ValueStatus.NOT_CONDUCTED
    value.save()
    wb = open_xlsx(export_bytes())
    sheets = wb["評価シート"]
    row = _row(sheets, find_row(sheets, **{"事業番号・施策番号": "健福-17"}))
    # Excel has no time zones: the local (Asia/Tokyo) wall time is written
    assert row["作成日"].is_date and row["作成日"].value.date() == datetime.date(2025, 6, 4)
    assert row["確定日時"].is_date
    assert row["確定日時"].value.replace(tzinfo=tokyo) == demo_sheet.locked_at
    assert row["状態"].value == "承認済"
    assert row["今後の方針"].value == "拡充"
    values = wb["指標値"]
    token = _row(values, find_row(values, 事業番号="健福-17", 枝番=1, 年度=2025, 値の種類="目標値"))
    assert token["値"].value == "未実施" and token["値"].data_type == "s"


def test_capped_ratio_keeps_the_raw_ratio(db, export_bytes, open_xlsx):
    indicator = IndicatorFactory(
        achievement_method=AchievementMethod.RATIO_CAPPED, display_cap=Decimal(1), kind=IndicatorKind.OUTCOME
    )
    IndicatorValueFactory(indicator=indicator, fiscal_year=2025, value_type=ValueType.TARGET, value=4)
    IndicatorValueFactory(indicator=indicator, fiscal_year=2025, value_type=ValueType.ACTUAL, value=6)
    ws = open_xlsx(export_bytes())["指標値"]
    row = _row(ws, find_row(ws, 値の種類="実績値"))
    assert row["達成度"].value == 1 and row["達成度（上限なし）"].value == 1.5


def test_department_and_organisation_filters(db, open_xlsx):
    org = OrganizationFactory()
    health = OrgUnitFactory(organization=org, kind=OrgUnitKind.DEPARTMENT, name="健康福祉部")
    welfare = OrgUnitFactory(organization=org, parent=health, name="生活福祉課")
    other = OrgUnitFactory(organization=org, kind=OrgUnitKind.DEPARTMENT, name="総務部")
    mine = ProgramFactory(organization=org, owner_unit=welfare, code="健福-1")
    theirs = ProgramFactory(organization=org, owner_unit=other, code="総務-1")
    stranger = ProgramFactory(code="他-1")
    for program in (mine, theirs, stranger):
        CostRecordFactory(program=program, fiscal_year=2024, basis=CostBasis.SETTLEMENT)

    def codes(**scope):
        out = io.BytesIO()
        export_write(DatasetScope(evaluation_fy=2025, **scope), "xlsx", out)
        ws = open_xlsx(out.getvalue())["事業"]
        return sorted(row[2] for row in ws.iter_rows(min_row=2, values_only=True))

    assert codes() == ["他-1", "健福-1", "総務-1"]
    assert codes(organization_ids=(org.pk,)) == ["健福-1", "総務-1"]
    assert codes(organization_ids=(org.pk,), department_id=health.pk) == ["健福-1"]


def test_policy_filter_keeps_the_programs_linked_to_the_policy(demo, open_xlsx):
    from sheets.models import PolicyNode

    node = PolicyNode.objects.get(code="4-(1)-①")
    out = io.BytesIO()
    export_write(DatasetScope(evaluation_fy=2025, policy_node_id=node.pk), "xlsx", out)
    ws = open_xlsx(out.getvalue())["事業"]
    assert {row[2] for row in ws.iter_rows(min_row=2, values_only=True)} == {"健福-17", "健福-18", "健福-05"}


def test_csv_zip_has_one_utf8_bom_file_per_sheet(demo):
    out = io.BytesIO()
    export_write(DatasetScope(evaluation_fy=2025), "csv", out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.namelist() == [f"{spec.slug}.csv" for spec in DATASET_SHEETS]
        raw = archive.read("indicator_values.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == DATASET_SHEETS[2].headers
    row = next(r for r in rows if r[2] == "健福-17" and r[3] == "1" and r[11] == "2024" and r[13] == "実績値")
    assert row[14] == "60" and row[17] == "83.3%"
    assert b"\r\n" in raw


def test_single_csv_with_sheet(demo, tmp_path):
    path = tmp_path / "costs.csv"
    export_write(DatasetScope(evaluation_fy=2025), "csv", str(path), sheet="costs")
    text = path.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8-sig").splitlines()[0].startswith("団体コード,団体名,事業番号")


def test_csv_text_never_starts_a_formula(db):
    program = ProgramFactory(name="=HYPERLINK(1)")
    CostRecordFactory(program=program)
    out = io.BytesIO()
    export_write(DatasetScope(evaluation_fy=2025), "csv", out, sheet="programs")
    rows = list(csv.reader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    assert rows[1][4] == "'=HYPERLINK(1)"


def test_text_is_never_written_as_a_formula_in_xlsx(db, export_bytes, open_xlsx):
    ProgramFactory(name="=1+1")
    ws = open_xlsx(export_bytes())["事業"]
    assert ws["E2"].value == "=1+1" and ws["E2"].data_type == "s"


def test_sheets_of_other_years_are_not_exported(demo, export_bytes, open_xlsx):
    assert EvaluationSheet.objects.filter(evaluation_fy=2025).exists()
    ws = open_xlsx(export_bytes(year=2030))["評価シート"]
    assert ws.max_row == 1


def test_resources_take_their_headers_from_the_definitions():
    from datasets.definitions import sheet_by_slug
    from datasets.resources import RESOURCES

    assert set(RESOURCES) == {"programs", "indicators", "staffing", "evaluations", "sub_program_evaluations"}
    for slug, resource in RESOURCES.items():
        assert resource().get_export_headers() == sheet_by_slug(slug).headers


def test_reading_uploads_requires_defused_xml(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured
    from openpyxl import xml as openpyxl_xml

    from datasets.safety import ensure_defused_xml

    ensure_defused_xml()
    monkeypatch.setattr(openpyxl_xml, "DEFUSEDXML", False)
    with pytest.raises(ImproperlyConfigured):
        ensure_defused_xml()
