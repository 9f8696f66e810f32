"""Open-data CSV of published program sheets: indicator values and peer comparisons, with the
municipality's small-count rule applied (benchmarks.publication)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from benchmarks.calculations import PER_CAPITA_UNITS, per_100k
from benchmarks.models import BenchmarkComparison, BenchmarkEntry, PublicationSettings
from benchmarks.publication import COUNT_UNITS, DEFAULT_THRESHOLD, publish_count, publish_reversible_rate
from indicators.choices import AchievementMethod, ValueType
from indicators.models import Indicator
from indicators.selectors import indicator_series_for
from sheets.choices import SheetStatus
from sheets.models import EvaluationSheet, Organization

INDICATOR_HEADER = ["評価年度", "事業番号", "事業名", "指標名", "単位", "年度", "目標値", "実績値", "達成率"]
COMPARISON_HEADER = ["評価年度", "事業番号", "比較事項", "団体名", "項目", "値", "人口10万人あたり"]


@dataclass(frozen=True)
class Rule:
    threshold: int
    mode: str


def publication_rule(organization: Organization) -> Rule:
    """The organisation's setting, or the default (threshold 5, suppress) when it has none."""
    found = PublicationSettings.objects.filter(organization=organization).first() or PublicationSettings()
    return Rule(found.small_count_threshold or DEFAULT_THRESHOLD, found.small_count_mode)


def _published_sheets(organization: Organization, evaluation_fy: int):
    return list(
        EvaluationSheet.objects.filter(
            organization=organization,
            evaluation_fy=evaluation_fy,
            status=SheetStatus.PUBLISHED,
            program__isnull=False,
        ).select_related("program")
    )


def _shown(cell, counted: bool, rule: Rule, decimals: int) -> str:
    """An indicator value as published: a small count withheld, anything else as printed."""
    if not counted or cell.number is None:
        return cell.text
    return publish_count(cell.number, threshold=rule.threshold, mode=rule.mode, decimals=decimals).text


def indicator_rows(organization: Organization, evaluation_fy: int) -> list[list[str]]:
    rule = publication_rule(organization)
    sheets = _published_sheets(organization, evaluation_fy)
    by_program = {s.program_id: s for s in sheets}
    indicators = Indicator.objects.filter(
        Q(program_id__in=by_program) | Q(program__parent_id__in=by_program)
    ).select_related("program")
    rows = []
    for series in indicator_series_for(indicators.order_by("program__order", "order", "pk")):
        ind = series.indicator
        sheet = by_program.get(ind.program_id) or by_program.get(ind.program.parent_id)
        counted = ind.unit in COUNT_UNITS
        for fy in sorted({fy for fy, _vt in series.values if fy < sheet.evaluation_fy}):
            target, actual = series.cell(fy, ValueType.TARGET), series.cell(fy, ValueType.ACTUAL)

            rate = series.achievement(fy, decimals=1)
            rows.append(
                [
                    str(sheet.evaluation_fy),
                    sheet.program.code,
                    sheet.program.name,
                    ind.name,
                    ind.unit,
                    str(fy),
                    _shown(target, counted, rule, ind.decimals),
                    _shown(actual, counted, rule, ind.decimals),
                    publish_reversible_rate(
                        rate.percent,
                        counts=[actual.number, target.number] if counted else [],
                        reversible=ind.achievement_method != AchievementMethod.BINARY and not rate.is_capped,
                        threshold=rule.threshold,
                    ).text,
                ]
            )
    return rows


def comparison_rows(organization: Organization, evaluation_fy: int) -> list[list[str]]:
    rule = publication_rule(organization)
    sheets = _published_sheets(organization, evaluation_fy)
    comparisons = (
        BenchmarkComparison.objects.filter(sheet__in=sheets)
        .select_related("sheet__program")
        .prefetch_related(
            Prefetch(
                "entries",
                BenchmarkEntry.objects.select_related("organization").prefetch_related("metric_values"),
            )
        )
    )
    rows = []
    for comparison in comparisons:
        for entry in comparison.entries.all():
            org = organization if entry.is_self else entry.organization
            for part in entry.metric_values.all():
                counted = part.unit in COUNT_UNITS and part.value is not None
                value = (
                    publish_count(part.value, threshold=rule.threshold, mode=rule.mode, unit=part.unit).text
                    if counted
                    else part.value_text
                )
                capita = (
                    per_100k(part.value, org.population if org else None)
                    if part.unit in PER_CAPITA_UNITS
                    else None
                )
                rows.append(
                    [
                        str(comparison.sheet.evaluation_fy),
                        comparison.sheet.program.code,
                        comparison.subject_text,
                        entry.org_name,
                        part.metric,
                        value,
                        publish_reversible_rate(
                            capita, counts=[part.value] if counted else [], threshold=rule.threshold, unit=""
                        ).text
                        if capita is not None
                        else "",
                    ]
                )
    return rows


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    """UTF-8 with a BOM, so that Excel opens the Japanese text as it is."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


__all__ = ["COMPARISON_HEADER", "INDICATOR_HEADER", "comparison_rows", "csv_bytes", "indicator_rows"]
