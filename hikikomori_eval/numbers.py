"""Input normalisation for numbers typed or imported into sheets (docs/forms.md §1.2, §7.5).

- :func:`normalize_width` turns full-width digits, ASCII letters and number
  punctuation into half-width, and leaves every other character (kana, kanji,
  ①, full-width brackets …) untouched. It is deliberately *not* NFKC.
- :func:`parse_value` reads an indicator cell: a number with an optional unit,
  or a status token (―, 未実施, 未定, 不詳 …). Tokens are statuses, never 0.
- :func:`parse_amount` reads a 千円 amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from indicators.choices import ValueStatus

__all__ = ["BLANK", "ParsedValue", "format_number", "normalize_width", "parse_amount", "parse_value"]

_FULL_DIGITS = "０１２３４５６７８９"
_FULL_UPPER = "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
_FULL_LOWER = "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"
_PUNCTUATION = {
    "，": ",",  # U+FF0C full-width comma
    "．": ".",  # U+FF0E full-width full stop
    "－": "-",  # U+FF0D full-width hyphen-minus
    "−": "-",  # U+2212 minus sign
    "‐": "-",  # U+2010 hyphen
    "‑": "-",  # U+2011 non-breaking hyphen
    "％": "%",  # U+FF05 full-width percent
    "＋": "+",  # U+FF0B full-width plus
}
_WIDTH_TABLE = str.maketrans(
    {
        **dict(zip(_FULL_DIGITS, "0123456789", strict=True)),
        **dict(zip(_FULL_UPPER, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", strict=True)),
        **dict(zip(_FULL_LOWER, "abcdefghijklmnopqrstuvwxyz", strict=True)),
        **_PUNCTUATION,
    }
)

#: Status of a blank cell: no value and no status ("" is falsy; callers treat it as "no value").
BLANK = ""

# Tokens compared after normalize_width and whitespace removal.
_STATUS_TOKENS: dict[str, str] = {
    **dict.fromkeys(("―", "-", "ー", "ｰ", "—", "–", "‐", "－"), ValueStatus.NOT_APPLICABLE.value),
    "未実施": ValueStatus.NOT_CONDUCTED.value,
    "未定": ValueStatus.PENDING.value,
    "把握できていない": ValueStatus.UNKNOWN.value,
    "不詳": ValueStatus.UNKNOWN.value,
}
_PROVISIONAL_RE = re.compile(r"【暫定値?】")
_NUMBER_RE = re.compile(
    r"(?P<sign>[+\-△▲]?)"  # △ / ▲ = minus in Japanese accounts
    r"(?P<int>\d{1,3}(?:,\d{3})+|\d+)"  # commas only as thousands separators
    r"(?P<frac>\.\d+)?"
    r"(?P<unit>.*)"
)
# A unit is "%" or a run of Japanese characters (人, 件, 回, 時間, 千円, 団体, か所 …).
_UNIT_RE = re.compile(r"%|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々〆ヶ]+")
_WHITESPACE_RE = re.compile(r"\s+")


def normalize_width(text: str) -> str:
    """Full-width digits, ASCII letters, ，．－−‐％＋ -> half-width; everything else kept.

    "健福-3６" -> "健福-36"; "４-(1)-①" -> "4-(1)-①"; "１件（２件）" -> "1件（2件）".
    """
    return text.translate(_WIDTH_TABLE)


@dataclass(frozen=True)
class ParsedValue:
    """Result of :func:`parse_value`.

    value: the number, or None for blank input and status tokens.
    status: a ValueStatus value ("ok", "not_applicable", …) or BLANK ("") for blank input.
    raw_text: the input exactly as typed (keep it next to the value).
    normalized: True when full-width characters were converted (V-NUM1 info).
    unit: trailing unit text such as "人", "件", "%" ("" when none).
    provisional: True when the input carried 【暫定値】.
    """

    value: Decimal | None
    status: str
    raw_text: str
    normalized: bool = False
    unit: str = ""
    provisional: bool = False

    @property
    def is_blank(self) -> bool:
        """True when nothing was entered."""
        return self.status == BLANK


def _as_text(text: object) -> str:
    """Accept str, None (blank) and numbers from spreadsheet cells."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    if isinstance(text, int | float | Decimal) and not isinstance(text, bool):
        return str(text)
    raise TypeError(f"text expected, got {type(text).__name__}: {text!r}")


def parse_value(text: str | None) -> ParsedValue:
    """Parse an indicator cell.

    - blank (or only spaces) -> value None, status BLANK ("")
    - ―, -, ー, －, —, ‐ -> not_applicable; 未実施 -> not_conducted; 未定 -> pending;
      把握できていない, 不詳 -> unknown (value None)
    - numbers with thousands commas, decimals, a sign (-, △, ▲) and an optional
      unit: "1,5１5件" -> 1515 件 (normalized); "60人"; "83.3%" -> 83.3 %
    - 【暫定値】 anywhere -> provisional=True ("【暫定値】57" -> 57)
    Anything else raises ValueError 「数値ではありません（"…"）」 quoting the raw input.
    """
    raw = _as_text(text)
    normalized_text = normalize_width(raw)
    normalized = normalized_text != raw
    s = _WHITESPACE_RE.sub("", normalized_text)
    provisional = bool(_PROVISIONAL_RE.search(s))
    s = _PROVISIONAL_RE.sub("", s)

    def result(value: Decimal | None, status: str, unit: str = "") -> ParsedValue:
        return ParsedValue(
            value=value,
            status=status,
            raw_text=raw,
            normalized=normalized,
            unit=unit,
            provisional=provisional,
        )

    if not s:
        return result(None, BLANK)
    if s in _STATUS_TOKENS:
        return result(None, _STATUS_TOKENS[s])
    m = _NUMBER_RE.fullmatch(s)
    unit = m.group("unit") if m else None
    if m is None or (unit and not _UNIT_RE.fullmatch(unit)):
        raise ValueError(f'数値ではありません（"{raw}"）')
    sign = "-" if m.group("sign") in ("-", "△", "▲") else ""
    digits = m.group("int").replace(",", "") + (m.group("frac") or "")
    return result(Decimal(sign + digits), ValueStatus.OK.value, unit or "")


def parse_amount(text: str | None) -> Decimal | None:
    """Parse a 千円 amount: "1,356", "１，３５６", "1356千円", "△50" (-50).

    Blank input and status tokens (―, 未定 …) give None. Negative and fractional
    amounts parse (model validation rejects them). A unit other than 千円 raises
    ValueError 「千円単位の金額ではありません（"…"）」; non-numbers raise like parse_value.
    """
    parsed = parse_value(text)
    if parsed.status != ValueStatus.OK:
        return None
    if parsed.unit not in ("", "千円"):
        raise ValueError(f'千円単位の金額ではありません（"{parsed.raw_text}"）')
    return parsed.value


def format_number(value, decimals: int = 0) -> str:
    """A number as the forms print it: separators, fixed decimals, rounded half up (57.25 → 57.3).

    Python's own formatting rounds half to even (57.25 → 57.2); the forms never do. Blank stays blank.
    """
    if value is None or value == "":
        return ""
    quantum = Decimal(1).scaleb(-int(decimals))
    return f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP):,.{int(decimals)}f}"
