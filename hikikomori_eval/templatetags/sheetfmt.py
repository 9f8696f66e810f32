"""Filters that format already-computed figures the way the printed forms do. They never compute."""

from django import template

from hikikomori_eval.numbers import format_number

register = template.Library()


@register.filter
def amount(value):
    """千円 amounts and counts with thousands separators; blank stays blank (never 0)."""
    return format_number(value, 0)


@register.filter
def number(value, decimals=0):
    """A value with a fixed number of decimals and separators: 44.0, 1,642; blank stays blank."""
    return format_number(value, decimals)


@register.filter
def percent(value, decimals=1):
    """An already rounded percentage (Decimal) printed with its precision: 83% or 83.3%."""
    text = format_number(value, decimals)
    return f"{text}%" if text else ""


@register.filter
def checkbox(checked):
    """■ for a checked box, □ otherwise, as the printed forms show them."""
    return "■" if checked else "□"
