"""The import: accepted variants, cell-precise rejections, atomicity, locks and rights."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from datasets.choices import Action
from datasets.services import import_apply, import_preview
from indicators.choices import CostBasis, ValueStatus, ValueType
from indicators.models import CostRecord, IndicatorValue
from sheets.choices import SheetStatus

from .conftest import column_letter, find_row, save_bytes, table_snapshot


def _edit(wb, sheet, match, **cells):
    ws = wb[sheet]
    row = find_row(ws, **match)
    for header, value in cells.items():
        ws[f"{column_letter(ws, header)}{row}"] = value
    return row


def _value(name, fy, value_type):
    return IndicatorValue.objects.get(indicator__program__name=name, fiscal_year=fy, value_type=value_type)


HIKI_1 = {"事業番号": "健福-17", "枝番": 1}


@pytest.fixture
def edited(demo, export_bytes, open_xlsx):
    """Edit the demo dataset workbook with openpyxl and return its bytes."""

    def _edited(*edits):
        wb = open_xlsx(export_bytes())
        rows = [_edit(wb, sheet, match, **cells) for sheet, match, cells in edits]
        return save_bytes(wb), rows

    return _edited


def test_real_world_variants_are_accepted(edited, cli_user):
    content, _rows = edited(
        ("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"年度": "令和6年度", "値": "６４人"}),
        ("指標値", {**HIKI_1, "年度": 2024, "値の種類": "目標値"}, {"年度": "R6", "値": "未実施"}),
        ("指標値", {**HIKI_1, "年度": 2025, "値の種類": "目標値"}, {"値": "―", "注記": "事業見直し中"}),
        (
            "事業費",
            {"事業番号": "健福-17", "枝番": 5, "年度": 2024, "区分": "決算"},
            {"事業費（千円）": "1,２00"},
        ),
    )
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert report.ok, report.lines()
    actual = _value("ひきこもり家庭等相談支援事業", 2024, ValueType.ACTUAL)
    assert (actual.value, actual.status, actual.raw_text) == (64, ValueStatus.OK, "６４人")
    target = _value("ひきこもり家庭等相談支援事業", 2024, ValueType.TARGET)
    assert (target.value, target.status) == (None, ValueStatus.NOT_CONDUCTED)  # a status, never 0
    next_target = _value("ひきこもり家庭等相談支援事業", 2025, ValueType.TARGET)
    assert (next_target.status, next_target.note) == (ValueStatus.NOT_APPLICABLE, "事業見直し中")
    assert (
        CostRecord.objects.get(program__name="居場所事業", fiscal_year=2024, basis="settlement").amount
        == 1200
    )


def test_a_value_that_is_not_a_number_is_rejected_with_its_cell(edited, cli_user):
    content, (row,) = edited(("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"値": "七十二"}))
    report = import_preview(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert not report.ok
    assert [e.text for e in report.rejected] == [
        f'指標値シート {row}行目 O列（値）: 数値ではありません（"七十二"）'
    ]


def test_one_bad_row_writes_nothing(edited, cli_user):
    content, _rows = edited(
        ("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"値": 70}),
        ("事業費", {"事業番号": "健福-17", "枝番": 3, "年度": 2024, "区分": "決算"}, {"事業費（千円）": -5}),
    )
    before = table_snapshot()
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert not report.ok
    assert [e.message for e in report.rejected] == ["金額は0以上で入力してください"]
    assert [e.new for e in report.changes] == ["70"]  # what would have changed is still reported
    assert table_snapshot() == before


def test_unknown_keys_are_rejected(edited, cli_user):
    content, (row, cost_row) = edited(
        ("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"指標名": "存在しない指標"}),
        ("事業費", {"事業番号": "健福-17", "枝番": 3, "年度": 2024, "区分": "決算"}, {"区分": "補正"}),
    )
    report = import_preview(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert [(e.row, e.column, e.message) for e in report.rejected] == [
        (row, "J", "指標「存在しない指標」がありません（指標の追加は画面で行ってください）"),
        (cost_row, "K", "区分「補正」が分かりません（決算・決算見込・当初予算・予算）"),
    ]


def test_funding_that_no_longer_adds_up_is_rejected(edited, cli_user):
    """V-SUM, checked by the edit form's own funding_problems: 国県支出金 above the 事業費."""
    content, _rows = edited(
        (
            "事業費",
            {"事業番号": "健福-17", "枝番": None, "年度": 2024, "区分": "決算"},
            {"国県支出金（千円）": 5000},
        )
    )
    report = import_preview(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert not report.ok
    assert "特定財源の合計 5,000 千円が事業費の合計 1,356 千円を上回っています" in report.rejected[0].message


def test_locked_sheet_is_refused_but_its_unchanged_rows_are_fine(edited, demo_sheet, cli_user):
    demo_sheet.locked_at = timezone.now()
    demo_sheet.status = SheetStatus.APPROVED
    demo_sheet.save()
    unchanged, _rows = edited()
    assert import_preview(io.BytesIO(unchanged), name="d.xlsx", user=cli_user).ok
    content, (row,) = edited(("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"値": 61}))
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert [(e.row, e.message) for e in report.rejected] == [
        (row, "令和7年度の評価シート（健福-17）は確定済みのため変更できません")
    ]
    assert _value("ひきこもり家庭等相談支援事業", 2024, ValueType.ACTUAL).value == 60


def test_published_sheet_is_refused(edited, demo_sheet, cli_user):
    demo_sheet.status = SheetStatus.PUBLISHED
    demo_sheet.save()
    content, _rows = edited(("指標値", {**HIKI_1, "年度": 2025, "値の種類": "目標値"}, {"値": 80}))
    report = import_preview(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert report.rejected[0].message == "令和7年度の評価シート（健福-17）は公開のため変更できません"


@pytest.mark.parametrize(
    ("username", "code", "ok"),
    [
        ("staff", "健福-17", True),  # staff of 生活福祉課, the owner unit
        ("staff", "健福-05", False),  # owned by 福祉総務課
        ("auditor", "健福-17", False),  # auditors read, never write
        ("admin", "健福-05", True),
    ],
)
def test_rows_the_user_may_not_edit_are_refused(edited, username, code, ok):
    user = get_user_model().objects.get(username=username)
    content, _rows = edited(
        ("指標値", {"事業番号": code, "枝番": 1, "年度": 2024, "値の種類": "実績値"}, {"値": 99})
    )
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=user)
    assert report.ok is ok
    if not ok:
        assert report.rejected[0].message == f"この事業（{code}）を変更する権限がありません"


def test_duplicate_rows_are_rejected(demo, export_bytes, open_xlsx, cli_user):
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    row = find_row(ws, **HIKI_1, 年度=2024, 値の種類="実績値")
    ws.append([c.value for c in ws[row]])
    report = import_preview(io.BytesIO(save_bytes(wb)), name="d.xlsx", user=cli_user)
    assert report.rejected[0].message == f"同じ指標・年度・値の種類の行が {row}行目 にもあります"


def test_blank_value_deletes_and_new_rows_create(edited, cli_user):
    content, _rows = edited(("指標値", {**HIKI_1, "年度": 2025, "値の種類": "目標値"}, {"値": None}))
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert [(e.action, e.old, e.new) for e in report.changes] == [(Action.CHANGED, "72", "")]
    assert not IndicatorValue.objects.filter(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2025, value_type=ValueType.TARGET
    ).exists()


def test_new_value_row_and_new_cost_record_are_created(demo, export_bytes, open_xlsx, cli_user):
    wb = open_xlsx(export_bytes())
    ws = wb["指標値"]
    source = [c.value for c in ws[find_row(ws, **HIKI_1, 年度=2024, 値の種類="実績値")]]
    headers = [c.value for c in ws[1]]
    source[headers.index("年度")] = 2023
    source[headers.index("値")] = 58
    source[headers.index("暫定値")] = "○"
    ws.append(source)
    costs = wb["事業費"]
    row = [c.value for c in costs[find_row(costs, 事業番号="健福-17", 枝番=3, 年度=2024, 区分="決算")]]
    cost_headers = [c.value for c in costs[1]]
    row[cost_headers.index("区分")] = "決算見込"
    row[cost_headers.index("事業費（千円）")] = 700
    costs.append(row)
    report = import_apply(io.BytesIO(save_bytes(wb)), name="d.xlsx", user=cli_user)
    assert report.ok, report.lines()
    assert {e.action for e in report.changes} == {Action.CREATED}
    created = _value("ひきこもり家庭等相談支援事業", 2023, ValueType.ACTUAL)
    assert (created.value, created.provisional) == (Decimal(58), True)
    assert (
        CostRecord.objects.get(
            program__name="ひきこもり周知啓発等事業", fiscal_year=2024, basis=CostBasis.SETTLEMENT_ESTIMATE
        ).amount
        == 700
    )


def test_a_stale_sheet_dimension_does_not_hide_rows(edited, cli_user):
    """Some tools save a wrong <dimension>; read-only openpyxl would stop there without reset_dimensions."""
    import re
    import zipfile

    content, (row,) = edited(
        ("指標値", {"事業番号": "健福-05", "枝番": 2, "年度": 2025, "値の種類": "目標値"}, {"値": 9})
    )
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet4.xml":
                data = re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:C2"', data)
            dst.writestr(info.filename, data)
    report = import_preview(io.BytesIO(out.getvalue()), name="d.xlsx", user=cli_user)
    assert [(e.row, e.new) for e in report.changes] == [(row, "9")]


def test_a_locked_year_is_refused_even_without_a_sheet(edited, cli_user):
    from sheets.models import FiscalYear, Organization

    FiscalYear.objects.create(
        organization=Organization.objects.get(lg_code="142042"), evaluation_fy=2025, locked_at=timezone.now()
    )
    content, _rows = edited(("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"値": 61}))
    report = import_apply(io.BytesIO(content), name="d.xlsx", user=cli_user)
    assert [e.message for e in report.rejected] == ["令和7年度は確定済みのため変更できません"]


def test_applied_changes_are_in_the_audit_history_with_the_user(edited):
    staff = get_user_model().objects.get(username="staff")
    content, _rows = edited(("指標値", {**HIKI_1, "年度": 2024, "値の種類": "実績値"}, {"値": 61}))
    assert import_apply(io.BytesIO(content), name="d.xlsx", user=staff).ok
    value = _value("ひきこもり家庭等相談支援事業", 2024, ValueType.ACTUAL)
    latest = value.history.order_by("-history_date", "-history_id").first()
    assert (latest.value, latest.history_user, latest.history_type) == (61, staff, "~")
