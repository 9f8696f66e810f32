"""program_sheet_save: writes every section, keeps tokens as statuses, refuses stale saves, all or nothing."""

import dataclasses
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.models import BenchmarkEntry
from hikikomori_eval.numbers import parse_value
from indicators.choices import IndicatorKind, ValueStatus, ValueType
from indicators.models import CostRecord, Indicator, IndicatorValue
from sheets import services
from sheets.choices import ProgramKind
from sheets.models import ChoiceOption, EvaluationSheet, Program, ProgramYear, SubProgramEvaluation
from sheets.selectors import program_sheet_context
from sheets.services import (
    BenchmarkEntryInput,
    ReferenceIndicatorInput,
    StaleSheetError,
    SubProgramInput,
    program_sheet_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(demo):
    return get_user_model().objects.get(username="staff")


def current(sheet):
    return services.program_sheet_edit_state(sheet_id=sheet.pk).data


def replace_row(data, index, **changes):
    rows = list(data.sub_programs)
    rows[index] = dataclasses.replace(rows[index], **changes)
    return dataclasses.replace(data, sub_programs=tuple(rows))


def save(sheet, data, by):
    sheet.refresh_from_db()
    return program_sheet_save(sheet=sheet, data=data, by=by, expected_version=sheet.version)


def printed(sheet):
    """The figures the sheet page prints, to compare before and after a save."""
    ctx = program_sheet_context(sheet_id=sheet.pk)
    return {
        "rows": [
            (
                r.branch_no,
                r.name,
                r.main_expenses,
                str(r.indicator or ""),
                r.actual_s.text,
                r.target_s.text,
                r.achievement_s.text,
                r.target_e.text,
                r.settlement_s,
                r.initial_budget_s,
                r.budget_e,
            )
            for r in ctx.sub_rows
        ],
        "funding": [(f.source_type, f.amounts, f.derived) for f in ctx.funding_rows],
        "project_costs": ctx.project_costs,
        "personnel_costs": ctx.personnel_costs,
        "staff": [(s.category.code, s.ftes) for s in ctx.staff_rows],
        "viewpoints": [v.answer_text for v in ctx.viewpoints],
        "directions": ctx.directions,
        "references": [
            ([c.text for c in r.targets], [c.text for c in r.actuals], [c.text for c in r.rates])
            for r in ctx.reference_indicators
        ],
        "benchmarks": [
            (c.subject_text, [(e.org_name, e.metric_label, e.value_text) for e in c.entries.all()])
            for c in ctx.benchmark_comparisons
        ],
        "texts": (ctx.activities_summary, ctx.direction_text, ctx.benchmark_rationale, ctx.evaluators),
        "header": (ctx.owner_unit_name, ctx.related_unit_names, ctx.field_label, ctx.policy_label),
    }


def test_saving_the_current_values_changes_nothing_but_the_version(demo_sheet, staff):
    before = printed(demo_sheet)
    saved = save(demo_sheet, current(demo_sheet), staff)
    assert saved.version == 2
    assert saved.updated_by == staff
    assert printed(demo_sheet) == before


def test_save_writes_values_and_the_page_recomputes(demo_sheet, staff):
    data = replace_row(current(demo_sheet), 0, actual_s=parse_value("６６"), main_expenses="相談員報酬")
    save(demo_sheet, data, staff)
    value = IndicatorValue.objects.get(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2024, value_type=ValueType.ACTUAL
    )
    assert (value.value, value.status, value.raw_text) == (Decimal(66), ValueStatus.OK, "６６")
    row = program_sheet_context(sheet_id=demo_sheet.pk).sub_rows[0]
    assert row.achievement_s.text == "92%"
    assert row.main_expenses == "相談員報酬"


def test_status_token_is_stored_as_status_not_zero(demo_sheet, staff):
    data = replace_row(current(demo_sheet), 0, target_e=parse_value("未定"), actual_s=parse_value("未実施"))
    save(demo_sheet, data, staff)
    values = {
        v.value_type + str(v.fiscal_year): v
        for v in IndicatorValue.objects.filter(indicator__program__name="ひきこもり家庭等相談支援事業")
    }
    assert (values["target2025"].status, values["target2025"].value, values["target2025"].raw_text) == (
        ValueStatus.PENDING,
        None,
        "未定",
    )
    assert (values["actual2024"].status, values["actual2024"].value) == (ValueStatus.NOT_CONDUCTED, None)
    row = program_sheet_context(sheet_id=demo_sheet.pk).sub_rows[0]
    assert (row.target_e.text, row.actual_s.text, row.achievement_s.text) == ("未定", "未実施", "")


def test_blank_value_deletes_the_stored_value(demo_sheet, staff):
    save(demo_sheet, replace_row(current(demo_sheet), 0, target_e=services.BLANK_VALUE), staff)
    assert not IndicatorValue.objects.filter(
        indicator__program__name="ひきこもり家庭等相談支援事業", fiscal_year=2025
    ).exists()


def test_stale_version_is_refused_and_nothing_changes(demo_sheet, staff):
    other = get_user_model().objects.get(username="evaluator")
    save(demo_sheet, current(demo_sheet), other)  # someone else saved first: version 2
    before = printed(demo_sheet)
    data = replace_row(current(demo_sheet), 0, actual_s=parse_value("66"))
    with pytest.raises(StaleSheetError) as exc:
        program_sheet_save(sheet=demo_sheet, data=data, by=staff, expected_version=1)
    message = exc.value.messages[0]
    assert message.startswith("このシートは他の利用者が先に保存しました（山田 花子さん、")
    assert "最新の内容を確認してから、もう一度保存してください。" in message
    assert printed(demo_sheet) == before
    assert EvaluationSheet.objects.get(pk=demo_sheet.pk).version == 2


def test_an_error_late_in_the_save_rolls_everything_back(demo_sheet, staff):
    parent = ChoiceOption.objects.get(choice_set__key="KMK_VP_FAIRNESS", code="△")
    data = replace_row(current(demo_sheet), 0, name="名称を変えた", actual_s=parse_value("66"))
    answers = [
        dataclasses.replace(a, option_id=parent.pk) if a.option_id and a.option_id in _fairness_ids() else a
        for a in data.viewpoints
    ]
    data = dataclasses.replace(data, viewpoints=tuple(answers))
    before = printed(demo_sheet)
    with pytest.raises(ValidationError, match="の下の選択肢から選んでください"):
        save(demo_sheet, data, staff)
    assert printed(demo_sheet) == before
    assert EvaluationSheet.objects.get(pk=demo_sheet.pk).version == 1


def _fairness_ids():
    return set(ChoiceOption.objects.filter(choice_set__key="KMK_VP_FAIRNESS").values_list("pk", flat=True))


def test_funding_mismatch_is_refused_by_the_service_too(demo_sheet, staff):
    data = current(demo_sheet)
    funding = {**data.funding, "settlement": {**data.funding["settlement"], "general": Decimal(622)}}
    with pytest.raises(ValidationError) as exc:
        save(demo_sheet, dataclasses.replace(data, funding=funding), staff)
    assert exc.value.messages == [
        "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません"
    ]


def test_override_without_reason_is_refused(demo_sheet, staff):
    data = current(demo_sheet)
    staffing = dataclasses.replace(data.staffing, overrides={2024: Decimal(20000)}, override_reasons={})
    with pytest.raises(ValidationError, match="理由を記入してください"):
        save(demo_sheet, dataclasses.replace(data, staffing=staffing), staff)


def test_override_with_reason_is_printed(demo_sheet, staff):
    data = current(demo_sheet)
    staffing = dataclasses.replace(
        data.staffing, overrides={2024: Decimal(20000)}, override_reasons={2024: "再任用職員を含むため"}
    )
    save(demo_sheet, dataclasses.replace(data, staffing=staffing), staff)
    assert program_sheet_context(sheet_id=demo_sheet.pk).personnel_costs[0] == Decimal(20000)
    py = ProgramYear.objects.get(program=demo_sheet.program, fiscal_year=2024)
    assert py.personnel_override_reason == "再任用職員を含むため"


def test_add_reorder_and_remove_sub_programs(demo_sheet, staff):
    data = current(demo_sheet)
    first, travel, *rest = data.sub_programs
    new = SubProgramInput(
        branch_no=6,
        name="訪問支援事業",
        main_expenses="訪問支援員報酬",
        indicator_name="訪問件数",
        indicator_unit="件",
        actual_s=parse_value("１２"),
        target_s=parse_value("20"),
        target_e=parse_value("24"),
        amounts={"settlement": Decimal(0), "initial_budget": Decimal(0), "budget": Decimal(0)},
        indicator_analysis="新規",
    )
    save(demo_sheet, dataclasses.replace(data, sub_programs=(new, *rest, first)), staff)  # 出張旅費 removed

    rows = program_sheet_context(sheet_id=demo_sheet.pk).sub_rows
    assert [r.name for r in rows] == [
        "訪問支援事業",
        "ひきこもり周知啓発等事業",
        "一般事務経費",
        "居場所事業",
        "ひきこもり家庭等相談支援事業",
    ]
    assert (rows[0].actual_s.text, rows[0].achievement_s.text, str(rows[0].indicator)) == (
        "12",
        "60%",
        "訪問件数（件）",
    )
    added = Program.objects.get(name="訪問支援事業")
    assert (added.kind, added.parent_id, added.valid_from_fy) == (
        ProgramKind.SUB_PROGRAM,
        demo_sheet.program_id,
        2024,
    )
    assert SubProgramEvaluation.objects.get(sheet=demo_sheet, sub_program=added).indicator_analysis == "新規"
    assert not Program.objects.filter(name="出張旅費").exists()  # no data before S: deleted
    assert program_sheet_context(sheet_id=demo_sheet.pk).project_costs[0] == Decimal(1307)


def test_removed_sub_program_with_history_is_ended_not_deleted(demo_sheet, staff):
    travel = Program.objects.get(name="出張旅費")
    CostRecord.objects.create(program=travel, fiscal_year=2023, basis="settlement", amount=Decimal(30))
    data = current(demo_sheet)
    save(
        demo_sheet,
        dataclasses.replace(data, sub_programs=data.sub_programs[:1] + data.sub_programs[2:]),
        staff,
    )
    travel.refresh_from_db()
    assert travel.valid_to_fy == 2023
    assert "出張旅費" not in [r.name for r in program_sheet_context(sheet_id=demo_sheet.pk).sub_rows]


def test_blank_indicator_name_removes_the_indicator(demo_sheet, staff):
    save(
        demo_sheet,
        replace_row(
            current(demo_sheet),
            2,
            indicator_name="",
            actual_s=services.BLANK_VALUE,
            target_s=services.BLANK_VALUE,
            target_e=services.BLANK_VALUE,
        ),
        staff,
    )
    assert not Indicator.objects.filter(program__name="ひきこもり周知啓発等事業").exists()


def test_reference_indicators_add_change_and_remove(demo_sheet, staff):
    data = current(demo_sheet)
    consultations, _place = data.reference_indicators
    changed = dataclasses.replace(consultations, actuals={**consultations.actuals, 2024: parse_value("66")})
    added = ReferenceIndicatorInput(
        name="訪問支援件数",
        unit="件",
        rationale="訪問による支援が始まったため。",
        targets={2025: parse_value("30")},
        actuals={2025: parse_value("未定")},
    )
    save(demo_sheet, dataclasses.replace(data, reference_indicators=(changed, added)), staff)
    refs = program_sheet_context(sheet_id=demo_sheet.pk).reference_indicators
    assert [r.series.indicator.name for r in refs] == ["ひきこもり相談件数", "訪問支援件数"]
    assert refs[0].rates[4].text == "91.7%"
    assert [c.text for c in refs[1].actuals][-1] == "未定"
    assert Indicator.objects.filter(program=demo_sheet.program, kind=IndicatorKind.REFERENCE).count() == 2


def test_benchmarks_are_grouped_by_subject_and_keep_the_raw_text(demo_sheet, staff):
    data = current(demo_sheet)
    entries = [e for e in data.benchmark_entries if e.org_name != "座間市"]
    entries.append(
        BenchmarkEntryInput(
            subject_text="訪問支援（令和６年度実績）",
            org_name="藤沢市",
            metric_label="訪問件数",
            value_text="１２０件",
        )
    )
    entries.insert(
        1,
        dataclasses.replace(
            entries[0], entry_id=None, org_name="茅ヶ崎市", is_self=False, value_text="10人/40人/24回"
        ),
    )
    save(demo_sheet, dataclasses.replace(data, benchmark_entries=tuple(entries)), staff)
    comparisons = program_sheet_context(sheet_id=demo_sheet.pk).benchmark_comparisons
    assert [(c.subject_text, [e.org_name for e in c.entries.all()]) for c in comparisons] == [
        ("ひきこもり居場所利用実績（令和６年度実績）", ["鎌倉市", "茅ヶ崎市", "大和市"]),
        ("ひきこもり相談件数等（令和６年度実績）", ["鎌倉市", "大和市"]),
        ("訪問支援（令和６年度実績）", ["藤沢市"]),
    ]
    entry = BenchmarkEntry.objects.get(org_name="藤沢市")
    assert entry.value_text == "１２０件"
    assert [(m.metric, m.value, m.unit) for m in entry.metric_values.all()] == [
        ("訪問件数", Decimal(120), "件")
    ]
    assert (
        BenchmarkEntry.objects.get(org_name="鎌倉市", comparison__order=2).organization
        == demo_sheet.organization
    )


def _add_sub_programs(sheet, count):
    program = sheet.program
    for n in range(count):
        sub = Program.objects.create(
            organization=program.organization,
            kind=ProgramKind.SUB_PROGRAM,
            parent=program,
            name=f"追加事業{n}",
            branch_no=10 + n,
            order=10 + n,
            owner_unit=program.owner_unit,
        )
        ProgramYear.objects.create(program=sub, fiscal_year=sheet.subject_fy, main_expenses="消耗品")
        for fy, basis in ((2024, "settlement"), (2024, "initial_budget"), (2025, "budget")):
            CostRecord.objects.create(program=sub, fiscal_year=fy, basis=basis, amount=Decimal(0))
        indicator = Indicator.objects.create(
            organization=program.organization,
            program=sub,
            kind=IndicatorKind.ACTIVITY,
            name="件数",
            unit="件",
        )
        IndicatorValue.objects.create(indicator=indicator, fiscal_year=2024, value_type="actual", value=1)
        SubProgramEvaluation.objects.create(sheet=sheet, sub_program=sub, indicator_analysis="…")


def _save_queries(sheet, staff):
    data = current(sheet)
    rows = tuple(
        dataclasses.replace(r, name=r.name + "改", actual_s=parse_value("7"), indicator_analysis="変更")
        for r in data.sub_programs
    )
    with CaptureQueriesContext(connection) as queries:
        save(sheet, dataclasses.replace(data, sub_programs=rows), staff)
    return len(queries)


def test_save_runs_the_same_number_of_queries_for_2_and_20_rows(demo, staff):
    small = EvaluationSheet.objects.get(program__code="健福-18")  # 2 sub-programs
    large = EvaluationSheet.objects.get(program__code="健福-05")
    _add_sub_programs(large, 20 - Program.objects.filter(parent=large.program).count())
    assert Program.objects.filter(parent=large.program).count() == 20
    assert _save_queries(small, staff) == _save_queries(large, staff)
