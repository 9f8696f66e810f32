"""Pure cost formulas in 千円 (docs/forms.md §1.2, §1.5, §7.4).

Decimal in, Decimal (or None) out; blank in, blank out. No ORM.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from indicators.calculations import DIVISION_CONTEXT, as_decimal

__all__ = [
    "general_revenue",
    "personnel_cost",
    "personnel_cost_for_hours",
    "project_cost",
    "sum_amounts",
    "total_cost",
]

_ONE = Decimal(1)
_THOUSAND = Decimal(1000)


def _to_integer(value: Decimal) -> Decimal:
    """Round to a whole 千円, half-up."""
    with localcontext(DIVISION_CONTEXT):
        return value.quantize(_ONE, rounding=ROUND_HALF_UP)


def sum_amounts(amounts: Iterable[Decimal | None]) -> Decimal | None:
    """Σ of the known amounts; None when every amount is None (or there are none)."""
    known = [as_decimal(a) for a in amounts if a is not None]
    if not known:
        return None
    return sum(known, Decimal(0))


def project_cost(*, own_amount: Decimal | None, sub_amounts: Iterable[Decimal | None]) -> Decimal | None:
    """事業費: Σ sub-program amounts when the program has sub-programs, else its own amount.

    ``sub_amounts`` has one entry per sub-program (None for a blank one); when
    it is non-empty ``own_amount`` is ignored, and all-blank subs give None.
    """
    subs = list(sub_amounts)
    if subs:
        return sum_amounts(subs)
    return as_decimal(own_amount)


def general_revenue(
    *, project_cost: Decimal | None, specific_amounts: Iterable[Decimal | None]
) -> Decimal | None:
    """一般財源 = 事業費 − Σ 特定財源 (blank 特定財源 lines count as 0; None when 事業費 is None)."""
    cost = as_decimal(project_cost)
    if cost is None:
        return None
    return cost - (sum_amounts(specific_amounts) or Decimal(0))


def personnel_cost(
    *,
    allocations: Iterable[tuple[Decimal | None, Decimal | None]],
    override: Decimal | None = None,
) -> Decimal | None:
    """人件費 = Σ FTE × unit cost (千円/FTE), rounded half-up to a whole 千円 once, on the total.

    ``allocations`` are (fte, unit_cost_per_fte) pairs, one per staff category.
    - ``override`` wins when not None (the reason is stored by the caller).
    - None when there are no allocations (or every FTE is None).
    - None when a non-zero FTE has no unit cost; a zero FTE needs none.
    - A row whose FTE is None is skipped.
    """
    override = as_decimal(override)
    if override is not None:
        return override
    total = Decimal(0)
    seen = False
    for fte, unit_cost in allocations:
        fte, unit_cost = as_decimal(fte), as_decimal(unit_cost)
        if fte is None:
            continue
        seen = True
        if fte == 0:
            continue
        if unit_cost is None:
            return None
        with localcontext(DIVISION_CONTEXT):
            total += fte * unit_cost
    if not seen:
        return None
    return _to_integer(total)


def total_cost(*, project_cost: Decimal | None, personnel_cost: Decimal | None) -> Decimal | None:
    """総事業費 / トータルコスト = 事業費 + 人件費; a blank part counts as 0, both blank gives None."""
    return sum_amounts([project_cost, personnel_cost])


def personnel_cost_for_hours(*, hours: Decimal | None, yen_per_hour: Decimal | None) -> Decimal | None:
    """人件費 (千円) from 延べ業務時間 × 円/時間, ÷ 1000, rounded half-up to a whole 千円."""
    hours, yen_per_hour = as_decimal(hours), as_decimal(yen_per_hour)
    if hours is None or yen_per_hour is None:
        return None
    with localcontext(DIVISION_CONTEXT):
        thousands = hours * yen_per_hour / _THOUSAND
    return _to_integer(thousands)
