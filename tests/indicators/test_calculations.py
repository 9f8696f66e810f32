"""Achievement rates, rounding and cumulative series (docs/forms.md §1.3–1.4, §7.4–7.5).

Every printed rate of the seeds must come out of these functions exactly.
"""

from decimal import Decimal

import pytest

from indicators.calculations import (
    achievement_ratio,
    as_decimal,
    band_for_ratio,
    cumulative_decreases,
    cumulative_series,
    displayed_ratio,
    is_achieved,
    ratio_to_percent,
    round_half_up,
    share_achieved,
    trend_over_span,
    trend_score,
    year_over_year,
)
from indicators.choices import AchievementMethod, CumulativeMode, Polarity, YearOverYear

D = Decimal
HIGHER = Polarity.HIGHER_IS_BETTER
LOWER = Polarity.LOWER_IS_BETTER


def percent(method, target, actual, decimals, **kwargs):
    """Raw ratio -> percent as printed (no cap)."""
    ratio = achievement_ratio(method=method, target=D(target), actual=D(actual), **kwargs)
    return ratio_to_percent(ratio, decimals=decimals)


# --- Printed seed rates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "target", "printed"),
    [
        ("60", "72", "83"),
        ("36", "50", "72"),
        ("84", "108", "78"),
    ],
)
def test_seed_000_section3_integer_percent(actual, target, printed):
    """000 §3 達成度: actual ÷ target, printed as an integer percent (half-up)."""
    assert percent(AchievementMethod.RATIO, target, actual, 0) == D(printed)


@pytest.mark.parametrize(
    ("actual", "target", "printed"),
    [
        ("44.0", "20.0", "220.0"),
        ("60.0", "50.0", "120.0"),
        ("60.0", "66.0", "90.9"),
        ("60.0", "72.0", "83.3"),
        ("13.0", "20.0", "65.0"),
        ("74.0", "48.0", "154.2"),
        ("84.0", "108.0", "77.8"),
    ],
)
def test_seed_000_reference_one_decimal(actual, target, printed):
    """000 【参考】 達成率: actual ÷ target, one decimal; over 100% is not capped."""
    assert str(percent(AchievementMethod.RATIO, target, actual, 1)) == printed


@pytest.mark.parametrize(
    ("indicator", "actual", "target", "printed"),
    [
        ("①", "60.2", "58.9", "102.2"),
        ("①", "61.0", "61.8", "98.7"),
        ("①", "62.0", "64.7", "95.8"),
        ("①", "65.6", "67.6", "97.0"),
        ("②", "52.7", "58.8", "89.6"),
        ("②", "53.2", "61.6", "86.4"),
        ("②", "51.8", "64.4", "80.4"),
        ("②", "57.7", "67.2", "85.9"),
        ("④", "1623", "1642", "98.8"),
        ("④", "1810", "1820", "99.5"),
        ("④", "1906", "2000", "95.3"),
        ("④", "2043", "2000", "102.2"),
        ("④", "2186", "2000", "109.3"),
    ],
)
def test_seed_002_ratio_indicators(indicator, actual, target, printed):
    """002 §5 ①②④ 達成率 = actual ÷ target, one decimal (all 13 printed rates)."""
    assert str(percent(AchievementMethod.RATIO, target, actual, 1)) == printed


@pytest.mark.parametrize(
    ("target", "actual", "printed"),
    [
        ("18.5", "17.9", "103.4"),
        ("18.7", "18.3", "102.2"),
        ("19.0", "18.6", "102.2"),
        ("19.4", "19.2", "101.0"),
    ],
)
def test_seed_002_inverse_lower_is_better(target, actual, printed):
    """002 §5 ③ 要支援・要介護認定率 (lower is better): target ÷ actual, one decimal."""
    assert str(percent(AchievementMethod.INVERSE, target, actual, 1)) == printed


@pytest.mark.parametrize(
    ("actual", "target", "raw_percent", "printed"),
    [
        ("6", "4", "150.0", "100.0"),
        ("2386", "1800", "132.6", "100.0"),
        ("1", "1", "100.0", "100.0"),
        ("0", "1", "0.0", "0.0"),
    ],
)
def test_seed_001_capped_display_keeps_raw(actual, target, raw_percent, printed):
    """001 ratio_capped: the display is min(ratio, 100%); the raw ratio is kept uncapped."""
    raw = achievement_ratio(method=AchievementMethod.RATIO_CAPPED, target=D(target), actual=D(actual))
    assert str(ratio_to_percent(raw, decimals=1)) == raw_percent
    shown = displayed_ratio(raw, cap=D("1"))
    assert str(ratio_to_percent(shown, decimals=1)) == printed


