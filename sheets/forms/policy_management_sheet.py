"""The 施策マネジメントシート edit page: one form over the sheet's context, in the form's order.

The indicator cells are typed as text (status tokens such as ― or 未実施, full-width digits); the
costs of §3 are shown, never typed (they roll up from the linked programs). The rule that a grade two
or more steps from its suggestion needs a reason is checked by the save service against the values
just typed, so the suggestion and the rule have one source.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import fy_label
from indicators.choices import ValueType
from sheets.choices import SignatoryRole
from sheets.selectors.policy_management_sheet import NARRATIVE_KEYS, PolicyManagementContext
from sheets.services.policy_management_sheet import PolicyManagementInput, editable_value_cells
from sheets.services.program_sheet_edit import _cell_input

from .fields import IndicatorValueField

VALUE_TYPE_LABELS = {
    ValueType.ACTUAL: _("実績値"),
    ValueType.PROJECTION: _("見込み値"),
    ValueType.TARGET: _("目標値"),
    ValueType.TREND: _("成り行き値"),
}


def _narrative_labels(ctx: PolicyManagementContext) -> dict[tuple[str, str], str]:
    return {
        ("004.5.1", ""): _("５(1) 施策を取り巻く状況（対象者や根拠法令等）はどう変化しているか？"),
        ("004.5.2", ""): _(
            "５(2) この施策に対して関係者（住民、議会、事業対象者、利害関係者等）から"
            "どんな意見や要望が寄せられているか？"
        ),
        ("004.5.3", ""): _("５(3) この施策に関して他自治体の取組状況と比較して%(city)sの取組状況はどうか？")
        % {"city": ctx.sheet.organization.name},
        ("004.5.4", "current"): _("５(4) 施策の具体的な取組状況: %(year)sの取組状況") % {"year": ctx.s_label},
        ("004.5.4", "next"): _("５(4) 施策の具体的な取組状況: %(year)sの取組予定") % {"year": ctx.next_label},
        ("004.6.1", "results"): _("６(1) 施策の全体総括: 〇成果実績"),
        ("004.6.1", "issues"): _("６(1) 施策の全体総括: 〇改善余地のある事項・課題等"),
        ("004.7.1", ""): _("７(1) %(year)sの取組方針") % {"year": ctx.after_next_label},
        ("004.7.2", ""): _("７(2) 中期的な取組方針（概ね実施計画期間を想定）"),
    }


def _narrative_name(key: tuple[str, str]) -> str:
    return "n_" + "_".join(part for part in key if part).replace(".", "_")


def _value_name(indicator_id: int, fy: int, value_type: str) -> str:
    return f"v_{indicator_id}_{fy}_{value_type}"


@dataclass
class GridRow:
    """One row of the §3 grid on the edit page: a label and one bound field (or None) per year."""

    label: str
    value_type_label: str
    cells: list


def _grade_choices(options) -> list[tuple[str, str]]:
    def text(option):
        return option.label if option.label.startswith(option.code) else f"{option.code}：{option.label}"

    return [("", _("―― 選択してください ――")), *((str(o.pk), text(o)) for o in options)]


class PolicyManagementSheetEditForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    lead_title = forms.CharField(label=_("職名"), max_length=60, initial="施策統括課長")
    lead_person = forms.CharField(label=_("氏名"), max_length=60)
    goal_grade = forms.TypedChoiceField(
        label=_("(1) 施策全体の成果実績目標達成度"), coerce=int, empty_value=None, required=False
    )
    goal_grade_reason = forms.CharField(
        label=_("提案と異なる評価とした理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    trend_grade = forms.TypedChoiceField(
        label=_("(2) 時系列比較（過去3ヶ年の比較）"), coerce=int, empty_value=None, required=False
    )
    trend_grade_reason = forms.CharField(
        label=_("提案と異なる評価とした理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    grade_background = forms.CharField(
        label=_(
            "(3) 上記（1）（2）の理由・背景として考えられること（数値で表せない定性的評価もあれば記載する）"
        ),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    overall_grade = forms.TypedChoiceField(
        label=_("施策の総合評価"), coerce=int, empty_value=None, required=False
    )

    def __init__(self, *, ctx: PolicyManagementContext, data=None):
        self.ctx = ctx
        lead = next((sig for sig in ctx.sheet.signatories.all() if sig.role == SignatoryRole.LEAD), None)
        initial = {
            "version": ctx.sheet.version,
            "lead_title": lead.title if lead else _("施策統括課長"),
            "lead_person": ctx.lead_person,
            "goal_grade": ctx.goal.chosen.pk if ctx.goal.chosen else None,
            "goal_grade_reason": ctx.goal.reason,
            "trend_grade": ctx.trend.chosen.pk if ctx.trend.chosen else None,
            "trend_grade_reason": ctx.trend.reason,
            "grade_background": ctx.grade_background,
            "overall_grade": ctx.overall_grade.pk if ctx.overall_grade else None,
        }
        super().__init__(data=data, initial=initial, prefix="pm")
        self.fields["goal_grade"].choices = _grade_choices(ctx.goal.options)
        self.fields["trend_grade"].choices = _grade_choices(ctx.trend.options)
        self.fields["overall_grade"].choices = _grade_choices(ctx.overall_options)
        labels = _narrative_labels(ctx)
        for key in NARRATIVE_KEYS:
            self.fields[_narrative_name(key)] = forms.CharField(
                label=labels[key],
                required=False,
                initial=ctx.narrative(*key),
                widget=forms.Textarea(attrs={"rows": 6}),
            )
        self._value_fields: dict[str, tuple[int, int, str]] = {}
        series = ctx.indicator_series
        for indicator_id, cells in editable_value_cells(ctx).items():
            for fy, value_type in sorted(cells):
                name = _value_name(indicator_id, fy, value_type)
                found = series[indicator_id]
                self.fields[name] = IndicatorValueField(
                    label=f"{found.indicator.name} {fy_label(fy, 'short')} {VALUE_TYPE_LABELS[value_type]}",
                    initial=_cell_input(found.values.get((fy, value_type)), found.cell(fy, value_type)),
                )
                self._value_fields[name] = (indicator_id, fy, value_type)

    # ---- layout for the template ----

    def grade_rows(self):
        """§4 (1) and (2): the chosen grade, its reason and the block with the suggestion."""
        return [
            (self["goal_grade"], self["goal_grade_reason"], self.ctx.goal),
            (self["trend_grade"], self["trend_grade_reason"], self.ctx.trend),
        ]

    def narrative_fields(self):
        return [self[_narrative_name(key)] for key in NARRATIVE_KEYS]

    def grid_rows(self) -> list[GridRow]:
        """§3 rows in the printed order, each with a bound field per editable year."""
        rows = []

        def add(label, indicator, value_types):
            for value_type in value_types:
                cells = []
                for fy in self.ctx.years:
                    name = _value_name(indicator.pk, fy, value_type) if indicator else ""
                    cells.append(self[name] if name in self.fields else None)
                if any(cells):
                    rows.append(GridRow(label, VALUE_TYPE_LABELS[value_type], cells))
                    label = ""

        for row in self.ctx.object_rows:
            if row.indicator:
                add(
                    _("対象指標 %(slot)s %(name)s（%(unit)s）")
                    % {"slot": row.slot, "name": row.name, "unit": row.unit},
                    row.indicator,
                    (ValueType.ACTUAL, ValueType.PROJECTION),
                )
        for direction, row in self.ctx.outcome_rows:
            if row.indicator:
                add(
                    _("成果指標 %(no)s%(slot)s %(name)s（%(unit)s）")
                    % {"no": direction.no, "slot": row.slot, "name": row.name, "unit": row.unit},
                    row.indicator,
                    (ValueType.TARGET, ValueType.ACTUAL, ValueType.TREND),
                )
        return rows

    # ---- service input ----

    @property
    def expected_version(self) -> int:
        return self.cleaned_data["version"]

    def to_input(self) -> PolicyManagementInput:
        data = self.cleaned_data
        values: dict[int, dict[tuple[int, str], object]] = {}
        for name, (indicator_id, fy, value_type) in self._value_fields.items():
            if self[name].field.has_changed(self[name].initial, self[name].data):
                values.setdefault(indicator_id, {})[(fy, value_type)] = data[name]
        return PolicyManagementInput(
            lead_title=data["lead_title"],
            lead_person=data["lead_person"],
            goal_grade_id=data["goal_grade"],
            goal_grade_reason=data["goal_grade_reason"],
            trend_grade_id=data["trend_grade"],
            trend_grade_reason=data["trend_grade_reason"],
            grade_background=data["grade_background"],
            overall_grade_id=data["overall_grade"],
            narratives={key: data[_narrative_name(key)] for key in NARRATIVE_KEYS},
            indicator_values=values,
        )

    def add_save_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field_name if field_name in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
