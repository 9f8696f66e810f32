"""One form or formset per section of the printed 個表."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import fy_label
from indicators.choices import FundingSource
from sheets import services
from sheets.choices import AdministrativeCategory
from sheets.models import ChoiceOption, OrgUnit, PolicyNode
from sheets.selectors import KAMAKURA_FUNDING_ROWS
from sheets.services import (
    ViewpointInput,
)

from .fields import (
    AmountField,
    FteField,
    IndicatorValueField,
    LeafChoiceField,
    NormalizedIntegerField,
    NumericTextInput,
    _textarea,
    _unit_choices,
    _year_label,
)


class _SectionForm(forms.Form):
    """Inputs in table cells have no visible label of their own: they get the field label as aria-label."""

    def label_inputs(self) -> None:
        for field in self.fields.values():
            if not isinstance(
                field.widget, forms.HiddenInput | forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                field.widget.attrs["aria-label"] = str(field.label)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_inputs()


class HeaderForm(_SectionForm):
    """Header, 対象・目的・意図 and §2 概要, plus the version the editor started from."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    administrative_category = forms.ChoiceField(
        label=_("事務区分"), choices=AdministrativeCategory.choices, widget=forms.RadioSelect
    )
    is_priority = forms.BooleanField(label=_("重点事業"), required=False)
    owner_unit = forms.ModelChoiceField(label=_("主管課"), queryset=OrgUnit.objects.all())
    related_units = forms.ModelMultipleChoiceField(
        label=_("関連課"), queryset=OrgUnit.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    evaluator_title = forms.CharField(label=_("評価者（職名）"), max_length=60, required=False)
    evaluator_name = forms.CharField(label=_("評価者（氏名）"), max_length=60, required=False)
    policy_node = forms.ModelChoiceField(
        label=_("施策の方針"), queryset=PolicyNode.objects.all(), required=False
    )
    target_text = forms.CharField(label=_("対象（誰・何を）"), required=False, widget=_textarea(2))
    purpose_text = forms.CharField(label=_("目的（何のために）"), required=False, widget=_textarea(2))
    intended_state_text = forms.CharField(
        label=_("意図（どのような状態にしたいか）"), required=False, widget=_textarea(2)
    )
    activities_summary = forms.CharField(label=_("事業の概要"), required=False, widget=_textarea(6))

    def __init__(self, *args, organization_id: int, evaluation_fy: int, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(organization_id=organization_id)
        selected = [self.initial.get("owner_unit"), *self.initial.get("related_units", [])]
        unit_choices = _unit_choices(organization_id, selected)
        self.fields["owner_unit"].queryset = units
        self.fields["owner_unit"].choices = [("", _("―― 選択してください ――")), *unit_choices]
        self.fields["related_units"].queryset = units
        self.fields["related_units"].choices = unit_choices
        # 施策の方針 (leaf nodes) of the plans in force in E, and the current one even when its plan ended,
        # so that an untouched select never drops the link.
        in_force = Q(
            plan__start_fy__lte=evaluation_fy, plan__end_fy__gte=evaluation_fy, children__isnull=True
        )
        nodes = list(
            PolicyNode.objects.filter(in_force | Q(pk=self.initial.get("policy_node") or 0))
            .filter(plan__organization_id=organization_id)
            .distinct()
            .select_related("parent")
            .order_by("plan_id", "parent__order", "parent_id", "order", "code")
        )
        groups: dict[str, list] = defaultdict(list)
        for node in nodes:
            groups[str(node.parent) if node.parent else ""].append((node.pk, str(node)))
        self.fields["policy_node"].queryset = PolicyNode.objects.filter(pk__in=[n.pk for n in nodes])
        self.fields["policy_node"].choices = [
            ("", _("―― 選択してください ――")),
            *groups.pop("", []),
            *groups.items(),
        ]

    def clean(self):
        cleaned = super().clean()
        title, name = cleaned.get("evaluator_title", ""), cleaned.get("evaluator_name", "")
        if title and not name:
            self.add_error("evaluator_name", _("評価者の氏名を入力してください。"))
        if name and not title:
            self.add_error("evaluator_title", _("評価者の職名を入力してください。"))
        return cleaned


class SubProgramForm(_SectionForm):
    """One row of §3 事務事業（最小事業）実績, with the row's 5(1) 最小事業評価 texts."""

    sub_program_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    branch_no = NormalizedIntegerField(
        label=_("枝番"),
        min_value=1,
        max_value=32767,
        widget=NumericTextInput(attrs={"inputmode": "numeric", "size": 2}),
    )
    name = forms.CharField(label=_("事務事業"), max_length=200, widget=_textarea(2))
    main_expenses = forms.CharField(label=_("主な経費"), required=False, widget=_textarea(2))
    indicator_name = forms.CharField(label=_("指標"), max_length=200, required=False, widget=_textarea(2))
    indicator_unit = forms.CharField(
        label=_("単位"), max_length=20, required=False, widget=forms.TextInput(attrs={"size": 3})
    )
    actual_s = IndicatorValueField(label=_("実績値"))
    target_s = IndicatorValueField(label=_("目標値"))
    target_e = IndicatorValueField(label=_("目標値"))
    amount_settlement = AmountField(label=_("決算"))
    amount_initial_budget = AmountField(label=_("当初"))
    amount_budget = AmountField(label=_("予算額"))
    indicator_analysis = forms.CharField(
        label=_("指標分析の推移、目標未達の理由"), required=False, widget=_textarea(4)
    )
    contribution_validity = forms.CharField(
        label=_("上位施策にどう寄与したか、構成する事業としての妥当性"), required=False, widget=_textarea(4)
    )
    issues_improvements = forms.CharField(
        label=_("事業実施上の課題、改善点"), required=False, widget=_textarea(4)
    )

    def __init__(self, *args, subject_fy: int, evaluation_fy: int, **kwargs):
        super().__init__(*args, **kwargs)
        s, e = fy_label(subject_fy, "plain"), fy_label(evaluation_fy, "plain")
        for name, year in (
            ("actual_s", s),
            ("target_s", s),
            ("target_e", e),
            ("amount_settlement", s),
            ("amount_initial_budget", s),
            ("amount_budget", e),
        ):
            self.fields[name].label = _year_label(year, self.fields[name].label)
        self.label_inputs()

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(name) for name in ("actual_s", "target_s", "target_e")]
        has_values = any(v is not None and not v.is_blank for v in values)
        if not cleaned.get("indicator_name", "").strip() and (has_values or cleaned.get("indicator_unit")):
            self.add_error(
                "indicator_name",
                _("指標の単位や値を入力する場合は、指標名を入力してください（指標のない行は空欄）。"),
            )
        return cleaned

    def has_changed(self):
        """ORDER and DELETE alone do not make an added row worth saving."""
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


class _OrderedFormSet(forms.BaseFormSet):
    ordering_widget = forms.HiddenInput

    def live_forms(self) -> list[tuple[int, forms.Form]]:
        """(index, form) of the rows to keep, in the order chosen on the page (after full_clean)."""
        rows = []
        for index, form in enumerate(self.forms):
            cleaned = getattr(form, "cleaned_data", None) or {}
            if cleaned.get("DELETE") or form.data.get(form.add_prefix("DELETE")) in ("on", "true", "1"):
                continue
            if index >= self.initial_form_count() and not form.has_changed():
                continue
            rows.append((index, form))
        if self.can_order:
            rows.sort(
                key=lambda item: (
                    item[1].cleaned_data.get("ORDER") is None,
                    item[1].cleaned_data.get("ORDER") or 0,
                    item[0],
                )
            )
        return rows


class SubProgramBaseFormSet(_OrderedFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen: dict[int, str] = {}
        for _index, form in self.live_forms():
            branch_no = form.cleaned_data.get("branch_no")
            if branch_no in seen:
                form.add_error(
                    "branch_no",
                    gettext("枝番 %(no)s が「%(row)s」の行と重複しています。")
                    % {"no": branch_no, "row": seen[branch_no]},
                )
            else:
                seen[branch_no] = form.cleaned_data.get("name", "")


SubProgramFormSet = forms.formset_factory(
    SubProgramForm, formset=SubProgramBaseFormSet, extra=0, can_order=True, can_delete=True
)


class FundingForm(_SectionForm):
    """§3 footer 財源内訳: one amount per (column, source); a blank 一般財源 is derived."""

    def __init__(self, *args, columns, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(FundingSource.choices)
        for column in columns:
            for source in KAMAKURA_FUNDING_ROWS:
                field = AmountField(label=_year_label(services.column_label(column), labels[source]))
                if source == FundingSource.GENERAL:
                    field.widget.attrs["placeholder"] = _("空欄＝自動計算")
                self.fields[self.field_name(column.basis, source)] = field
        self.label_inputs()

    @staticmethod
    def field_name(basis: str, source: str) -> str:
        return f"{basis}__{source}"


class StaffingForm(_SectionForm):
    """§4 職員数 per year and staff category, and the 人件費 override with its reason per year."""

    def __init__(self, *args, years: Sequence[int], categories, **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)
        for fy in self.years:
            label = fy_label(fy, "plain")
            for category in categories:
                self.fields[f"fte_{fy}_{category.pk}"] = FteField(
                    label=f"{label} {category.label}", widget=NumericTextInput(attrs={"size": 4})
                )
            self.fields[f"override_{fy}"] = AmountField(label=_year_label(label, _("人件費（手入力）")))
            self.fields[f"reason_{fy}"] = forms.CharField(
                label=_year_label(label, _("手入力の理由")), required=False, widget=_textarea(2)
            )
        self.label_inputs()

    def clean(self):
        cleaned = super().clean()
        for fy in self.years:
            if cleaned.get(f"override_{fy}") is not None and not cleaned.get(f"reason_{fy}", "").strip():
                self.add_error(f"reason_{fy}", _("人件費を手入力する場合は、その理由を記入してください。"))
        return cleaned


def _question_field(question_id: int) -> str:
    return f"q_{question_id}"


class ViewpointForm(_SectionForm):
    """5(2) 視点別評価: a select per coded question (only leaf options), free text otherwise."""

    def __init__(self, *args, questions, options_by_set, current: dict[int, ViewpointInput], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.by_key = {q.key: q for q in self.questions}
        for q in self.questions:
            name = self.field_name(q)
            if q.choice_set_id:
                answer = current.get(q.pk)
                self.fields[name] = LeafChoiceField(
                    label=q.text,
                    options=options_by_set.get(q.choice_set_id, []),
                    current_id=answer.option_id if answer else None,
                )
            else:
                self.fields[name] = forms.CharField(label=q.text, required=False, widget=_textarea(2))
        self.label_inputs()

    @staticmethod
    def field_name(question) -> str:
        return _question_field(question.pk)

    def clean(self):
        """free_text_required_for: "collaboration:1" = required when question collaboration is answered 1."""
        cleaned = super().clean()
        for q in self.questions:
            if q.choice_set_id or not q.free_text_required_for:
                continue
            key, _sep, code = q.free_text_required_for.rpartition(":")
            source = self.by_key.get(key) if key else q
            if source is None or not source.choice_set_id:
                continue
            field = self.fields[self.field_name(source)]
            option = field.options.get(cleaned.get(self.field_name(source)) or "")
            if option is not None and option.code == code and not cleaned.get(self.field_name(q), "").strip():
                self.add_error(
                    self.field_name(q),
                    gettext(
                        "「%(question)s」で「%(code)s %(label)s」を選んだ場合は、この欄を記入してください。"
                    )
                    % {"question": source.text, "code": option.code, "label": option.label},
                )
        return cleaned


class DirectionForm(_SectionForm):
    """5(3) 総合評価: 今後の方針 and 【今後の方針】."""

    direction = forms.ModelChoiceField(
        label=_("今後の方針"),
        queryset=ChoiceOption.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    direction_text = forms.CharField(label=_("【今後の方針】"), required=False, widget=_textarea(5))

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["direction"].queryset = options
        self.fields["direction"].label_from_instance = lambda option: option.label


class ReferenceIndicatorForm(_SectionForm):
    """【参考】 one indicator: name, unit, rationale and target/actual for each of the six years."""

    indicator_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("指標名"), max_length=200, widget=_textarea(2))
    unit = forms.CharField(
        label=_("単位"), max_length=20, required=False, widget=forms.TextInput(attrs={"size": 3})
    )
    rationale = forms.CharField(label=_("指標設定理由"), required=False, widget=_textarea(2))

    def __init__(self, *args, years: Sequence[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.years = list(years)
        for fy in self.years:
            label = fy_label(fy, "short")
            self.fields[f"target_{fy}"] = IndicatorValueField(label=_year_label(label, _("目標値")))
            self.fields[f"actual_{fy}"] = IndicatorValueField(label=_year_label(label, _("実績値")))
        self.label_inputs()

    def has_changed(self):
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


ReferenceIndicatorFormSet = forms.formset_factory(
    ReferenceIndicatorForm, formset=_OrderedFormSet, extra=0, can_delete=True
)


class BenchmarkEntryForm(_SectionForm):
    """他市比較: one organisation's figures; entries with the same 比較事項 form one table."""

    entry_id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subject_text = forms.CharField(label=_("比較事項"), max_length=200)
    org_name = forms.CharField(label=_("団体名"), max_length=60, widget=forms.TextInput(attrs={"size": 8}))
    is_self = forms.BooleanField(label=_("自団体"), required=False)
    metric_label = forms.CharField(
        label=_("他市実績（項目）"),
        max_length=200,
        help_text=_("複数の項目は「/」で区切ります（例: 相談者/相談件数）"),
    )
    value_text = forms.CharField(
        label=_("他市実績（値）"),
        max_length=200,
        help_text=_("項目と同じ順に「/」で区切ります（例: 49人/719件）"),
    )

    def has_changed(self):
        return any(name not in ("ORDER", "DELETE") for name in self.changed_data)


BenchmarkEntryFormSet = forms.formset_factory(
    BenchmarkEntryForm, formset=_OrderedFormSet, extra=0, can_delete=True
)


class BenchmarkNoteForm(_SectionForm):
    benchmark_rationale = forms.CharField(
        label=_("当該事業実施に伴う他市比較に関する考え方"), required=False, widget=_textarea(4)
    )


# --------------------------------------------------------------------------------------------
# The page: all sections together
# --------------------------------------------------------------------------------------------
