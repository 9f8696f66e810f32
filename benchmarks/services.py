"""Writes of peer comparisons: parsing entries, the self row from the program's own indicators, and peer
rows from other organisations' data in the same installation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from benchmarks.models import BenchmarkComparison, BenchmarkEntry, BenchmarkMetricValue
from hikikomori_eval.numbers import format_number, normalize_width, parse_value
from indicators.choices import IndicatorKind, ValueType
from indicators.models import Indicator
from indicators.selectors import indicator_series_for
from sheets import history
from sheets.models import EvaluationSheet

PART_SEPARATOR = "/"


@dataclass(frozen=True)
class MetricPart:
    metric: str
    value: Decimal | None
    unit: str
    value_text: str


@dataclass(frozen=True)
class RefreshResult:
    own_parts: int  # parts of self rows whose value changed
    peer_entries: int  # peer rows filled from the installation's data


def benchmark_split_parts(*, metric_label: str, value_text: str) -> list[MetricPart]:
    """Pair 「相談者/相談支援件数」 with 「60人/1,5１5件」 part by part; text such as 平日 stays text."""
    labels = [part.strip() for part in metric_label.split(PART_SEPARATOR)]
    values = [part.strip() for part in normalize_width(value_text).split(PART_SEPARATOR)]
    parts = []
    for index, text in enumerate(values):
        label = labels[index] if index < len(labels) else ""
        try:
            parsed = parse_value(text)
        except ValueError:
            parts.append(MetricPart(label, None, "", text))
            continue
        parts.append(MetricPart(label, parsed.value, parsed.unit, text))
    return parts


@transaction.atomic
def benchmark_entry_save(*, entry: BenchmarkEntry) -> BenchmarkEntry:
    """Save an entry and rebuild its parsed parts from the raw text, which is kept as typed.

    A part keeps its link to an indicator (self rows) when a part stays at its position.
    """
    entry.full_clean()
    entry.save()
    links = dict(entry.metric_values.filter(indicator__isnull=False).values_list("order", "indicator_id"))
    entry.metric_values.all().delete()
    history.bulk_create(
        BenchmarkMetricValue,
        (
            BenchmarkMetricValue(
                entry=entry,
                metric=part.metric,
                value=part.value,
                unit=part.unit,
                value_text=part.value_text,
                indicator_id=links.get(i),
                order=i,
            )
            for i, part in enumerate(
                benchmark_split_parts(metric_label=entry.metric_label, value_text=entry.value_text)
            )
        ),
    )
    return entry


def _program_indicators(sheet: EvaluationSheet) -> list[Indicator]:
    """The program's reference indicators first, then its sub-programs' indicators."""
    return sorted(
        Indicator.objects.filter(Q(program=sheet.program) | Q(program__parent=sheet.program)),
        key=lambda ind: (ind.kind != IndicatorKind.REFERENCE, ind.program_id != sheet.program_id, ind.order),
    )


def _self_entry(comparison: BenchmarkComparison, series) -> BenchmarkEntry | None:
    """The comparison's self row; a missing one is built from the program's reference indicators."""
    entry = comparison.entries.filter(is_self=True).first()
    org = comparison.sheet.organization
    references = [s for s in series if s.indicator.kind == IndicatorKind.REFERENCE]
    if entry is not None or not references:
        return entry
    entry = BenchmarkEntry(
        comparison=comparison,
        organization=org,
        org_name=org.name,
        is_self=True,
        metric_label=PART_SEPARATOR.join(s.indicator.name for s in references),
        value_text=PART_SEPARATOR.join(
            s.cell(comparison.reference_fy, ValueType.ACTUAL).text_with_unit for s in references
        ),
        order=0,
    )
    benchmark_entry_save(entry=entry)
    for part, s in zip(entry.metric_values.all(), references, strict=True):
        part.indicator = s.indicator
        part.save(update_fields=["indicator"])
    return entry


@transaction.atomic
def benchmark_self_entry_refresh(*, comparison: BenchmarkComparison) -> int:
    """Fill the self row from the program's own indicator values for the comparison's year.

    Unlinked numeric parts are first linked to the indicator whose actual has the same value and unit
    (the program's reference indicators win a tie); linked parts then take the indicator's actual.
    Parts that already agree keep their text as typed (1,5１5件 stays), so does text such as 平日.
    Returns the number of parts whose value changed.
    """
    if comparison.reference_fy is None:
        return 0
    series = indicator_series_for(_program_indicators(comparison.sheet))
    entry = _self_entry(comparison, series)
    if entry is None:
        return 0
    by_indicator = {s.indicator.pk: s for s in series}
    changed = 0
    refreshed = set()
    parts = list(entry.metric_values.all())
    for part in parts:
        if part.indicator_id is None and part.value is not None:
            part.indicator_id = next(
                (
                    s.indicator.pk
                    for s in series
                    if s.number(comparison.reference_fy, ValueType.ACTUAL) == part.value
                    and (not part.unit or part.unit == s.indicator.unit)
                ),
                None,
            )
            if part.indicator_id:
                part.save(update_fields=["indicator"])
        found = by_indicator.get(part.indicator_id)
        if found is None:
            continue
        cell = found.cell(comparison.reference_fy, ValueType.ACTUAL)
        if cell.number == part.value and cell.number is not None:
            continue
        if cell.number is None and not cell.text:
            continue  # no actual yet: keep what was entered
        # Keep the precision the row was written with (60人, not 60.0人), the indicator's otherwise.
        decimals = _decimals(part.value) if part.value is not None else found.indicator.decimals
        part.value = cell.number
        part.unit = part.unit or found.indicator.unit
        part.value_text = (
            f"{format_number(cell.number, decimals)}{part.unit}" if cell.number is not None else cell.text
        )
        part.save(update_fields=["value", "unit", "value_text"])
        refreshed.add(part.pk)
        changed += 1
    if changed:
        # Segments that did not change stay exactly as typed (1,5１5件); only refreshed ones are rewritten.
        segments = entry.value_text.split(PART_SEPARATOR)
        for part in parts:
            if part.order < len(segments) and part.pk in refreshed:
                segments[part.order] = part.value_text
        entry.value_text = PART_SEPARATOR.join(segments)
        entry.full_clean()
        entry.save(update_fields=["value_text"])
    return changed


def _decimals(value: Decimal) -> int:
    return max(-value.normalize().as_tuple().exponent, 0)


def _topic_key(comparison: BenchmarkComparison) -> str:
    return comparison.topic or "".join(normalize_width(comparison.subject_text).split())


@transaction.atomic
def benchmark_peer_entries_refresh(*, comparison: BenchmarkComparison) -> int:
    """Fill peer rows from the peers' own data when they use this installation too: the peer's self row
    of the same topic and year (its latest sheet). Peers without data keep what was entered."""
    peers = [
        e for e in comparison.entries.select_related("organization") if not e.is_self and e.organization_id
    ]
    if not peers:
        return 0
    candidates = (
        BenchmarkEntry.objects.filter(
            is_self=True,
            organization__in=[e.organization_id for e in peers],
            comparison__reference_fy=comparison.reference_fy,
        )
        .select_related("comparison")
        .order_by("-comparison__sheet__evaluation_fy", "-pk")
    )
    key = _topic_key(comparison)
    sources = {}
    for candidate in candidates:
        if _topic_key(candidate.comparison) == key:
            sources.setdefault(candidate.organization_id, candidate)
    filled = 0
    for entry in peers:
        source = sources.get(entry.organization_id)
        if source is None:
            continue
        if (entry.metric_label, entry.value_text, entry.source_entry_id) == (
            source.metric_label,
            source.value_text,
            source.pk,
        ):
            continue
        entry.metric_label, entry.value_text, entry.source_entry = (
            source.metric_label,
            source.value_text,
            source,
        )
        benchmark_entry_save(entry=entry)
        filled += 1
    return filled


@transaction.atomic
def benchmark_sheet_refresh(*, sheet: EvaluationSheet) -> RefreshResult:
    """Refresh every comparison of a sheet: the self row from its indicators, peer rows from peers' data."""
    own = peers = 0
    for comparison in sheet.benchmark_comparisons.select_related("sheet__organization", "sheet__program"):
        own += benchmark_self_entry_refresh(comparison=comparison)
        peers += benchmark_peer_entries_refresh(comparison=comparison)
    return RefreshResult(own_parts=own, peer_entries=peers)


__all__ = [
    "RefreshResult",
    "benchmark_entry_save",
    "benchmark_peer_entries_refresh",
    "benchmark_self_entry_refresh",
    "benchmark_sheet_refresh",
    "benchmark_split_parts",
]
