"""Peer comparisons: the self row from the program's own indicators, peer rows from the installation."""

from decimal import Decimal

from benchmarks.calculations import per_100k
from benchmarks.models import BenchmarkComparison, BenchmarkEntry
from benchmarks.services import (
    benchmark_entry_save,
    benchmark_peer_entries_refresh,
    benchmark_self_entry_refresh,
    benchmark_sheet_refresh,
)
from indicators.choices import IndicatorKind, ValueType
from indicators.models import IndicatorValue
from sheets.models import Organization
from sheets.selectors.program_sheet import program_sheet_context
from tests.factories import EvaluationSheetFactory, IndicatorFactory, IndicatorValueFactory

CONSULTATIONS = "ひきこもり相談件数等（令和６年度実績）"


def _self(sheet, subject):
    return BenchmarkEntry.objects.get(comparison__sheet=sheet, comparison__subject_text=subject, is_self=True)


def test_per_100k():
    assert per_100k(60, 172000) == Decimal("34.9")
    assert per_100k(Decimal(1515), 172000) == Decimal("880.8")
    assert per_100k(13, 172000) == Decimal("7.6")
    assert per_100k(60, None) is None
    assert per_100k(None, 172000) is None
    assert per_100k(5, 0) is None


def test_refresh_links_the_self_row_to_the_programs_indicators_and_keeps_the_printed_text(demo_sheet):
    result = benchmark_sheet_refresh(sheet=demo_sheet)
    assert result.own_parts == 0  # the entered figures already equal the indicators' actuals
    entry = _self(demo_sheet, CONSULTATIONS)
    assert entry.value_text == "60人/1,5１5件"  # exactly as the form prints it
    parts = list(entry.metric_values.select_related("indicator"))
    # 60人 is the actual of the program's reference indicator; 1,515件 has no indicator and stays entered.
    assert parts[0].indicator.name == "ひきこもり相談件数"
    assert parts[0].indicator.kind == IndicatorKind.REFERENCE
    assert parts[1].indicator is None
    assert _self(demo_sheet, "ひきこもり居場所利用実績（令和６年度実績）").value_text == "13人/84人/56回"


def test_a_changed_actual_refreshes_the_self_row_and_what_the_sheet_prints(demo_sheet):
    benchmark_sheet_refresh(sheet=demo_sheet)
    IndicatorValue.objects.filter(
        indicator__name="ひきこもり相談件数", fiscal_year=2024, value_type=ValueType.ACTUAL
    ).update(value=Decimal(65), raw_text="65")
    result = benchmark_sheet_refresh(sheet=demo_sheet)
    assert result.own_parts == 1
    entry = _self(demo_sheet, CONSULTATIONS)
    assert entry.value_text == "65人/1,5１5件"
    assert [p.value for p in entry.metric_values.all()] == [Decimal(65), Decimal(1515)]
    printed = program_sheet_context(sheet_id=demo_sheet.pk).benchmark_comparisons
    texts = [e.value_text for c in printed for e in c.entries.all() if e.is_self]
    assert "65人/1,5１5件" in texts
    # Saving the entry as typed again keeps the link (parts are rebuilt at the same positions).
    benchmark_entry_save(entry=entry)
    assert entry.metric_values.get(order=0).indicator.name == "ひきこもり相談件数"


def test_a_missing_self_row_is_built_from_the_reference_indicators(db):
    sheet = EvaluationSheetFactory()
    for order, (name, value) in enumerate([("相談実人数", 12), ("訪問件数", 30)], start=1):
        indicator = IndicatorFactory(
            program=sheet.program, kind=IndicatorKind.REFERENCE, name=name, order=order
        )
        indicator.unit = "件" if order == 2 else "人"
        indicator.save()
        IndicatorValueFactory(indicator=indicator, fiscal_year=2024, value=value)
    comparison = BenchmarkComparison.objects.create(sheet=sheet, subject_text="相談実績", reference_fy=2024)
    assert benchmark_self_entry_refresh(comparison=comparison) == 0
    entry = comparison.entries.get(is_self=True)
    assert (entry.org_name, entry.metric_label, entry.value_text) == (
        sheet.organization.name,
        "相談実人数/訪問件数",
        "12人/30件",
    )
    assert [p.indicator.name for p in entry.metric_values.select_related("indicator")] == [
        "相談実人数",
        "訪問件数",
    ]


def test_peer_rows_come_from_the_peers_own_sheets_when_they_use_the_installation(demo_sheet):
    yamato = Organization.objects.get(lg_code="142131")
    peer_sheet = EvaluationSheetFactory(program__organization=yamato, evaluation_fy=2025)
    comparison = BenchmarkComparison.objects.create(
        sheet=peer_sheet, subject_text="ひきこもり相談件数等（令和6年度実績）", reference_fy=2024
    )
    source = benchmark_entry_save(
        entry=BenchmarkEntry(
            comparison=comparison,
            organization=yamato,
            org_name="大和市",
            is_self=True,
            metric_label="相談者/相談件数",
            value_text="52人/800件",
        )
    )
    kamakura = BenchmarkComparison.objects.get(sheet=demo_sheet, subject_text=CONSULTATIONS)
    assert benchmark_peer_entries_refresh(comparison=kamakura) == 1  # 全角 ６ and 6 are the same topic
    entries = {e.org_name: e for e in kamakura.entries.all()}
    assert entries["大和市"].value_text == "52人/800件"
    assert entries["大和市"].source_entry == source
    assert [p.value for p in entries["大和市"].metric_values.all()] == [Decimal(52), Decimal(800)]
    assert entries["座間市"].value_text == "42件"  # no data in the installation: stays as entered
    assert entries["座間市"].source_entry is None
    assert benchmark_peer_entries_refresh(comparison=kamakura) == 0  # nothing new


def test_a_topic_key_matches_comparisons_worded_differently(demo_sheet):
    zama = Organization.objects.get(lg_code="142166")
    peer_sheet = EvaluationSheetFactory(program__organization=zama)
    other = BenchmarkComparison.objects.create(
        sheet=peer_sheet, subject_text="相談の実績", reference_fy=2024, topic="hikikomori-consultations"
    )
    benchmark_entry_save(
        entry=BenchmarkEntry(
            comparison=other,
            organization=zama,
            org_name="座間市",
            is_self=True,
            metric_label="相談延べ人数",
            value_text="45件",
        )
    )
    kamakura = BenchmarkComparison.objects.get(sheet=demo_sheet, subject_text=CONSULTATIONS)
    assert benchmark_peer_entries_refresh(comparison=kamakura) == 0
    kamakura.topic = "hikikomori-consultations"
    kamakura.save()
    assert benchmark_peer_entries_refresh(comparison=kamakura) == 1
    assert kamakura.entries.get(org_name="座間市").value_text == "45件"
