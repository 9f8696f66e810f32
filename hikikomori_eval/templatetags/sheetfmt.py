"""Filters that format already-computed figures the way the printed forms do. They never compute."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value):
    """千円 amounts and counts with thousands separators; blank stays blank (never 0)."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.0f}"


@register.filter
def number(value, decimals=0):
    """A value with a fixed number of decimals and separators: 44.0, 1,642; blank stays blank."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{int(decimals)}f}"


@register.filter
def percent(value, decimals=1):
    """An already rounded percentage (Decimal) printed with its precision: 83% or 83.3%."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{int(decimals)}f}%"


@register.filter
def checkbox(checked):
    """■ for a checked box, □ otherwise, as the printed forms show them."""
    return "■" if checked else "□"
