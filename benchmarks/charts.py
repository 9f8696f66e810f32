"""SVG charts, pure: data in, an SVG string out (no JavaScript, no CDN), for the page and the PDF alike.

Readable in greyscale print: series differ by fill pattern (solid, hatched, light, dotted) and, in line
charts, by dash and marker shape; every bar and point carries its value as text. The text uses the
project's font family (HikiIPAexGothic, declared by the pages' CSS), set on the <svg> element itself so
that WeasyPrint and the browser draw the same glyphs. <title> and <desc> name the chart for screen
readers; the pages print the same figures as a table beside each chart.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

from hikikomori_eval.numbers import format_number

FONT_FAMILY = "HikiIPAexGothic"
INK = "#222222"
GRID = "#bbbbbb"
FONT_SIZE = 11
LABEL_CHARS = 16  # characters of a category label per line (full-width glyphs, about 11px each)

__all__ = ["Series", "bar_chart", "line_chart"]


@dataclass(frozen=True)
class Series:
    """One named series of values (None: no figure), in the order of the chart's categories or years."""

    name: str
    values: Sequence[Decimal | int | None]
    decimals: int = 1


def _id(*parts) -> str:
    return "c" + hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()[:8]


def _defs(cid: str) -> str:
    """Fill patterns that stay distinct without colour."""
    return (
        "<defs>"
        f'<pattern id="{cid}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" '
        'stroke-width="2.5"/></pattern>'
        f'<pattern id="{cid}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="#ffffff"/>'
        f'<circle cx="2.5" cy="2.5" r="1.2" fill="{INK}"/></pattern>'
        "</defs>"
    )


def _fill(cid: str, index: int) -> str:
    return [INK, f"url(#{cid}-hatch)", "#c8c8c8", f"url(#{cid}-dots)"][index % 4]


def _text(x, y, content, *, anchor="start", size=FONT_SIZE, extra="") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{INK}"{extra}>'
        f"{escape(str(content))}</text>"
    )


def _wrap(label: str, width: int = LABEL_CHARS) -> list[str]:
    return [label[i : i + width] for i in range(0, len(label), width)] or [""]


def _value_text(value, decimals: int, unit: str) -> str:
    return "―" if value is None else f"{format_number(value, decimals)}{unit}"


def _nice_max(values, ticks: int = 4) -> Decimal:
    """An axis top that splits into ``ticks`` round steps (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 × 10^k; whole
    steps for whole data, so that counts never get a tick of 0.5 件)."""
    known = [Decimal(v) for v in values if v is not None]
    top = max(known, default=Decimal(0))
    if top <= 0:
        return Decimal(ticks)
    whole = all(v == v.to_integral_value() for v in known)
    raw = top / ticks
    magnitude = Decimal(10) ** (raw.adjusted())
    for factor in ("1", "1.5", "2", "2.5", "3", "4", "5", "6", "8", "10"):
        step = Decimal(factor) * magnitude
        if step >= raw and (not whole or step == step.to_integral_value()):
            return step * ticks
    return Decimal(10) * magnitude * ticks


def _tick_text(value: Decimal) -> str:
    return format_number(value, 0 if value == value.to_integral_value() else 1)


def _open(cid, width, height, title, description) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{cid}-title {cid}-desc" '
        f'font-family="{FONT_FAMILY}" style="font-family: {FONT_FAMILY}">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
        _defs(cid),
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def _legend(cid, series, x, y) -> tuple[list[str], float]:
    parts = []
    for index, s in enumerate(series):
        parts.append(
            f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="14" height="10" fill="{_fill(cid, index)}" '
            f'stroke="{INK}" stroke-width="0.8"/>'
        )
        parts.append(_text(x + 18, y, s.name))
        x += 30 + len(s.name) * FONT_SIZE
    return parts, y + 10


