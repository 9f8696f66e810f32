"""Form fields that read numbers typed as text (status tokens, full-width digits) with Japanese messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.numbers import ParsedValue, normalize_width, parse_amount, parse_value
from indicators.choices import CostBasis, ValueStatus
from sheets.models import ChoiceOption, OrgUnit

STATUS_HINT = _("数値か 未実施・未定・― を入力してください。")
MAX_INDICATOR_VALUE = Decimal(10) ** 12
MAX_AMOUNT = Decimal(10) ** 14
MAX_FTE = Decimal(1000)
AMOUNT_BASES = (CostBasis.SETTLEMENT, CostBasis.INITIAL_BUDGET, CostBasis.BUDGET)
SUB_TEXT_FIELDS = ("indicator_analysis", "contribution_validity", "issues_improvements")


# --------------------------------------------------------------------------------------------
# Widgets and fields
# --------------------------------------------------------------------------------------------


def _year_label(year_label: str, label) -> str:
    """「令和6年度 実績値」: a column label with its fiscal year."""
    return pgettext("field label with its fiscal year", "%(year)s %(label)s") % {
        "year": year_label,
        "label": label,
    }


class NumericTextInput(forms.TextInput):
    """A text input for numbers: right-aligned, decimal keypad on tablets, accepts 未実施 and ６０."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "class": "num", "autocomplete": "off", **(attrs or {})})


def _textarea(rows: int, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class _ParsedTextField(forms.Field):
    """A field typed as text and cleaned by a parser; blank is allowed unless required."""

    widget = NumericTextInput
    max_length = 60

    def __init__(self, *, required=False, **kwargs):
        super().__init__(required=required, **kwargs)

    def parse(self, text: str):  # pragma: no cover - abstract
        raise NotImplementedError

    def to_python(self, value):
        text = "" if value in self.empty_values else str(value).strip()
        if len(text) > self.max_length:
            raise ValidationError(
                _("%(max)d文字以内で入力してください。"), code="max_length", params={"max": self.max_length}
            )
        return self.parse(text)

    def _comparable(self, value):
        if isinstance(value, ParsedValue):
            return (value.value, value.status)
        try:
            parsed = self.to_python(self.prepare_value(value))
        except ValidationError:
            return str(value)
        return (parsed.value, parsed.status) if isinstance(parsed, ParsedValue) else parsed

    def has_changed(self, initial, data):
        return self._comparable(initial) != self._comparable(data)


class IndicatorValueField(_ParsedTextField):
    """指標の値: 60, ６０人, 1,5１5件, 【暫定値】57, or a status token (未実施, 未定, ―, 不詳).

    Cleaned to a ParsedValue that keeps the raw text; a token is a status, never 0.
    """

    def parse(self, text: str) -> ParsedValue:
        try:
            parsed = parse_value(text)
        except ValueError as exc:
            raise ValidationError(
                gettext("%(error)s。%(hint)s") % {"error": exc, "hint": STATUS_HINT}, code="not_a_number"
            ) from exc
        if parsed.value is not None:
            if abs(parsed.value) >= MAX_INDICATOR_VALUE:
                raise ValidationError(_("数値が大きすぎます。"), code="too_large")
            if parsed.value.as_tuple().exponent < -2:
                raise ValidationError(_("小数第2位までで入力してください。"), code="decimals")
        return parsed

    def prepare_value(self, value):
        return value.raw_text if isinstance(value, ParsedValue) else value


class AmountField(_ParsedTextField):
    """千円 amount: 1,356 / １，３５６ / 1356千円; an integer ≥ 0. Blank (or ―) is blank, never 0."""

    def parse(self, text: str) -> Decimal | None:
        try:
            amount = parse_amount(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="not_an_amount") from exc
        if amount is None:
            return None
        if amount < 0:
            raise ValidationError(
                gettext('金額は0以上で入力してください（"%(text)s"）') % {"text": text}, code="negative"
            )
        if amount != amount.to_integral_value():
            raise ValidationError(
                gettext('金額は千円単位の整数で入力してください（"%(text)s"）') % {"text": text},
                code="fraction",
            )
        if amount >= MAX_AMOUNT:
            raise ValidationError(_("金額が大きすぎます。"), code="too_large")
        return amount.quantize(Decimal(1))

    def prepare_value(self, value):
        return f"{value:,}" if isinstance(value, Decimal) else value


class FteField(_ParsedTextField):
    """職員数 (人工): ≥ 0 with at most one decimal (2.1, ２．１); ― or blank means none."""

    def parse(self, text: str) -> Decimal | None:
        try:
            parsed = parse_value(text)
        except ValueError as exc:
            raise ValidationError(str(exc), code="not_a_number") from exc
        if parsed.status in ("", ValueStatus.NOT_APPLICABLE):
            return None
        if parsed.status != ValueStatus.OK or parsed.unit not in ("", "人"):
            raise ValidationError(
                gettext('人数は数値で入力してください（"%(text)s"）') % {"text": text}, code="not_a_number"
            )
        if parsed.value < 0:
            raise ValidationError(
                gettext('人数は0以上で入力してください（"%(text)s"）') % {"text": text}, code="negative"
            )
        if parsed.value.as_tuple().exponent < -1:
            raise ValidationError(
                gettext('人数は小数第1位までで入力してください（"%(text)s"）') % {"text": text},
                code="decimals",
            )
        if parsed.value >= MAX_FTE:
            raise ValidationError(_("人数が大きすぎます。"), code="too_large")
        return parsed.value

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.1f}" if value == value.quantize(Decimal("0.1")) else str(value.normalize())
        return value


