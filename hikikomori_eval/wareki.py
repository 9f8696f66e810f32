"""Fiscal years and 和暦 labels (docs/forms.md §1.1).

A fiscal year (年度, April–March) is stored as the Western year it starts in:
令和N年度 = 2018+N (令和元年度 = 2019), 平成N年度 = 1988+N (平成31年度 = 2019 =
令和元年度), 昭和N年度 = 1925+N. Fiscal-year eras follow the FY convention
(FY2019 is 令和元年度 and FY1989 is 平成元年度); :func:`date_label` uses the real
era start dates instead.
"""

from __future__ import annotations

import datetime
import re

from hikikomori_eval.numbers import normalize_width

__all__ = ["ERAS", "date_label", "era_year", "fy_label", "parse_fiscal_year"]

#: (name, initial, offset = Western year of era year 0, first day of the era)
ERAS: tuple[tuple[str, str, int, datetime.date], ...] = (
    ("令和", "R", 2018, datetime.date(2019, 5, 1)),
    ("平成", "H", 1988, datetime.date(1989, 1, 8)),
    ("昭和", "S", 1925, datetime.date(1926, 12, 25)),
)
_OFFSET_BY_NAME = {name: offset for name, _initial, offset, _start in ERAS}
_OFFSET_BY_INITIAL = {initial: offset for _name, initial, offset, _start in ERAS}

_TO_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

_STYLES = ("title", "long", "short", "plain", "number")

_ERA_RE = re.compile(r"(令和|平成|昭和|[RHS])(元|\d{1,2})(?:年度|年)?", re.IGNORECASE)
_TITLE_RE = re.compile(r"(令和|平成|昭和)(元|\d{1,2})年\((\d{4})年\)度")
_WESTERN_RE = re.compile(r"(\d{4})(?:年度|年)?")


def era_year(fy: int) -> tuple[str, int]:
    """Era name and era year of a fiscal year: 2025 -> ("令和", 7), 2019 -> ("令和", 1)."""
    for name, _initial, offset, start in ERAS:
        if fy >= start.year:
            return name, fy - offset
    raise ValueError(f"和暦に変換できない年度です: {fy}")


def _number(n: int, *, full_width: bool) -> str:
    """Era year as printed: 1 -> 元, else digits (full-width when asked)."""
    if n == 1:
        return "元"
    text = str(n)
    return text.translate(_TO_FULL_WIDTH) if full_width else text


def fy_label(fy: int, style: str = "long") -> str:
    """Fiscal-year label for printing.

    Styles (FY2025 / FY2019):
    - "title": 令和７年（2025年）度 / 令和元年（2019年）度 (era digits full-width, as on the Kamakura form)
    - "long":  令和７年度 / 令和元年度 (full-width digits)
    - "short": R7年度 / R1年度
    - "plain": 令和7年度 / 令和元年度 (half-width digits)
    - "number": 7年度 / 元年度 (Kunitachi prints only the number)
    """
    name, n = era_year(fy)
    if style == "title":
        return f"{name}{_number(n, full_width=True)}年（{fy}年）度"
    if style == "long":
        return f"{name}{_number(n, full_width=True)}年度"
    if style == "plain":
        return f"{name}{_number(n, full_width=False)}年度"
    if style == "short":
        initial = next(i for era, i, _o, _s in ERAS if era == name)
        return f"{initial}{n}年度"
    if style == "number":
        return f"{_number(n, full_width=False)}年度"
    raise ValueError(f"unknown fy_label style: {style!r} (expected one of {_STYLES})")


def date_label(d: datetime.date) -> str:
    """和暦 date with half-width digits: date(2025, 6, 4) -> 令和7年6月4日; 2019-05-01 -> 令和元年5月1日."""
    for name, _initial, offset, start in ERAS:
        if d >= start:
            return f"{name}{_number(d.year - offset, full_width=False)}年{d.month}月{d.day}日"
    raise ValueError(f"和暦に変換できない日付です: {d.isoformat()}")


def _era_number(text: str) -> int:
    return 1 if text == "元" else int(text)


def parse_fiscal_year(text: str) -> int:
    """Read a fiscal year typed or imported in any of the usual forms; return the Western year.

    Accepts 令和7年度, 令和７年度, 令和元年度, R7, r7, Ｒ７, R7年度, 平成31年度 (= 2019),
    H30, 2025, 2025年度, and the title form 令和７年（2025年）度 (both parts must agree).
    Raises ValueError 「年度として読めません: "…"」 otherwise.
    """
    error = ValueError(f'年度として読めません: "{text}"')
    if not isinstance(text, str):
        raise error
    s = re.sub(r"\s+", "", normalize_width(text)).replace("（", "(").replace("）", ")")
    if m := _TITLE_RE.fullmatch(s):
        n = _era_number(m.group(2))
        fy = _OFFSET_BY_NAME[m.group(1)] + n
        if n < 1 or fy != int(m.group(3)):
            raise error
        return fy
    if m := _ERA_RE.fullmatch(s):
        era, number = m.group(1), m.group(2)
        n = _era_number(number)
        if n < 1:
            raise error
        offset = _OFFSET_BY_NAME.get(era) or _OFFSET_BY_INITIAL[era.upper()]
        return offset + n
    if m := _WESTERN_RE.fullmatch(s):
        fy = int(m.group(1))
        if fy < 1926:
            raise error
        return fy
    raise error
