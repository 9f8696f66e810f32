"""Cost formulas in 千円 (docs/forms.md §1.5, §2.3, §4.3, §5.3, §7.4).

The seed totals must come out of these functions exactly.
"""

from decimal import Decimal

import pytest

from indicators.costs import (
    general_revenue,
    personnel_cost,
    personnel_cost_for_hours,
    project_cost,
    sum_amounts,
    total_cost,
)

D = Decimal

# 000 §3 sub-programs 1–5: (S 決算, S 当初, E 予算)
SUBS_SETTLEMENT = [D(0), D(49), D(720), D(176), D(411)]
SUBS_INITIAL = [D(0), D(149), D(780), D(214), D(687)]
SUBS_BUDGET = [D(0), D(104), D(780), D(64), D(449)]


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        ([D(678), D(678)], D(1356)),  # 000 財源: 国県支出金 678 + 一般財源 678
        ([D(31371), D(20556), D(316118)], D(368045)),  # 004 事業費計(A)
        ([D(5), None, D(7)], D(12)),
        ([D(0)], D(0)),
        ([None, None], None),
        ([], None),
    ],
)
def test_sum_amounts(amounts, expected):
    """Σ of known amounts; None when every amount is blank."""
    assert sum_amounts(amounts) == expected


@pytest.mark.parametrize(
    ("subs", "expected"),
    [
        (SUBS_SETTLEMENT, D(1356)),
        (SUBS_INITIAL, D(1830)),
        (SUBS_BUDGET, D(1397)),
    ],
)
def test_project_cost_seed_000_sums_sub_programs(subs, expected):
    """000 事業費の合計 = Σ sub-programs: 1,356 決算 / 1,830 当初 / 1,397 予算."""
    assert project_cost(own_amount=D(999), sub_amounts=subs) == expected


@pytest.mark.parametrize(
    ("own", "subs", "expected"),
    [
        (D(500), [], D(500)),
        (None, [], None),
        (D(500), [None, None], None),  # has sub-programs, all blank
        (D(500), iter([D(1), None]), D(1)),
    ],
)
def test_project_cost_without_or_with_blank_subs(own, subs, expected):
    """Own amount when there are no sub-programs; blank subs stay blank (never 0)."""
    assert project_cost(own_amount=own, sub_amounts=subs) == expected


@pytest.mark.parametrize(
    ("cost", "specific", "expected"),
    [
        (D(1830), [D(913)], D(917)),  # 000 当初
        (D(1397), [D(697)], D(700)),  # 000 予算
        (D(1356), [D(678), None, None], D(678)),  # 000 決算; 地方債 / その他 blank
        (D(368045), [D(31371), D(20556)], D(316118)),  # 004
        (D(100), [], D(100)),
        (D(100), [None], D(100)),
        (None, [D(5)], None),
    ],
)
def test_general_revenue(cost, specific, expected):
    """一般財源 = 事業費 − Σ 特定財源; None when 事業費 is blank."""
    assert general_revenue(project_cost=cost, specific_amounts=specific) == expected


@pytest.mark.parametrize(
    ("allocations", "override", "expected"),
    [
        # 000/002 健福-17 FY2024: 2.1 × 7,865 + 2.0 × 1,640.1 = 19,796.7 -> 19,797
        ([(D("2.1"), D(7865)), (D("2.0"), D("1640.1"))], None, D(19797)),
        ([(D("0.5"), D(1))], None, D(1)),  # 0.5 rounds half-up
        ([(D("0.0"), None), (D("1.0"), D(7865))], None, D(7865)),  # zero FTE needs no unit cost
        ([(D("0.0"), None)], None, D(0)),
        ([(D("1.0"), None)], None, None),  # unit cost missing for a non-zero FTE
        ([(None, D(7865))], None, None),  # no FTE entered
        ([], None, None),
        ([(D("2.1"), D(7865))], D(72014), D(72014)),  # override wins (健福-36)
        ([], D(0), D(0)),  # an explicit 0 override is a value
    ],
)
def test_personnel_cost(allocations, override, expected):
    """人件費 = Σ FTE × unit cost, rounded half-up once on the total; override wins."""
    assert personnel_cost(allocations=allocations, override=override) == expected


@pytest.mark.parametrize(
    ("project", "personnel", "expected"),
    [
        (D(1356), D(19797), D(21153)),  # 000 → 002 健福-17 総事業費
        (D(368045), D(229568), D(597613)),  # 004 トータルコスト
        (D(9133184), D(587494), D(9720678)),  # 002 §2 R6
        (D(1356), None, D(1356)),
        (None, D(19797), D(19797)),
        (None, None, None),  # 002 R7 prints 0: must be blank
    ],
)
def test_total_cost(project, personnel, expected):
    """総事業費 = 事業費 + 人件費; blank only when both parts are blank."""
    assert total_cost(project_cost=project, personnel_cost=personnel) == expected


@pytest.mark.parametrize(
    ("hours", "yen_per_hour", "expected"),
    [
        (D(67820), D(3385), D(229571)),  # 229,570,700 円 -> 229,571 千円 (formula, not the seed)
        (D(1), D(500), D(1)),  # 0.5 千円 rounds half-up
        (D(1), D(499), D(0)),
        (None, D(3385), None),
        (D(67820), None, None),
    ],
)
def test_personnel_cost_for_hours(hours, yen_per_hour, expected):
    """人件費 (千円) = hours × 円/h ÷ 1000, rounded half-up."""
    assert personnel_cost_for_hours(hours=hours, yen_per_hour=yen_per_hour) == expected


def test_kunitachi_implied_hourly_rate():
    """004: 229,568,000 円 ÷ 67,820 h ≈ 3,385 円/h (the seed's implied rate)."""
    rate = (D(229568) * 1000 / D(67820)).quantize(D(1))
    assert rate == D(3385)
