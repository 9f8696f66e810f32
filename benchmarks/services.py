"""Writes of peer comparisons."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from benchmarks.models import BenchmarkEntry, BenchmarkMetricValue
from hikikomori_eval.numbers import normalize_width, parse_value


@dataclass(frozen=True)
class MetricPart:
    metric: str
    value: Decimal | None
    unit: str
    value_text: str


def benchmark_split_parts(*, metric_label: str, value_text: str) -> list[MetricPart]:
    """Pair 「相談者/相談支援件数」 with 「60人/1,5１5件」 part by part; text such as 平日 stays text."""
    labels = [part.strip() for part in metric_label.split("/")]
    values = [part.strip() for part in normalize_width(value_text).split("/")]
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
    """Save an entry and rebuild its parsed parts from the raw text, which is kept as typed."""
    entry.full_clean()
    entry.save()
    entry.metric_values.all().delete()
    BenchmarkMetricValue.objects.bulk_create(
        BenchmarkMetricValue(
            entry=entry,
            metric=part.metric,
            value=part.value,
            unit=part.unit,
            value_text=part.value_text,
            order=i,
        )
        for i, part in enumerate(
            benchmark_split_parts(metric_label=entry.metric_label, value_text=entry.value_text)
        )
    )
    return entry


__all__ = ["benchmark_entry_save", "benchmark_split_parts"]
