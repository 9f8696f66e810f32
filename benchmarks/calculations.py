"""Pure formulas of the benchmarks app: survey percentages and their reconciliation, per-capita figures.

Decimal (or int) in, Decimal (or None) out; blank in, blank out; rounding half up, for display only.
No ORM, no settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext

from indicators.calculations import DIVISION_CONTEXT, as_decimal

#: Printed survey percentages are rounded at the 2nd decimal, so a recomputed one may differ by 0.05.
PCT_TOLERANCE = Decimal("0.05")
PER_CAPITA_BASE = Decimal(100_000)
#: Units a per-10万人 figure makes sense for (people and cases, not 回 of a weekly session or %).
PER_CAPITA_UNITS = frozenset({"人", "名", "件", "人日", "世帯"})

__all__ = [
    "PCT_TOLERANCE",
    "PER_CAPITA_UNITS",
    "parts_mismatch",
    "pct_matches",
    "per_100k",
    "percent",
]


def percent(count: int | Decimal | None, base: int | Decimal | None, *, decimals: int = 1) -> Decimal | None:
    """count ÷ base in percent, rounded half up (9/179 → 5.0); None when either is blank or base is 0."""
    count, base = as_decimal(count), as_decimal(base)
    if count is None or base is None or base == 0:
        return None
    with localcontext(DIVISION_CONTEXT):
        return (count * 100 / base).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def pct_matches(
    count: int | None, base: int | None, printed: Decimal | None, *, tolerance: Decimal = PCT_TOLERANCE
) -> bool | None:
    """Whether a printed % equals count ÷ base within the report's rounding (None when anything is blank)."""
    if count is None or not base or printed is None:
        return None
    with localcontext(DIVISION_CONTEXT):
        exact = Decimal(count) * 100 / Decimal(base)
    return abs(exact - as_decimal(printed)) <= tolerance


def parts_mismatch(total: Mapping, parts: Iterable[Mapping]) -> dict:
    """Keys whose sub-rows do not add up to the total row: {key: (total, Σ parts)}; blanks are skipped."""
    parts = list(parts)
    mismatches = {}
    for key, expected in total.items():
        values = [part.get(key) for part in parts]
        if expected is None or any(v is None for v in values):
            continue
        added = sum(values)
        if added != expected:
            mismatches[key] = (expected, added)
    return mismatches


def per_100k(value: Decimal | int | None, population: int | None, *, decimals: int = 1) -> Decimal | None:
    """人口10万人あたり: value × 100,000 ÷ population, rounded half up; None without a population."""
    value = as_decimal(value)
    if value is None or not population:
        return None
    with localcontext(DIVISION_CONTEXT):
        return (value * PER_CAPITA_BASE / Decimal(population)).quantize(
            Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
        )