class NormalizedIntegerField(forms.IntegerField):
    """An integer that may be typed with full-width digits (枝番 ３)."""

    def to_python(self, value):
        if isinstance(value, str):
            value = normalize_width(value).strip()
        return super().to_python(value)


class LeafChoiceField(forms.ChoiceField):
    """A coded answer where an option with children (△) is a group: only its children (△-1 …) are choices.

    A stored answer that is such a parent (imported data) stays visible and is refused on save.
    """

    def __init__(self, *, options: Sequence[ChoiceOption], current_id: int | None = None, **kwargs):
        children = defaultdict(list)
        for option in options:
            if option.parent_id:
                children[option.parent_id].append(option)
        self.options = {str(o.pk): o for o in options}
        self.parents = {str(o.pk): (o, children[o.pk]) for o in options if children.get(o.pk)}
        choices: list = [("", _("―― 選択してください ――"))]
        for option in options:
            if option.parent_id:
                continue
            if option.pk in children:
                group = [(str(c.pk), f"{c.code}　{c.label}") for c in children[option.pk]]
                if current_id == option.pk:
                    group.insert(
                        0,
                        (
                            str(option.pk),
                            gettext("%(code)s　%(label)s（下の選択肢を選んでください）")
                            % {"code": option.code, "label": option.label},
                        ),
                    )
                choices.append((f"{option.code}　{option.label}", group))
            else:
                choices.append((str(option.pk), f"{option.code}　{option.label}"))
        super().__init__(choices=choices, required=False, **kwargs)

    def validate(self, value):
        if value in self.parents:
            parent, kids = self.parents[value]
            raise ValidationError(
                gettext(
                    "「%(code)s %(label)s」を選んだ場合は、"
                    "その下の選択肢（%(child)s など）から選んでください。"
                )
                % {"code": parent.code, "label": parent.label, "child": kids[0].code},
                code="parent_option",
            )
        super().validate(value)


def _unit_choices(organization_id: int, selected_ids: Sequence[int] = ()) -> list:
    """Org units as select groups: each 部 with the units under it (a 部 itself only when already chosen)."""
    units = list(
        OrgUnit.objects.filter(organization_id=organization_id)
        .annotate(
            dept_order=Coalesce("parent__order", "order"),
            dept_id=Coalesce("parent_id", "id"),
            is_child=Case(
                When(parent__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
        )
        .order_by("dept_order", "dept_id", "is_child", "order", "name")
    )
    has_children = {u.parent_id for u in units if u.parent_id}
    by_id = {u.pk: u for u in units}
    groups: dict[int, list] = defaultdict(list)
    top: list = []
    for unit in units:
        if unit.parent_id:
            groups[unit.dept_id].append((unit.pk, unit.name))
        elif unit.pk not in has_children or unit.pk in selected_ids:
            top.append((unit.pk, unit.name))
    return top + [(by_id[dept_id].name, members) for dept_id, members in groups.items() if dept_id in by_id]


# --------------------------------------------------------------------------------------------
# Section forms
# --------------------------------------------------------------------------------------------
