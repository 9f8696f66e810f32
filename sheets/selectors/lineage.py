"""Lineage (旧事業): a renamed or merged program continues the history of the programs it replaces.

A successor starts with no records of its own for the years before it began, so its sheet reads
those years from its predecessors (``Program.predecessors``): costs summed over them, staffing
summed per category, and each indicator's values from the predecessors' indicator of the same name
and unit. The program's own records always win; nothing is copied, so a correction made on the
predecessor shows on the successor's sheet too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from indicators import costs
from indicators.selectors import IndicatorSeries


@dataclass
class CombinedCost:
    """A year's cost of several former programs as one record (amount and funding lines summed)."""

    amount: Decimal | None
    lines: dict[str, Decimal] = field(default_factory=dict)


def combined_cost(records) -> CombinedCost | None:
    """The sum of the former programs' records of one year and basis (None when none has one).

    ``records``: each with ``amount`` and ``lines`` (funding source → amount), as the 個表's cost index
    holds them (a CombinedCost per record).
    """
    records = [r for r in records if r is not None]
    if not records:
        return None
    lines: dict[str, list] = {}
    for record in records:
        for source_type, amount in record.lines.items():
            lines.setdefault(source_type, []).append(amount)
    return CombinedCost(
        amount=costs.sum_amounts([r.amount for r in records]),
        lines={source: costs.sum_amounts(amounts) for source, amounts in lines.items()},
    )


def indicator_key(indicator) -> tuple[str, str]:
    """What makes a successor's indicator the same indicator as a predecessor's."""
    return indicator.name.strip(), indicator.unit.strip()


def continued_series(own: IndicatorSeries, former: list[IndicatorSeries]) -> IndicatorSeries:
    """``own`` with the years it lacks taken from the former programs' indicator of the same name and unit."""
    key = indicator_key(own.indicator)
    values = {}
    for series in former:
        if indicator_key(series.indicator) == key:
            values.update(series.values)
    if not values:
        return own
    return IndicatorSeries(indicator=own.indicator, values={**values, **own.values})


def former_names(predecessors) -> str:
    """旧事業名 as printed: the former programs' names, joined with 「・」."""
    return "・".join(p.name for p in predecessors)
