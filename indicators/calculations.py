"""Pure indicator calculations (docs/forms.md §1.3–1.4, §7.4–7.5).

Rules:
- Decimal in, Decimal (or None) out. Floats are refused, ints are accepted.
- Blank in, blank out: a missing input (None) gives None, never 0.
- Ratios are fractions (60/72 -> 0.8333…). Rounding happens only for display,
  half-up, in :func:`round_half_up` / :func:`ratio_to_percent`.
- No ORM, no settings: callers pass plain values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext

from indicators.choices import AchievementMethod, CumulativeMode, Polarity, YearOverYear

__all__ = [
    "DIVISION_CONTEXT",
    "as_decimal",
    "achievement_ratio",
    "band_for_ratio",
    "cumulative_decreases",
    "cumulative_series",
    "displayed_ratio",
    "is_achieved",
    "share_achieved",
    "trend_over_span",
    "trend_score",
    "ratio_to_percent",
    "round_half_up",
    "year_over_year",
]

#: Context used for every division: 28 significant digits, never float.
DIVISION_CONTEXT = Context(prec=28, rounding=ROUND_HALF_UP)

_HUNDRED = Decimal(100)


def as_decimal(value: Decimal | int | None) -> Decimal | None:
    """Return value as a Decimal (None stays None); refuse floats and other types."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    raise TypeError(f"Decimal expected, got {type(value).__name__}: {value!r}")