def bar_chart(
    *,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    unit: str = "%",
    max_value: Decimal | int | None = 100,
    width: int = 640,
) -> SafeString:
    """Horizontal grouped bars: one group per category, one bar per series, the value printed at its end."""
    cid = _id("bar", title, *categories)
    label_w, value_w = 200, 62
    plot_x, plot_w = label_w + 8, width - label_w - 8 - value_w
    top = max_value if max_value is not None else _nice_max(v for s in series for v in s.values)
    top = Decimal(top)
    bar_h, gap = 11, 9
    body, y = [], 34.0
    legend, y = _legend(cid, series, plot_x, 16) if len(series) > 1 else ([], 22.0)
    for c_index, category in enumerate(categories):
        lines = _wrap(category)
        group_h = max(len(series) * (bar_h + 2), len(lines) * (FONT_SIZE + 2))
        for l_index, text in enumerate(lines):
            body.append(_text(label_w, y + FONT_SIZE + l_index * (FONT_SIZE + 2), text, anchor="end"))
        for s_index, s in enumerate(series):
            value = s.values[c_index]
            by = y + s_index * (bar_h + 2)
            if value is not None and top > 0:
                length = float(min(Decimal(value), top) / top) * plot_w
                body.append(
                    f'<rect x="{plot_x:.1f}" y="{by:.1f}" width="{length:.1f}" height="{bar_h}" '
                    f'fill="{_fill(cid, s_index)}" stroke="{INK}" stroke-width="0.8"/>'
                )
            else:
                length = 0.0
            body.append(
                _text(plot_x + length + 4, by + bar_h - 2, _value_text(value, s.decimals, unit), size=10)
            )
        y += group_h + gap
    height = int(y + 16)
    grid = []
    for i in range(5):
        gx = plot_x + plot_w * i / 4
        grid.append(
            f'<line x1="{gx:.1f}" y1="28" x2="{gx:.1f}" y2="{y - gap:.1f}" stroke="{GRID}" '
            'stroke-width="0.6" stroke-dasharray="2,2"/>'
        )
        grid.append(_text(gx, y + 6, f"{_tick_text(top * i / 4)}{unit}", anchor="middle", size=9))
    parts = _open(cid, width, height, title, description) + legend + grid + body + ["</svg>"]
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def line_chart(
    *,
    title: str,
    description: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    unit: str = "",
    width: int = 640,
    height: int = 260,
) -> SafeString:
    """Lines over the years: series 0 solid with filled circles, series 1 dashed with hollow squares …;
    a missing value breaks the line, and every point prints its value."""
    cid = _id("line", title, *x_labels)
    left, right, top_y, bottom = 64, 24, 40, height - 34
    plot_w, plot_h = width - left - right, bottom - top_y
    top = _nice_max(v for s in series for v in s.values)
    step = plot_w / max(len(x_labels), 1)

    def px(i):
        return left + step * (i + 0.5)

    def py(value):
        return bottom - float(Decimal(value) / top) * plot_h

    parts = _open(cid, width, height, title, description)
    legend_x = left
    dashes = ["", ' stroke-dasharray="6,4"', ' stroke-dasharray="2,3"']
    for index, s in enumerate(series):
        parts.append(
            f'<line x1="{legend_x}" y1="14" x2="{legend_x + 22}" y2="14" stroke="{INK}" stroke-width="2"'
            f"{dashes[index % 3]}/>"
        )
        parts.append(_marker(legend_x + 11, 14, index))
        parts.append(_text(legend_x + 28, 18, s.name))
        legend_x += 56 + len(s.name) * FONT_SIZE
    for i in range(5):
        gy = bottom - plot_h * i / 4
        parts.append(
            f'<line x1="{left}" y1="{gy:.1f}" x2="{width - right}" y2="{gy:.1f}" stroke="{GRID}" '
            'stroke-width="0.6" stroke-dasharray="2,2"/>'
        )
        parts.append(_text(left - 6, gy + 4, _tick_text(top * i / 4), anchor="end", size=9))
    for i, label in enumerate(x_labels):
        parts.append(_text(px(i), bottom + 16, label, anchor="middle", size=10))
    for index, s in enumerate(series):
        segment: list[str] = []
        for i, value in enumerate([*s.values, None]):
            if value is None:
                if len(segment) > 1:
                    parts.append(
                        f'<polyline points="{" ".join(segment)}" fill="none" stroke="{INK}" stroke-width="2"'
                        f"{dashes[index % 3]}/>"
                    )
                segment = []
                continue
            segment.append(f"{px(i):.1f},{py(value):.1f}")
        for i, value in enumerate(s.values):
            if value is None:
                continue
            parts.append(_marker(px(i), py(value), index))
            # The highest value of a year is labelled above its point, the others below, so that two
            # labels of the same year never sit between the points and overlap.
            others = [o.values[i] for j, o in enumerate(series) if j != index and o.values[i] is not None]
            highest = all(
                Decimal(value) > Decimal(o) or (Decimal(value) == Decimal(o) and index == 0) for o in others
            )
            offset = -8 if highest else 16
            parts.append(
                _text(
                    px(i), py(value) + offset, _value_text(value, s.decimals, unit), anchor="middle", size=9
                )
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above went through escape()


def _marker(x: float, y: float, index: int) -> str:
    if index % 2 == 0:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{INK}"/>'
    return (
        f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="#ffffff" stroke="{INK}" '
        'stroke-width="1.5"/>'
    )
