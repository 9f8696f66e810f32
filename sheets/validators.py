"""Validators for codes used across the sheets."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LG_CODE_WEIGHTS = (6, 5, 4, 3, 2)


def lg_code_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード: the last digit of 11 − (Σ digit × 6,5,4,3,2 mod 11)."""
    total = sum(int(d) * w for d, w in zip(first_five, LG_CODE_WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def validate_lg_code(value: str) -> None:
    """A 6-digit 全国地方公共団体コード whose last digit is its check digit."""
    if not re.fullmatch(r"[0-9]{6}", value or ""):
        raise ValidationError(
            _("全国地方公共団体コードは6桁の数字です（%(value)s）。"), params={"value": value}
        )
    if lg_code_check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            _("全国地方公共団体コード %(value)s の検査数字が正しくありません（正しくは %(expected)s）。"),
            params={"value": value, "expected": value[:5] + str(lg_code_check_digit(value[:5]))},
        )
