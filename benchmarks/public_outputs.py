"""Public versions of the four sheet forms: the print / workbook context with the small-count rule applied.

A published sheet (the public PDF and workbook, or a sheet read by another municipality) prints the same
layout as the internal one, but every indicator value whose unit is a count (``COUNT_UNITS``) and whose
number is small (1 … threshold−1, :func:`benchmarks.publication.is_small`) shows the municipality's mark
instead: ``X`` (suppress) or ``5人未満`` (band). 0 and blanks stay as they are; money, FTE, hours and the
number of programs are never touched; neither is free text (it is the writer's responsibility).

Which values: targets, actuals, plan values, trend and projection values and the 初期値 alike — a published
output never prints a small count, whatever its value type — and every count part of the 個表's 他市比較
rows (the self row and the peers, as the open-data CSV does): 3人/84人/56回 → X/84人/56回.

Rates built on a small count (the 達成度 / 達成率 / 達成割合 of that indicator and year): an exact rate
next to the printed target gives the count back (target 10人, 30% → 3人), so such a rate is **withheld**
(``X``, in band mode too: a rate has no band) like the count. Only a rate that says no more than whether
the target was met — the binary method (100% / 0%) or a rate shown capped (100.0% for 150%; the uncapped
ratio is dropped) — is printed, marked ``（参考値）``. The same holds for the 施策マネジメントシート's
達成／未達成 and 前年度比較 (向上 / 低下), printed as ``達成（参考値）``. Known limit: a cumulative figure
printed beside single-year ones (or last year's published cumulative) can still be differenced;
secondary suppression is not attempted.

Every public context also drops what only the internal pages show: ``warnings`` (they quote real figures),
the 検証票's ``status_problem`` and the raw values behind each indicator (``series.values``, ``stored``).

:func:`public_context` never changes the context it gets: rows are copied with ``dataclasses.replace`` and
withheld cells are :class:`PublishedValueCell` / :class:`PublishedRateCell`, which read like
``ValueCell`` / ``RateCell`` but carry no number an export could write.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from benchmarks.opendata import Rule, publication_rule
from benchmarks.publication import (
    COUNT_UNITS,
    REFERENCE_MARK,
    is_small,
    publish_count,
    publish_reversible_rate,
)
from benchmarks.services import PART_SEPARATOR, benchmark_split_parts
from indicators.choices import AchievementMethod
from indicators.selectors import IndicatorSeries, RateCell, ValueCell
from sheets.selectors.initiative_sheet import InitiativeSheetContext
from sheets.selectors.policy_management_sheet import OutcomeIndicatorRow as PmOutcomeRow
from sheets.selectors.policy_management_sheet import PolicyManagementContext
from sheets.selectors.policy_sheet import OutcomeIndicatorRow as PolicyOutcomeRow
from sheets.selectors.policy_sheet import PolicySheetContext
from sheets.selectors.program_sheet import ProgramSheetContext

__all__ = [
    "PublishedComparison",
    "PublishedEntry",
    "PublishedPmOutcomeRow",
    "PublishedPolicyIndicatorRow",
    "PublishedRateCell",
    "PublishedValueCell",
    "Rule",
    "public_context",
    "settings_for",
]


def settings_for(organization) -> Rule:
    """The organisation's PublicationSettings as a Rule (threshold 5, suppress when it has none)."""
    return publication_rule(organization)


@dataclass(frozen=True)
class PublishedValueCell:
    """A withheld indicator value: reads like a ValueCell, prints the mark, exports no number."""

    text: str
    decimals: int = 0
    unit: str = ""
    value: Decimal | None = None
    status: str = ""

    @property
    def text_with_unit(self) -> str:
        return self.text  # X, or 5人未満 which already carries the unit

    @property
    def number(self) -> Decimal | None:
        return None


@dataclass(frozen=True)
class PublishedRateCell:
    """A rate on a small count as published: the text only (X, or 100.0%（参考値）), never a number."""

    text: str
    decimals: int
    reference: bool = False
    raw: Decimal | None = None
    shown: Decimal | None = None
    raw_text: str = ""
    is_capped: bool = False

    @property
    def percent(self) -> Decimal | None:
        return None

    @property
    def raw_percent(self) -> Decimal | None:
        return None


class _Rows(tuple):
    """Rows a template and a workbook read like a related manager: ``comparison.entries.all``."""

    def all(self):
        return self


@dataclass(frozen=True)
class PublishedEntry:
    org_name: str
    metric_label: str
    value_text: str
    is_self: bool = False


@dataclass(frozen=True)
class PublishedComparison:
    """A 他市比較 table as printed: model rows replaced by what the print and the workbook read."""

    subject_text: str
    reference_fy: int | None
    entries: _Rows