def test_seed_001_raw_ratio_is_exact_fraction():
    """6/4 gives the raw fraction 1.5 (not 1)."""
    raw = achievement_ratio(method=AchievementMethod.RATIO_CAPPED, target=D(4), actual=D(6))
    assert raw == D("1.5")


# --- achievement_ratio edge cases ---------------------------------------------------------------


def test_ratio_is_a_full_precision_fraction():
    """60/72 is returned as a 28-digit fraction, never a float."""
    ratio = achievement_ratio(method=AchievementMethod.RATIO, target=D(72), actual=D(60))
    assert isinstance(ratio, Decimal)
    assert ratio == D("0.8333333333333333333333333333")


@pytest.mark.parametrize(
    ("method", "target", "actual", "baseline", "expected"),
    [
        (AchievementMethod.RATIO, "0", "5", None, None),
        (AchievementMethod.RATIO_CAPPED, "0", "5", None, None),
        (AchievementMethod.RATIO, "10", "0", None, D(0)),
        (AchievementMethod.INVERSE, "10", "0", None, None),
        (AchievementMethod.INVERSE, "0", "10", None, D(0)),
        (AchievementMethod.BASELINE_RELATIVE, "50", "40", "50", None),
        (AchievementMethod.BASELINE_RELATIVE, "60", "55", None, None),
    ],
)
def test_zero_denominators_and_missing_baseline_give_none(method, target, actual, baseline, expected):
    """Target 0 (ratio), actual 0 (inverse), target == baseline or no baseline -> None; 0/x -> 0."""
    ratio = achievement_ratio(
        method=method,
        target=D(target),
        actual=D(actual),
        baseline=None if baseline is None else D(baseline),
    )
    assert ratio == expected


@pytest.mark.parametrize("method", list(AchievementMethod))
@pytest.mark.parametrize(("target", "actual"), [(None, D(5)), (D(5), None), (None, None)])
def test_missing_values_give_none(method, target, actual):
    """Blank in, blank out: any missing target or actual gives None for every method."""
    assert achievement_ratio(method=method, target=target, actual=actual, baseline=D(1)) is None


def test_over_twice_the_target_is_not_capped_unless_display_cap():
    """44/20 = 2.2 stays 2.2 for RATIO and for the raw RATIO_CAPPED ratio; only the display caps."""
    for method in (AchievementMethod.RATIO, AchievementMethod.RATIO_CAPPED):
        ratio = achievement_ratio(method=method, target=D(20), actual=D(44))
        assert ratio == D("2.2")
    assert displayed_ratio(D("2.2")) == D("2.2")
    assert displayed_ratio(D("2.2"), cap=D(1)) == D(1)
    assert displayed_ratio(D("0.5"), cap=D(1)) == D("0.5")
    assert displayed_ratio(None, cap=D(1)) is None


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "expected"),
    [
        ("52.8", "70.0", "61.4", D("0.5")),  # half way from baseline to target
        ("20", "10", "15", D("0.5")),  # a reduction target works the same way
        ("50", "60", "50", D(0)),
        ("50", "60", "45", D("-0.5")),  # below the baseline is negative
    ],
)
def test_baseline_relative(baseline, target, actual, expected):
    """BASELINE_RELATIVE = (actual − baseline) ÷ (target − baseline), either direction."""
    ratio = achievement_ratio(
        method=AchievementMethod.BASELINE_RELATIVE, target=D(target), actual=D(actual), baseline=D(baseline)
    )
    assert ratio == expected


@pytest.mark.parametrize(
    ("target", "actual", "polarity", "expected"),
    [
        ("10", "12", HIGHER, D(1)),
        ("10", "10", HIGHER, D(1)),
        ("10", "9", HIGHER, D(0)),
        ("19.6", "19.2", LOWER, D(1)),
        ("19.6", "19.6", LOWER, D(1)),
        ("19.6", "19.7", LOWER, D(0)),
        ("0", "0", HIGHER, D(1)),  # target 0 is a valid comparison for binary
    ],
)
def test_binary(target, actual, polarity, expected):
    """BINARY gives 1 (達成) or 0 (未達成) according to polarity."""
    ratio = achievement_ratio(
        method=AchievementMethod.BINARY, target=D(target), actual=D(actual), polarity=polarity
    )
    assert ratio == expected


@pytest.mark.parametrize(
    ("target", "actual", "polarity", "expected"),
    [
        (D(72), D(60), HIGHER, False),
        (D(72), D(72), HIGHER, True),
        (D(72), D(80), HIGHER, True),
        (D("18.5"), D("17.9"), LOWER, True),
        (D("18.5"), D("18.5"), LOWER, True),
        (D("18.5"), D("18.6"), LOWER, False),
        (None, D(1), HIGHER, None),
        (D(1), None, LOWER, None),
    ],
)
def test_is_achieved(target, actual, polarity, expected):
    """達成 when actual ≥ target (higher) or actual ≤ target (lower); None when a value is missing."""
    assert is_achieved(target=target, actual=actual, polarity=polarity) is expected


