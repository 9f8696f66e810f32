"""Input normalisation and value parsing (docs/forms.md §1.2, §7.5 V-NUM1, V-STATUS-TOKEN)."""

from decimal import Decimal

import pytest

from hikikomori_eval.numbers import (
    BLANK,
    ParsedValue,
    format_number,
    normalize_width,
    parse_amount,
    parse_value,
)
from indicators.choices import ValueStatus

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("健福-3６", "健福-36"),
        ("４-(1)-①", "4-(1)-①"),  # ① is kept (NFKC would make it 1)
        ("2,１86", "2,186"),
        ("1,5１5件", "1,515件"),
        ("１件（２件）", "1件（2件）"),  # full-width brackets are Japanese text: kept
        ("１，２３４．５", "1,234.5"),
        ("－５", "-5"),
        ("−５", "-5"),
        ("８３．３％", "83.3%"),
        ("ＡＢＣｘｙｚ", "ABCxyz"),
        ("Ｒ７", "R7"),
        ("貢献度Ａ", "貢献度A"),
        ("ひきこもり相談件数（人）", "ひきこもり相談件数（人）"),
        ("ベンチマーク ー", "ベンチマーク ー"),  # the long vowel mark is not a minus
        ("令和　７年", "令和　7年"),  # ideographic space kept
        ("", ""),
    ],
)
def test_normalize_width(text, expected):
    """Only digits, ASCII letters and ，．－−％＋ are converted; other Japanese text is kept."""
    assert normalize_width(text) == expected


@pytest.mark.parametrize(
    ("text", "value", "unit", "normalized"),
    [
        ("1,5１5件", D(1515), "件", True),
        ("７２人", D(72), "人", True),
        ("60人", D(60), "人", False),
        ("60 人", D(60), "人", False),
        ("83.3%", D("83.3"), "%", False),
        ("８３．３％", D("83.3"), "%", True),
        ("2,１86", D(2186), "", True),
        ("9,720,678", D(9720678), "", False),
        ("13.0", D("13.0"), "", False),
        ("55.75", D("55.75"), "", False),
        ("0", D(0), "", False),
        ("-5", D(-5), "", False),
        ("－５", D(-5), "", True),
        ("△50", D(-50), "", False),
        ("+3", D(3), "", False),
        ("  42  ", D(42), "", False),
        ("56回", D(56), "回", False),
        ("67,820時間", D(67820), "時間", False),
        ("3団体", D(3), "団体", False),
        ("1,356千円", D(1356), "千円", False),
    ],
)
def test_parse_value_numbers(text, value, unit, normalized):
    """Numbers parse with thousands commas, decimals, sign and a Japanese or % unit; raw text kept."""
    parsed = parse_value(text)
    assert parsed == ParsedValue(
        value=value, status=ValueStatus.OK, raw_text=text, normalized=normalized, unit=unit
    )
    assert str(parsed.value) == str(value)  # decimals as typed (13.0 stays 13.0)


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("―", ValueStatus.NOT_APPLICABLE),
        ("-", ValueStatus.NOT_APPLICABLE),
        ("ー", ValueStatus.NOT_APPLICABLE),
        ("－", ValueStatus.NOT_APPLICABLE),
        ("—", ValueStatus.NOT_APPLICABLE),
        ("‐", ValueStatus.NOT_APPLICABLE),
        (" ― ", ValueStatus.NOT_APPLICABLE),
        ("未実施", ValueStatus.NOT_CONDUCTED),
        ("未定", ValueStatus.PENDING),
        ("把握できていない", ValueStatus.UNKNOWN),
        ("不詳", ValueStatus.UNKNOWN),
    ],
)
def test_parse_value_status_tokens_are_never_zero(text, status):
    """Missing-value tokens become statuses with no value (never 0)."""
    parsed = parse_value(text)
    assert parsed.value is None
    assert parsed.status == status
    assert parsed.raw_text == text
    assert parsed.unit == ""


@pytest.mark.parametrize("text", ["", "   ", "　", None])
def test_parse_value_blank(text):
    """Blank input has no value and the empty status (not "ok", not 0)."""
    parsed = parse_value(text)
    assert parsed.value is None
    assert parsed.status == BLANK == ""
    assert parsed.is_blank


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("【暫定値】57", D(57)),
        ("57【暫定値】", D(57)),
        ("【暫定】５７人", D(57)),
    ],
)
def test_parse_value_provisional(text, value):
    """【暫定値】 sets the provisional flag and the number is still read."""
    parsed = parse_value(text)
    assert parsed.value == value
    assert parsed.status == ValueStatus.OK
    assert parsed.provisional is True


def test_parse_value_not_provisional_by_default():
    """Plain numbers are not provisional."""
    assert parse_value("57").provisional is False


@pytest.mark.parametrize(
    "text",
    ["７２人x", "abc", "1,51", "12,34,567", "1.2.3", ".5", "5.", "約60人", "1件（2件）", "R7", "60km", "--5"],
)
def test_parse_value_rejects_with_japanese_message(text):
    """Anything else raises ValueError 「数値ではありません（"…"）」 quoting the raw input as typed."""
    with pytest.raises(ValueError) as excinfo:
        parse_value(text)
    assert str(excinfo.value) == f'数値ではありません（"{text}"）'


def test_parse_value_error_message_example():
    """The exact message for the documented example."""
    with pytest.raises(ValueError, match=r'^数値ではありません（"７２人x"）$'):
        parse_value("７２人x")


@pytest.mark.parametrize(
    ("cell", "value"),
    [(60, D(60)), (D("83.3"), D("83.3")), (83.3, D("83.3"))],
)
def test_parse_value_accepts_spreadsheet_numbers(cell, value):
    """Numbers coming from spreadsheet cells are read through their text form."""
    assert parse_value(cell).value == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,356", D(1356)),
        ("１，３５６", D(1356)),
        ("9,720,678", D(9720678)),
        ("1356千円", D(1356)),
        ("0", D(0)),
        ("-12", D(-12)),  # parses; validation elsewhere rejects negatives
        ("△12", D(-12)),
        ("", None),
        ("―", None),
        ("未定", None),
    ],
)
def test_parse_amount(text, expected):
    """千円 amounts: numbers with or without 千円; blank and tokens give None."""
    assert parse_amount(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1,356円", '千円単位の金額ではありません（"1,356円"）'),
        ("12人", '千円単位の金額ではありません（"12人"）'),
        ("１２３x", '数値ではありません（"１２３x"）'),
    ],
)
def test_parse_amount_rejects(text, message):
    """A unit other than 千円, or a non-number, raises ValueError with a Japanese message."""
    with pytest.raises(ValueError) as excinfo:
        parse_amount(text)
    assert str(excinfo.value) == message


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("57.25"), 1, "57.3"),  # half up, where Python's format gives 57.2
        (Decimal("55.75"), 1, "55.8"),
        (Decimal("0.125"), 2, "0.13"),
        (Decimal("1356"), 0, "1,356"),
        (Decimal("2.5"), 0, "3"),
        (Decimal("-2.5"), 0, "-3"),
        (7085638, 0, "7,085,638"),
        (None, 1, ""),
        ("", 0, ""),
    ],
)
def test_format_number_rounds_half_up(value, decimals, expected):
    assert format_number(value, decimals) == expected