@dataclass(frozen=True)
class _Publisher:
    threshold: int
    mode: str

    def small(self, number) -> bool:
        return is_small(number, self.threshold)

    def value(self, cell):
        """The cell itself, or its mark when it is a small count."""
        if cell.unit not in COUNT_UNITS or not self.small(cell.number):
            return cell
        shown = publish_count(cell.number, threshold=self.threshold, mode=self.mode, unit=cell.unit)
        return PublishedValueCell(shown.text, decimals=cell.decimals, unit=cell.unit)

    def values(self, cells) -> list:
        return [self.value(c) for c in cells]

    def on_small(self, indicator, *cells) -> bool:
        """Whether a figure derived from these cells of the indicator rests on a small count."""
        return (
            indicator is not None
            and indicator.unit in COUNT_UNITS
            and any(self.small(c.number) for c in cells if c is not None)
        )

    def rate(self, rate: RateCell, indicator, *operands):
        """The rate itself, withheld (X) when it would give a small operand back, else marked 参考値."""
        if rate.percent is None or not self.on_small(indicator, *operands):
            return rate
        published = publish_reversible_rate(
            rate.percent,
            counts=[c.number for c in operands if c is not None],
            reversible=indicator.achievement_method != AchievementMethod.BINARY and not rate.is_capped,
            threshold=self.threshold,
            decimals=rate.decimals,
        )
        return PublishedRateCell(published.text, rate.decimals, reference=True)

    def entry_text(self, metric_label: str, value_text: str) -> str:
        """13人/84人/56回 with each small count part replaced (3人/84人/56回 → X/84人/56回)."""
        parts = benchmark_split_parts(metric_label=metric_label, value_text=value_text)
        if not any(p.unit in COUNT_UNITS and self.small(p.value) for p in parts):
            return value_text
        return PART_SEPARATOR.join(
            publish_count(p.value, threshold=self.threshold, mode=self.mode, unit=p.unit).text
            if p.unit in COUNT_UNITS and self.small(p.value)
            else p.value_text
            for p in parts
        )


def _bare(series: IndicatorSeries | None) -> IndicatorSeries | None:
    """The series without its raw values: a public context only prints its indicator."""
    return None if series is None else IndicatorSeries(indicator=series.indicator)


# -- 行政評価シート【個表】 ---------------------------------------------------------------------------


def _program_sheet(ctx: ProgramSheetContext, p: _Publisher) -> ProgramSheetContext:
    """§3 sub-program indicators (S 実績 / 目標 / 達成度, E 目標), 【参考】 indicators, 他市比較 rows."""
    sub_rows = [
        replace(
            row,
            actual_s=p.value(row.actual_s),
            target_s=p.value(row.target_s),
            achievement_s=p.rate(row.achievement_s, row.indicator, row.actual_s, row.target_s),
            target_e=p.value(row.target_e),
        )
        for row in ctx.sub_rows
    ]
    references = [
        replace(
            ref,
            series=_bare(ref.series),
            targets=p.values(ref.targets),
            actuals=p.values(ref.actuals),
            rates=[
                p.rate(rate, ref.series.indicator, target, actual)
                for rate, target, actual in zip(ref.rates, ref.targets, ref.actuals, strict=True)
            ],
        )
        for ref in ctx.reference_indicators
    ]
    # Every entry, the self row and the peers alike (as the open-data CSV does); entries are prefetched.
    comparisons = [
        PublishedComparison(
            subject_text=comparison.subject_text,
            reference_fy=comparison.reference_fy,
            entries=_Rows(
                PublishedEntry(
                    org_name=entry.org_name,
                    metric_label=entry.metric_label,
                    value_text=p.entry_text(entry.metric_label, entry.value_text),
                    is_self=entry.is_self,
                )
                for entry in comparison.entries.all()
            ),
        )
        for comparison in ctx.benchmark_comparisons
    ]
    return replace(
        ctx,
        sub_rows=sub_rows,
        reference_indicators=references,
        benchmark_comparisons=comparisons,
        warnings=[],
    )


# -- 「主な取組」検証票 ------------------------------------------------------------------------------


def _initiative_sheet(ctx: InitiativeSheetContext, p: _Publisher) -> InitiativeSheetContext:
    """年度別計画値 (単年 and 累計), 実績値 S−2 … S (A), 目標値 (B) and 達成割合 A/B."""
    plan_rows = [
        replace(
            row,
            cells=[replace(c, single=p.value(c.single), cumulative=p.value(c.cumulative)) for c in row.cells],
            stored={},
        )
        for row in ctx.plan_rows
    ]
    result_rows = [
        replace(
            row,
            earlier=p.values(row.earlier),
            actual=p.value(row.actual),
            target=p.value(row.target),
            rate=p.rate(row.rate, row.indicator, row.actual, row.target),
            cumulative_warning="",
        )
        for row in ctx.result_rows
    ]
    return replace(ctx, plan_rows=plan_rows, result_rows=result_rows, status_problem="", warnings=[])


