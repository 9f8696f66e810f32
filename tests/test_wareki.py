"""Fiscal years and 和暦 labels (docs/forms.md §1.1)."""

import datetime

import pytest

from hikikomori_eval.wareki import date_label, era_year, fy_label, parse_fiscal_year


@pytest.mark.parametrize(
    ("fy", "expected"),
    [
        (2025, ("令和", 7)),
        (2020, ("令和", 2)),
        (2027, ("令和", 9)),
        (2019, ("令和", 1)),
        (2018, ("平成", 30)),
        (1989, ("平成", 1)),
        (1988, ("昭和", 63)),
    ],
)
def test_era_year(fy, expected):
    """令和N = 2018+N (FY2019 is 令和元年度), 平成N = 1988+N."""
    assert era_year(fy) == expected


def test_era_year_before_showa_raises():
    """Years before 昭和 have no supported era."""
    with pytest.raises(ValueError):
        era_year(1900)


@pytest.mark.parametrize(
    ("fy", "style", "expected"),
    [
        (2025, "title", "令和７年（2025年）度"),  # exactly as the Kamakura 表題
        (2024, "title", "令和６年（2024年）度"),
        (2019, "title", "令和元年（2019年）度"),
        (2028, "title", "令和１０年（2028年）度"),
        (2025, "long", "令和７年度"),
        (2019, "long", "令和元年度"),
        (2018, "long", "平成３０年度"),
        (2025, "short", "R7年度"),
        (2019, "short", "R1年度"),
        (2018, "short", "H30年度"),
        (2025, "plain", "令和7年度"),
        (2019, "plain", "令和元年度"),
        (2028, "plain", "令和10年度"),
        (2024, "number", "6年度"),
        (2019, "number", "元年度"),
    ],
)
def test_fy_label(fy, style, expected):
    """Labels per style; 令和元 prints 元 (except the short R1 form)."""
    assert fy_label(fy, style=style) == expected


def test_fy_label_default_style_is_long():
    """The default style is the full-width long label."""
    assert fy_label(2025) == "令和７年度"


def test_fy_label_unknown_style_raises():
    """An unknown style is a programming error."""
    with pytest.raises(ValueError):
        fy_label(2025, style="fancy")


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (datetime.date(2025, 6, 4), "令和7年6月4日"),  # 002 作成日
        (datetime.date(2019, 5, 1), "令和元年5月1日"),
        (datetime.date(2019, 4, 30), "平成31年4月30日"),  # dates use the real era boundary
        (datetime.date(1989, 1, 8), "平成元年1月8日"),
        (datetime.date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_date_label(d, expected):
    """和暦 dates with half-width digits and 元 for year 1."""
    assert date_label(d) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年度", 2025),
        ("令和７年度", 2025),
        ("令和 7 年度", 2025),
        ("令和7年", 2025),
        ("R7", 2025),
        ("r7", 2025),
        ("Ｒ７", 2025),
        ("R7年度", 2025),
        ("R2", 2020),
        ("2025", 2025),
        ("２０２５", 2025),
        ("2025年度", 2025),
        ("平成31年度", 2019),
        ("令和元年度", 2019),
        ("R1", 2019),
        ("H30", 2018),
        ("平成30年度", 2018),
        ("h30年度", 2018),
        ("令和７年（2025年）度", 2025),
        ("令和元年（2019年）度", 2019),
        (" 令和6年度 ", 2024),
    ],
)
def test_parse_fiscal_year(text, expected):
    """All the usual spellings read as the Western fiscal year; 平成31年度 = 令和元年度 = 2019."""
    assert parse_fiscal_year(text) == expected


def test_heisei_31_equals_reiwa_gannen():
    """平成31年度 and 令和元年度 are the same fiscal year 2019."""
    assert parse_fiscal_year("平成31年度") == parse_fiscal_year("令和元年度") == 2019


@pytest.mark.parametrize("fy", range(2016, 2031))
def test_labels_round_trip(fy):
    """Every generated label parses back to the same fiscal year."""
    for style in ("title", "long", "short", "plain"):
        assert parse_fiscal_year(fy_label(fy, style=style)) == fy


@pytest.mark.parametrize(
    "text",
    ["", "令和", "令和0年度", "R", "X7", "25", "令和7年度末", "令和７年（2024年）度", "1800", "abc", "7年度"],
)
def test_parse_fiscal_year_rejects_with_japanese_message(text):
    """Unreadable text raises ValueError 「年度として読めません: "…"」 naming the text."""
    with pytest.raises(ValueError) as excinfo:
        parse_fiscal_year(text)
    assert str(excinfo.value) == f'年度として読めません: "{text}"'