def test_unknown_method_and_polarity_raise():
    """Unknown method or polarity strings are programming errors."""
    with pytest.raises(ValueError):
        achievement_ratio(method="nope", target=D(1), actual=D(1))
    with pytest.raises(ValueError):
        is_achieved(target=D(1), actual=D(1), polarity="sideways")


def test_floats_are_refused_ints_accepted():
    """Floats never enter a calculation; ints are converted exactly."""
    with pytest.raises(TypeError):
        achievement_ratio(method=AchievementMethod.RATIO, target=72.0, actual=D(60))
    assert as_decimal(5) == D(5)
    assert achievement_ratio(method=AchievementMethod.RATIO, target=4, actual=6) == D("1.5")


# --- Rounding ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "decimals", "expected"),
    [
        (D("0.8325"), 1, "83.3"),  # half-even would give 83.2
        (D("0.835"), 0, "84"),
        (D("0.825"), 0, "83"),  # half-even would give 82
        (D("1.0215"), 1, "102.2"),
        (D("0.8333333333333333333333333333"), 0, "83"),
        (D("0.8333333333333333333333333333"), 1, "83.3"),
        (D("0"), 1, "0.0"),
        (D("2.2"), 1, "220.0"),
        (None, 1, None),
    ],
)
def test_ratio_to_percent_rounds_half_up(ratio, decimals, expected):
    """ratio × 100 rounded half-up at display precision; None stays None."""
    result = ratio_to_percent(ratio, decimals=decimals)
    assert (None if result is None else str(result)) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (D("2.5"), 0, "3"),
        (D("3.5"), 0, "4"),
        (D("-2.5"), 0, "-3"),  # half away from zero
        (D("19796.7"), 0, "19797"),
        (D("13"), 1, "13.0"),
        (D("55.745"), 2, "55.75"),
        (None, 0, None),
    ],
)
def test_round_half_up(value, decimals, expected):
    """round_half_up quantizes with ROUND_HALF_UP (away from zero at .5)."""
    result = round_half_up(value, decimals)
    assert (None if result is None else str(result)) == expected


# --- Cumulative series ---------------------------------------------------------------------------


def test_plan_period_cumulative_seed_001():
    """001: plan cells 単年（累計） 1,800 (-) / 1,800 (3,600) / 1,800 (5,400) from plan start R4."""
    single = {2022: D(1800), 2023: D(1800), 2024: D(1800)}
    assert cumulative_series(single, mode=CumulativeMode.PLAN_PERIOD, start_fy=2022) == {
        2022: D(1800),
        2023: D(3600),
        2024: D(5400),
    }


def test_plan_period_years_before_start_are_unchanged():
    """001: pre-plan actuals (R2 1,862, R3 1,897) are single-year and stay as they are."""
    values = {2020: D(1862), 2021: D(1897), 2022: D(1), 2023: D(1), 2024: D(1)}
    assert cumulative_series(values, mode=CumulativeMode.PLAN_PERIOD, start_fy=2022) == {
        2020: D(1862),
        2021: D(1897),
        2022: D(1),
        2023: D(2),
        2024: D(3),
    }


def test_plan_period_missing_year_is_none_and_sum_continues():
    """A missing year inside the run is None; later years keep summing the known values."""
    values = {2024: D(4), 2022: D(4), 2023: None}
    result = cumulative_series(values, mode=CumulativeMode.PLAN_PERIOD, start_fy=2022)
    assert result == {2022: D(4), 2023: None, 2024: D(8)}
    assert list(result) == [2022, 2023, 2024]


def test_plan_period_default_start_is_first_year():
    """Without start_fy the run starts at the earliest year given."""
    values = {2023: D(2), 2022: D(1)}
    assert cumulative_series(values, mode=CumulativeMode.PLAN_PERIOD) == {2022: D(1), 2023: D(3)}
    assert cumulative_series({}, mode=CumulativeMode.PLAN_PERIOD) == {}


@pytest.mark.parametrize("mode", [CumulativeMode.NONE, CumulativeMode.LIFETIME, CumulativeMode.YEARLY_RESET])
def test_other_modes_return_values_unchanged(mode):
    """none / lifetime (002 ④ stock counts) / yearly_reset leave the values as they are."""
    values = {2020: D(1623), 2021: D(1810), 2022: None, 2023: D(2043)}
    assert cumulative_series(values, mode=mode, start_fy=2020) == values


