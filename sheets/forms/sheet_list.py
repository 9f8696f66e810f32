"""The filters of the 評価シート一覧: year, organisation, form, status and a search on number or name."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sheets.choices import FormType, SheetStatus


class SheetListFilterForm(forms.Form):
    year = forms.TypedChoiceField(label=_("評価年度"), coerce=int, required=False, choices=())
    organization = forms.TypedChoiceField(label=_("団体"), coerce=int, required=False, choices=())
    form_type = forms.ChoiceField(
        label=_("様式"), required=False, choices=[("", _("すべての様式")), *FormType.choices]
    )
    status = forms.ChoiceField(
        label=_("状態"), required=False, choices=[("", _("すべての状態")), *SheetStatus.choices]
    )
    q = forms.CharField(label=_("番号・名称"), required=False, max_length=100)

    def __init__(self, data=None, *, year_choices=(), organizations=()):
        super().__init__(data)
        self.fields["year"].choices = list(year_choices)
        if len(organizations) > 1:
            self.fields["organization"].choices = [("", _("すべての団体")), *organizations]
        else:
            del self.fields["organization"]

    def filters(self, default_year) -> dict:
        """The chosen filters (an invalid or missing value: the default, never an error page)."""
        values = self.cleaned_data if self.is_valid() else {}
        return {
            "evaluation_fy": values.get("year") or default_year,
            "organization_ids": [values["organization"]] if values.get("organization") else None,
            "form_type": values.get("form_type", ""),
            "status": values.get("status", ""),
            "query": values.get("q", "").strip(),
        }
