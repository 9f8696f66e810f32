"""Forms of the dataset pages: what to export, which workbook to import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.choices import ExportFormat
from hikikomori_eval.wareki import parse_fiscal_year
from sheets.choices import OrgUnitKind
from sheets.models import OrgUnit, PolicyNode


class ExportForm(forms.Form):
    year = forms.CharField(
        label=_("評価年度"),
        max_length=20,
        help_text=_("2025、R7、令和7年度 のいずれでも入力できます。前5年度分の値も含みます。"),
    )
    department = forms.ModelChoiceField(
        label=_("部"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("すべての部")
    )
    policy_node = forms.ModelChoiceField(
        label=_("施策"), queryset=PolicyNode.objects.none(), required=False, empty_label=_("すべての施策")
    )
    fmt = forms.ChoiceField(label=_("形式"), choices=ExportFormat.choices, initial=ExportFormat.XLSX)

    def __init__(self, *args, organization_ids=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = OrgUnit.objects.filter(kind=OrgUnitKind.DEPARTMENT).select_related("organization")
        nodes = PolicyNode.objects.select_related("plan")
        if organization_ids is not None:
            departments = departments.filter(organization_id__in=organization_ids)
            nodes = nodes.filter(plan__organization_id__in=organization_ids)
        self.fields["department"].queryset = departments.order_by("organization__lg_code", "order", "name")
        self.fields["policy_node"].queryset = nodes.order_by("plan_id", "order", "code")

    def clean_year(self) -> int:
        try:
            return parse_fiscal_year(self.cleaned_data["year"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel ファイル（.xlsx）"),
        help_text=_(
            "データセットの Excel、または評価シート（個表・施策の方針・「主な取組」検証票・"
            "施策マネジメントシート）の Excel を、出力したときの形のまま選んでください。"
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
