"""The batch print form: which department, year, form and file format."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import fy_label
from printing.choices import PrintFormat
from printing.selectors import printable_departments
from sheets.choices import FormType


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organization.name}　{obj.name}"


class PrintJobForm(forms.Form):
    department = DepartmentChoiceField(
        label=_("部"),
        queryset=printable_departments(organization_ids=[]),
        empty_label=_("部を選んでください"),
    )
    year = forms.TypedChoiceField(label=_("評価年度"), coerce=int, choices=())
    form_type = forms.ChoiceField(
        label=_("様式"), required=False, choices=[("", _("すべての様式")), *FormType.choices]
    )
    fmt = forms.ChoiceField(
        label=_("形式"),
        choices=PrintFormat.choices,
        initial=PrintFormat.PDF_COMBINED,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, organization_ids=None, department_ids=None, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = printable_departments(
            organization_ids=organization_ids, department_ids=department_ids
        )
        self.fields["year"].choices = [(y, fy_label(y, "plain")) for y in years]