def _divide(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """numerator / denominator in DIVISION_CONTEXT; None when the denominator is 0."""
    if denominator == 0:
        return None
    with localcontext(DIVISION_CONTEXT):
        return numerator / denominator


def is_achieved(*, target: Decimal | None, actual: Decimal | None, polarity: str) -> bool | None:
    """達成 / 未達成: actual ≥ target (higher is better) or actual ≤ target (lower is better).

    None when either value is missing. A target of 0 is a valid comparison here.
    """
    target, actual = as_decimal(target), as_decimal(actual)
    if target is None or actual is None:
        return None
    if polarity == Polarity.HIGHER_IS_BETTER:
        return actual >= target
    if polarity == Polarity.LOWER_IS_BETTER:
        return actual <= target
    raise ValueError(f"unknown polarity: {polarity!r}")


def achievement_ratio(
    *,
    method: str,
    target: Decimal | None,
    actual: Decimal | None,
    baseline: Decimal | None = None,
    polarity: str = Polarity.HIGHER_IS_BETTER,
) -> Decimal | None:
    """Raw achievement ratio as a fraction (not capped, not rounded).

    - RATIO, RATIO_CAPPED: actual ÷ target (the cap is a display concern: see
      :func:`displayed_ratio`); None when target is 0.
    - INVERSE: target ÷ actual (lower is better); None when actual is 0.
    - BASELINE_RELATIVE: (actual − baseline) ÷ (target − baseline); None when
      baseline is missing or target == baseline. Works for both directions.
    - BINARY: Decimal(1) when achieved per ``polarity``, else Decimal(0).
    Any missing input gives None.
    """
    target, actual, baseline = as_decimal(target), as_decimal(actual), as_decimal(baseline)
    if target is None or actual is None:
        return None
    if method in (AchievementMethod.RATIO, AchievementMethod.RATIO_CAPPED):
        return _divide(actual, target)
    if method == AchievementMethod.INVERSE:
        return _divide(target, actual)
    if method == AchievementMethod.BASELINE_RELATIVE:
        if baseline is None:
            return None
        return _divide(actual - baseline, target - baseline)
    if method == AchievementMethod.BINARY:
        achieved = is_achieved(target=target, actual=actual, polarity=polarity)
        return Decimal(1) if achieved else Decimal(0)
    raise ValueError(f"unknown achievement method: {method!r}")


def displayed_ratio(ratio: Decimal | None, *, cap: Decimal | None = None) -> Decimal | None:
    """Ratio for display: min(ratio, cap) when a cap (a fraction, e.g. Decimal("1")) is given."""
    ratio, cap = as_decimal(ratio), as_decimal(cap)
    if ratio is None:
        return None
    if cap is None:
        return ratio
    return min(ratio, cap)


def round_half_up(value: Decimal | None, decimals: int) -> Decimal | None:
    """Round to ``decimals`` places, half away from zero (0.835 -> 0.84; 83.25 -> 83.3 at 1)."""
    value = as_decimal(value)
    if value is None:
        return None
    exponent = Decimal(1).scaleb(-decimals)
    with localcontext(DIVISION_CONTEXT):
        return value.quantize(exponent, rounding=ROUND_HALF_UP)


def ratio_to_percent(ratio: Decimal | None, *, decimals: int) -> Decimal | None:
    """Fraction -> percent rounded half-up: 0.8333… -> 83 (decimals=0) or 83.3 (decimals=1)."""
    ratio = as_decimal(ratio)
    if ratio is None:
        return None
    with localcontext(DIVISION_CONTEXT):
        percent = ratio * _HUNDRED
    return round_half_up(percent, decimals)


def cumulative_series(
    values: Mapping[int, Decimal | None],
    *,
    mode: str,
    start_fy: int | None = None,
) -> dict[int, Decimal | None]:
    """Turn single-year values into the series to display for ``mode`` (keys are fiscal years).

    - NONE, YEARLY_RESET: unchanged.
    - LIFETIME: unchanged (the values are already stock counts).
    - PLAN_PERIOD: running sum from ``start_fy`` (default: the first year given).
      Years before ``start_fy`` are unchanged (e.g. pre-plan single-year actuals).
      A missing (None) year inside the run gives None for that year only; the
      running sum carries on and later years add their own known values, so a
      later cumulative covers the known years only (V-COVER flags the gap).
    The result has the same keys as ``values``, in ascending year order.
    """
    ordered = {fy: as_decimal(values[fy]) for fy in sorted(values)}
    if mode in (CumulativeMode.NONE, CumulativeMode.LIFETIME, CumulativeMode.YEARLY_RESET):
        return ordered
    if mode != CumulativeMode.PLAN_PERIOD:
        raise ValueError(f"unknown cumulative mode: {mode!r}")
    if not ordered:
        return {}
    if start_fy is None:
        start_fy = next(iter(ordered))
    result: dict[int, Decimal | None] = {}
    running = Decimal(0)
    for fy, value in ordered.items():
        if fy < start_fy:
            result[fy] = value
        elif value is None:
            result[fy] = None
        else:
            running += value
            result[fy] = running
    return result


def year_over_year(
    *, current: Decimal | None, previous: Decimal | None, polarity: str
) -> YearOverYear | None:
    """前年度比較: "improved" / "flat" / "worsened" (YearOverYear), respecting polarity.

    None when either value is missing.
    """
    current, previous = as_decimal(current), as_decimal(previous)
    if current is None or previous is None:
        return None
    if current == previous:
        return YearOverYear.FLAT
    if polarity == Polarity.HIGHER_IS_BETTER:
        better = current > previous
    elif polarity == Polarity.LOWER_IS_BETTER:
        better = current < previous
    else:
        raise ValueError(f"unknown polarity: {polarity!r}")
    return YearOverYear.IMPROVED if better else YearOverYear.WORSENED


def cumulative_decreases(values: Mapping[int, Decimal | None]) -> list[int]:
    """Years whose cumulative actual is lower than the previous known year's (V-CUM).

    Missing years are skipped: the comparison is with the last year that has a value.
    """
    decreases: list[int] = []
    last: Decimal | None = None
    for fy in sorted(values):
        value = as_decimal(values[fy])
        if value is None:
            continue
        if last is not None and value < last:
            decreases.append(fy)
        last = value
    return decreases


def band_for_ratio(ratio: Decimal | None, bands: Mapping[str, Decimal | None]) -> str | None:
    """The band (e.g. a 進捗状況 code) whose lower bound is the highest one ≤ ``ratio`` (V-STATUS).

    ``bands`` maps a code to its lower bound as a fraction (1 = 100%); codes without a bound never
    match. None when the ratio is missing or below every bound.
    """
    ratio = as_decimal(ratio)
    if ratio is None:
        return None
    best: tuple[Decimal, str] | None = None
    for code, lower in bands.items():
        lower = as_decimal(lower)
        if lower is not None and ratio >= lower and (best is None or lower > best[0]):
            best = (lower, code)
    return None if best is None else best[1]


def trend_over_span(
    values: Mapping[int, Decimal | None], *, fiscal_year: int, span: int, polarity: str
) -> YearOverYear | None:
    """Change of an indicator over the ``span`` years ending at ``fiscal_year`` (過去3ヶ年の比較: span 3).

    The value of ``fiscal_year`` is compared with the earliest known value of the span's earlier
    years (S−2, else S−1 for a span of 3), by polarity. None when either side is missing.
    """
    current = as_decimal(values.get(fiscal_year))
    for fy in range(fiscal_year - span + 1, fiscal_year):
        previous = as_decimal(values.get(fy))
        if previous is not None:
            return year_over_year(current=current, previous=previous, polarity=polarity)
    return None


def share_achieved(results: Iterable[bool | None]) -> Decimal | None:
    """Share of the rated indicators that are 達成 (None = not rated); None when none is rated."""
    rated = [r for r in results if r is not None]
    if not rated:
        return None
    with localcontext(DIVISION_CONTEXT):
        return Decimal(sum(rated)) / Decimal(len(rated))


def trend_score(changes: Iterable[YearOverYear | None]) -> Decimal | None:
    """Trend of several indicators on 0 … 1: (向上 − 低下) ÷ rated indicators, mapped from −1 … 1.

    0.5 means as many improved as worsened (or all flat); None when no indicator could be compared.
    """
    rated = [c for c in changes if c is not None]
    if not rated:
        return None
    balance = sum(1 if c == YearOverYear.IMPROVED else -1 if c == YearOverYear.WORSENED else 0 for c in rated)
    with localcontext(DIVISION_CONTEXT):
        return (Decimal(balance) / Decimal(len(rated)) + 1) / 2