# -- 行政評価シート（施策の方針） ----------------------------------------------------------------------


@dataclass
class PublishedPolicyIndicatorRow(PolicyOutcomeRow):
    """§5 成果指標 with its 初期値 as published (the internal row computes it from the indicator)."""

    published_baseline: ValueCell | PublishedValueCell = field(default_factory=ValueCell)

    @property
    def baseline(self):
        return self.published_baseline


def _policy_row(row: PolicyOutcomeRow, p: _Publisher) -> PublishedPolicyIndicatorRow:
    ind = row.indicator
    baseline = row.baseline if ind.achievement_method == AchievementMethod.BASELINE_RELATIVE else None
    rates = [
        p.rate(rate, ind, target, actual, baseline)
        for rate, target, actual in zip(row.rates, row.targets, row.actuals, strict=True)
    ]
    values = {f.name: getattr(row, f.name) for f in fields(PolicyOutcomeRow)}
    values.update(
        series=_bare(row.series),
        targets=p.values(row.targets),
        actuals=p.values(row.actuals),
        rates=rates,
        rate_texts=[
            text if new is old else new.text
            for text, new, old in zip(row.rate_texts, rates, row.rates, strict=True)
        ],
    )
    return PublishedPolicyIndicatorRow(**values, published_baseline=p.value(row.baseline))


def _policy_sheet(ctx: PolicySheetContext, p: _Publisher) -> PolicySheetContext:
    """§5 成果指標: 初期値, 目標値, 実績値 and 達成率 (the rest of the sheet is money and text)."""
    return replace(ctx, indicators=[_policy_row(row, p) for row in ctx.indicators], warnings=[])


# -- 施策マネジメントシート ----------------------------------------------------------------------------


@dataclass
class PublishedPmOutcomeRow(PmOutcomeRow):
    """④ 成果指標 as published: 達成／未達成 and 前年度比較 of S marked 参考値 when built on a small count."""

    attainment_reference: bool = False
    year_over_year_reference: bool = False

    @property
    def attainment_text(self) -> str:
        text = super().attainment_text
        return f"{text}{REFERENCE_MARK}" if text and self.attainment_reference else text

    @property
    def year_over_year_text(self) -> str:
        text = super().year_over_year_text
        return f"{text}{REFERENCE_MARK}" if text and self.year_over_year_reference else text


def _pm_outcome(row: PmOutcomeRow, p: _Publisher, s: int | None) -> PublishedPmOutcomeRow:
    def at(cells, index):
        return cells[index] if index is not None and 0 <= index < len(cells) else None

    ind = row.indicator
    values = {f.name: getattr(row, f.name) for f in fields(PmOutcomeRow)}
    values.update(
        series=_bare(row.series),
        targets=p.values(row.targets),
        actuals=p.values(row.actuals),
        trends=p.values(row.trends),
    )
    previous = None if s is None else s - 1
    return PublishedPmOutcomeRow(
        **values,
        attainment_reference=p.on_small(ind, at(row.targets, s), at(row.actuals, s)),
        year_over_year_reference=p.on_small(ind, at(row.actuals, s), at(row.actuals, previous)),
    )


def _policy_management_sheet(ctx: PolicyManagementContext, p: _Publisher) -> PolicyManagementContext:
    """③ 対象指標 (実績値, 見込み値) and ④ 成果指標 (目標値, 実績値, 成り行き値, 達成度, 前年度比較)."""
    s = ctx.years.index(ctx.subject_fy) if ctx.subject_fy in ctx.years else None
    object_rows = [
        replace(
            row,
            series=_bare(row.series),
            actuals=p.values(row.actuals),
            projections=p.values(row.projections),
        )
        for row in ctx.object_rows
    ]
    directions = [
        replace(block, outcomes=[_pm_outcome(row, p, s) for row in block.outcomes])
        for block in ctx.directions
    ]
    return replace(ctx, object_rows=object_rows, directions=directions, warnings=[])


FORMS = (
    (ProgramSheetContext, _program_sheet),
    (InitiativeSheetContext, _initiative_sheet),
    (PolicySheetContext, _policy_sheet),
    (PolicyManagementContext, _policy_management_sheet),
)


def public_context(ctx, *, threshold: int, mode: str):
    """A copy of a form's context as a published output prints it; ``ctx`` itself is left unchanged."""
    publisher = _Publisher(threshold, mode)
    for kind, publish in FORMS:
        if isinstance(ctx, kind):
            return publish(ctx, publisher)
    raise TypeError(f"no public version of {type(ctx).__name__}")