def test_unknown_cumulative_mode_raises():
    """An unknown mode is a programming error."""
    with pytest.raises(ValueError):
        cumulative_series({2020: D(1)}, mode="weekly")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({2020: D(1623), 2021: D(1810), 2022: D(1906), 2023: D(2043), 2024: D(2186)}, []),
        ({2020: D(10), 2021: D(9), 2022: D(12)}, [2021]),
        ({2020: D(10), 2021: None, 2022: D(8), 2023: D(8)}, [2022]),  # compares with last known
        ({2022: D(5), 2020: D(7)}, [2022]),  # order of the mapping does not matter
        ({}, []),
        ({2020: None}, []),
    ],
)
def test_cumulative_decreases(values, expected):
    """V-CUM: years whose cumulative actual is below the previous known year."""
    assert cumulative_decreases(values) == expected


# --- Year over year ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "previous", "polarity", "expected"),
    [
        (D("14.8"), D("12.8"), HIGHER, "improved"),
        (D("12.1"), D("14.8"), HIGHER, "worsened"),
        (D("5"), D("5.0"), HIGHER, "flat"),
        (D("18.3"), D("17.9"), LOWER, "worsened"),
        (D("17.9"), D("18.3"), LOWER, "improved"),
        (D("5"), D("5"), LOWER, "flat"),
        (None, D("5"), HIGHER, None),
        (D("5"), None, LOWER, None),
    ],
)
def test_year_over_year(current, previous, polarity, expected):
    """前年度比較 respects polarity; blank when either value is missing."""
    result = year_over_year(current=current, previous=previous, polarity=polarity)
    assert result == expected
    if expected is not None:
        assert isinstance(result, YearOverYear)


# ---- band_for_ratio: 進捗状況 bands (V-STATUS) ----

BANDS = {
    "on_track": Decimal("1"),
    "mostly_on_track": Decimal("0.8"),
    "slightly_delayed": Decimal("0.5"),
    "much_delayed": Decimal("0"),
}


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [
        (Decimal("1.5"), "on_track"),  # 協議会 6/4: the raw ratio, not the capped one
        (Decimal("1"), "on_track"),
        (Decimal("0.8"), "mostly_on_track"),
        (Decimal("0.79"), "slightly_delayed"),
        (Decimal("0"), "much_delayed"),  # 通信 0/1: the seed's 概ね順調 is outside its band
        (None, None),
    ],
)
def test_band_for_ratio(ratio, expected):
    assert band_for_ratio(ratio, BANDS) == expected


def test_band_for_ratio_ignores_options_without_a_bound_and_refuses_floats():
    assert band_for_ratio(Decimal("0.1"), {"on_track": Decimal(1), "other": None}) is None
    with pytest.raises(TypeError):
        band_for_ratio(0.5, BANDS)


# --- 施策マネジメントシート §4: suggested grades (forms.md §5.4) ---


@pytest.mark.parametrize(
    ("values", "polarity", "expected"),
    [
        # 1ア (lower is better): 68.4 in S−2, '-' in S−1, 66.1 in S.
        (
            {2021: Decimal("68.4"), 2022: None, 2023: Decimal("66.1")},
            Polarity.LOWER_IS_BETTER,
            YearOverYear.IMPROVED,
        ),
        # 1イ: 14.8 → 12.1 over the same years.
        (
            {2021: Decimal("14.8"), 2022: None, 2023: Decimal("12.1")},
            Polarity.HIGHER_IS_BETTER,
            YearOverYear.WORSENED,
        ),
        # No S−2 value: the comparison falls back to S−1.
        ({2022: Decimal("50.0"), 2023: Decimal("52.7")}, Polarity.HIGHER_IS_BETTER, YearOverYear.IMPROVED),
        # S−3 is outside a three-year span.
        ({2020: Decimal("50"), 2023: Decimal("52")}, Polarity.HIGHER_IS_BETTER, None),
        ({2021: Decimal("5"), 2023: None}, Polarity.HIGHER_IS_BETTER, None),
        ({2021: Decimal("5"), 2023: Decimal("5")}, Polarity.HIGHER_IS_BETTER, YearOverYear.FLAT),
    ],
)
def test_trend_over_span(values, polarity, expected):
    assert trend_over_span(values, fiscal_year=2023, span=3, polarity=polarity) == expected


def test_share_achieved():
    assert share_achieved([False, False, False, False]) == 0
    assert share_achieved([True, False, None, True]) == Decimal(2) / Decimal(3)
    assert share_achieved([None, None]) is None


def test_trend_score():
    improved, flat, worsened = YearOverYear.IMPROVED, YearOverYear.FLAT, YearOverYear.WORSENED
    assert trend_score([improved, worsened, worsened, improved]) == Decimal("0.5")
    assert trend_score([improved, improved]) == 1
    assert trend_score([worsened, flat]) == Decimal("0.25")
    assert trend_score([None]) is None
