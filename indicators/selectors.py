"""Reads of indicator values, costs and staffing, shaped for the sheets that print them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from hikikomori_eval.numbers import format_number
from indicators import calculations
from indicators.choices import ValueStatus, ValueType
from indicators.models import Indicator, IndicatorValue

STATUS_TOKENS = {
    ValueStatus.NOT_CONDUCTED: "未実施",
    ValueStatus.PENDING: "未定",
    ValueStatus.NOT_APPLICABLE: "―",
    ValueStatus.UNKNOWN: "不詳",
}


@dataclass(frozen=True)
class ValueCell:
    """One printed indicator cell: a number with its precision, or a status token."""

    value: Decimal | None = None
    status: str = ""
    decimals: int = 0
    unit: str = ""

    @property
    def text(self) -> str:
        if self.status and self.status != ValueStatus.OK:
            return STATUS_TOKENS.get(self.status, "")
        if self.value is None:
            return ""
        return format_number(self.value, self.decimals)

    @property
    def text_with_unit(self) -> str:
        """1,800件: the number followed by its unit; a status token or a blank stays as it is."""
        text = self.text
        return f"{text}{self.unit}" if self.number is not None and text else text

    @property
    def number(self) -> Decimal | None:
        """The number an export writes to a cell (None for a blank or a status token)."""
        return self.value if self.status in ("", ValueStatus.OK) else None


@dataclass(frozen=True)
class RateCell:
    """An achievement rate: the raw ratio is kept, the percent is rounded for one template."""

    raw: Decimal | None
    shown: Decimal | None
    decimals: int

    @property
    def percent(self) -> Decimal | None:
        return calculations.ratio_to_percent(self.shown, decimals=self.decimals)

    @property
    def text(self) -> str:
        percent = self.percent
        return "" if percent is None else f"{format_number(percent, self.decimals)}%"

    @property
    def raw_percent(self) -> Decimal | None:
        """The uncapped ratio in percent (150.0 where the form prints 100.0%)."""
        return calculations.ratio_to_percent(self.raw, decimals=self.decimals)

    @property
    def raw_text(self) -> str:
        percent = self.raw_percent
        return "" if percent is None else f"{format_number(percent, self.decimals)}%"

    @property
    def is_capped(self) -> bool:
        return self.raw is not None and self.shown is not None and self.raw != self.shown


@dataclass
class IndicatorSeries:
    """An indicator with its values pivoted by fiscal year and value type."""

    indicator: Indicator
    values: dict[tuple[int, str], IndicatorValue] = field(default_factory=dict)

    def cell(
        self, fiscal_year: int, value_type: str = ValueType.ACTUAL, decimals: int | None = None
    ) -> ValueCell:
        found = self.values.get((fiscal_year, value_type))
        places = self.indicator.decimals if decimals is None else decimals
        if found is None:
            return ValueCell(decimals=places, unit=self.indicator.unit)
        return ValueCell(value=found.value, status=found.status, decimals=places, unit=self.indicator.unit)

    def number(self, fiscal_year: int, value_type: str) -> Decimal | None:
        return self.cell(fiscal_year, value_type).number

    def achievement(self, fiscal_year: int, *, decimals: int) -> RateCell:
        """達成度 for one year with the indicator's method, polarity and display cap."""
        return rate_cell(
            self.indicator,
            target=self.number(fiscal_year, ValueType.TARGET),
            actual=self.number(fiscal_year, ValueType.ACTUAL),
            decimals=decimals,
        )

    def numbers(self, value_type: str, fiscal_years) -> dict[int, Decimal | None]:
        """The numbers of one value type per fiscal year (None for a blank or a status token)."""
        return {fy: self.number(fy, value_type) for fy in fiscal_years}

    def cumulative(self, value_type: str, fiscal_years) -> dict[int, Decimal | None]:
        """Single-year values turned into the series of the indicator's cumulative mode (累計)."""
        ind = self.indicator
        return calculations.cumulative_series(
            self.numbers(value_type, fiscal_years), mode=ind.cumulative_mode, start_fy=ind.cumulative_start_fy
        )


def rate_cell(
    indicator: Indicator, *, target: Decimal | None, actual: Decimal | None, decimals: int
) -> RateCell:
    """達成度 of given figures with the indicator's method, polarity and display cap (raw ratio kept)."""
    raw = calculations.achievement_ratio(
        method=indicator.achievement_method,
        polarity=indicator.polarity,
        target=target,
        actual=actual,
        baseline=indicator.baseline_value,
    )
    return RateCell(
        raw=raw, shown=calculations.displayed_ratio(raw, cap=indicator.display_cap), decimals=decimals
    )


def indicator_series_for(indicators, *, fiscal_years=None) -> list[IndicatorSeries]:
    """Pivot the values of already-fetched indicators in one query.

    ``fiscal_years``: read only these years' values (a reader that looks at one year need not build
    an object for every value of every year).
    """
    indicators = list(indicators)
    by_indicator: dict[int, dict] = defaultdict(dict)
    if not indicators:
        return []
    values = IndicatorValue.objects.filter(indicator_id__in=[ind.pk for ind in indicators]).order_by()
    if fiscal_years is not None:
        values = values.filter(fiscal_year__in=list(fiscal_years))
    # Each indicator's values by year and type, as the default ordering had them: sorted here, which
    # costs less than building the ORDER BY (and its join to the indicator).
    for value in sorted(values, key=lambda v: (v.fiscal_year, v.value_type)):
        by_indicator[value.indicator_id][(value.fiscal_year, value.value_type)] = value
    return [IndicatorSeries(indicator=ind, values=by_indicator[ind.pk]) for ind in indicators]
