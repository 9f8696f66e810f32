"""Round trip: export, change cells in Excel, import: exactly the changed values change."""

import io
from decimal import Decimal

from datasets.choices import Action
from datasets.services import import_apply, import_preview
from indicators.choices import CostBasis, FundingSource, ValueType
from indicators.models import CostRecord, FundingLine, IndicatorValue
from sheets.exports import sheet_export

from .conftest import column_letter, diff, find_row, save_bytes, table_snapshot


def _value(code_sub_name, fy, value_type):
    return IndicatorValue.objects.get(
        indicator__program__name=code_sub_name, fiscal_year=fy, value_type=value_type
    )


def test_dataset_round_trip_changes_exactly_the_two_edited_cells(demo, export_bytes, open_xlsx, cli_user):
    wb = open_xlsx(export_bytes())
    values = wb["指標値"]
    row = find_row(values, 事業番号="健福-17", 枝番=1, 年度=2024, 値の種類="実績値")
    values[f"{column_letter(values, '値')}{row}"] = 65
    costs = wb["事業費"]
    cost_row = find_row(costs, 事業番号="健福-17", 枝番=3, 年度=2024, 区分="決算")
    costs[f"{column_letter(costs, '事業費（千円）')}{cost_row}"] = "７５０"
    content = save_bytes(wb)
    before = table_snapshot()

    report = import_preview(io.BytesIO(content), name="dataset.xlsx", user=cli_user)

    assert report.ok, report.lines()
    assert [(e.sheet, e.row, e.action, e.old, e.new) for e in report.changes] == [
        ("指標値", row, Action.CHANGED, "60", "65"),
        ("事業費", cost_row, Action.CHANGED, "720", "750"),
    ]
    assert table_snapshot() == before  # the dry run wrote nothing

    applied = import_apply(io.BytesIO(content), name="dataset.xlsx", user=cli_user)

    assert applied.ok
    changed = diff(before, table_snapshot())
    value = _value("ひきこもり家庭等相談支援事業", 2024, ValueType.ACTUAL)
    record = CostRecord.objects.get(
        program__name="ひきこもり周知啓発等事業", fiscal_year=2024, basis="settlement"
    )
    assert changed == {
        "values": {
            (value.indicator_id, 2024, "actual"): ((Decimal(60), "ok", False, ""), (65, "ok", False, ""))
        },
        "costs": {(record.program_id, None, 2024, "settlement"): ((720, None, None), (750, None, None))},
    }
    assert value.raw_text == "65"


def test_an_unchanged_export_imports_as_unchanged(demo, export_bytes, cli_user):
    before = table_snapshot()
    report = import_apply(io.BytesIO(export_bytes()), name="dataset.xlsx", user=cli_user)
    assert report.ok and not report.has_changes
    assert report.counts[Action.UNCHANGED] > 0
    assert table_snapshot() == before


def test_program_sheet_workbook_round_trip(demo_sheet, open_xlsx, cli_user):
    """The 個表 export: change a sub-program's 実績値 and 決算 and a funding line; exactly those change."""
    wb = open_xlsx(sheet_export(demo_sheet, "xlsx").content)
    ws = wb.worksheets[0]
    first_sub = ws.defined_names["sub_programs"].attr_text.split("!")[1].split(":")[0].replace("$", "")
    row = int("".join(ch for ch in first_sub if ch.isdigit()))
    assert ws[f"B{row}"].value == "ひきこもり家庭等相談支援事業"
    ws[f"E{row}"] = "６２人"  # full-width digits with the unit
    ws[f"H{row + 1}"] = "1,049"  # 出張旅費 決算 49 → 1,049 千円 (一般財源 stays derived)
    funding = ws.defined_names["funding"].attr_text.split("!")[1].split(":")[0].replace("$", "")
    funding_row = int("".join(ch for ch in funding if ch.isdigit()))
    assert ws[f"D{funding_row}"].value == "国県支出金"
    ws[f"K{funding_row}"] = 700
    content = save_bytes(wb)
    before = table_snapshot()

    report = import_preview(io.BytesIO(content), name="健福-17.xlsx", user=cli_user)

    assert report.ok, report.lines()
    assert report.layout == "kmk_program"
    assert sorted((e.column, e.old, e.new) for e in report.changes) == [
        ("E", "60", "62"),
        ("H", "49", "1049"),
        ("K", "697", "700"),
    ]
    assert import_apply(io.BytesIO(content), name="健福-17.xlsx", user=cli_user).ok
    changed = diff(before, table_snapshot())
    assert set(changed) == {"values", "costs", "lines"}
    assert [new for _old, new in changed["values"].values()] == [(62, "ok", False, "")]
    assert [new for _old, new in changed["costs"].values()] == [(1049, None, None)]
    line = FundingLine.objects.get(
        cost_record__program=demo_sheet.program,
        cost_record__fiscal_year=2025,
        cost_record__basis=CostBasis.BUDGET,
        source_type=FundingSource.NATIONAL_PREFECTURAL,
    )
    assert line.amount == 700
    assert [new for _old, new in changed["lines"].values()] == [700]
