"""Small counts in published outputs (public PDFs, open-data CSV): below the municipality's threshold a
count is suppressed (X) or banded (5未満), and a rate built on such a count is marked 参考値.

Pure: plain values in, plain values out (no ORM, no settings); internal pages never call this and show
the real numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from benchmarks.choices import SmallCountMode
from hikikomori_eval.numbers import format_number

DEFAULT_THRESHOLD = 5
SUPPRESSED_MARK = "X"
REFERENCE_MARK = "（参考値）"
#: Units whose values count people or cases: the ones that can point at individuals when small.
COUNT_UNITS = frozenset({"人", "名", "件", "人日", "世帯"})

__all__ = [
    "COUNT_UNITS",
    "DEFAULT_THRESHOLD",
    "PublishedCount",
    "PublishedRate",
    "is_small",
    "publish_count",
    "publish_rate",
    "publish_reversible_rate",
]


@dataclass(frozen=True)
class PublishedCount:
    """A count as a published output shows it: ``value`` is None when it may not be shown."""

    value: Decimal | int | None
    text: str
    small: bool = False


@dataclass(frozen=True)
class PublishedRate:
    value: Decimal | None
    text: str
    reference: bool = False


def is_small(count: Decimal | int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """1 … threshold−1 is small; 0 and blank are not (nobody to point at)."""
    return count is not None and 0 < count < threshold


def publish_count(
    count: Decimal | int | None,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    mode: str = SmallCountMode.SUPPRESS,
    decimals: int = 0,
    unit: str = "",
) -> PublishedCount:
    """13 → 13; 3 → X (suppress) or 5未満 (band); 0 → 0; blank stays blank."""
    if count is None:
        return PublishedCount(None, "")
    if not is_small(count, threshold):
        return PublishedCount(count, f"{format_number(count, decimals)}{unit}")
    if mode == SmallCountMode.BAND:
        return PublishedCount(None, f"{threshold}{unit}未満", small=True)
    return PublishedCount(None, SUPPRESSED_MARK, small=True)


def publish_rate(
    percent: Decimal | None,
    *,
    counts: Iterable[Decimal | int | None],
    threshold: int = DEFAULT_THRESHOLD,
    decimals: int = 1,
    unit: str = "%",
) -> PublishedRate:
    """A rate (a percentage, a figure per 10万人 …); marked 参考値 when a count it was built on is small."""
    if percent is None:
        return PublishedRate(None, "")
    reference = any(is_small(c, threshold) for c in counts)
    text = f"{format_number(percent, decimals)}{unit}" + (REFERENCE_MARK if reference else "")
    return PublishedRate(percent, text, reference=reference)


def publish_reversible_rate(
    percent: Decimal | None,
    *,
    counts: Iterable[Decimal | int | None],
    reversible: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    decimals: int = 1,
    unit: str = "%",
) -> PublishedRate:
    """A rate printed beside what it was computed from (actual ÷ target, a count per 10万人 of a known
    population): on a small count it would give the count back, so it is withheld (X). A rate that
    cannot be reversed (``reversible=False``: 達成／未達成, a capped 100%) is shown marked 参考値."""
    counts = list(counts)
    if percent is not None and reversible and any(is_small(c, threshold) for c in counts):
        return PublishedRate(None, SUPPRESSED_MARK, reference=True)
    return publish_rate(percent, counts=counts, threshold=threshold, decimals=decimals, unit=unit)
