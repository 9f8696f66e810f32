"""Forms of the 「主な取組」検証票 edit page: status and texts, 2 (2) reflections, Check and Action rows.

The form starts from the sheet's context (the same one the page prints), validates the typed values
and builds one :class:`~sheets.services.InitiativeSheetInput` for the save service.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from sheets.choices import OKI_ACTION_TYPE, OKI_CHECK_TYPE
from sheets.selectors import InitiativeSheetContext, choice_options
from sheets.services import InitiativeSheetInput, ReflectionInput, TypedRowInput


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class InitiativeMainForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    progress_status = forms.TypedChoiceField(label=_("進捗状況"), coerce=int, empty_value=None)
    status_basis = forms.CharField(
        label=_("進捗状況の判定根拠、要因及び取組の効果"), required=False, widget=_textarea(4)
    )
    activity_overview = forms.CharField(label=_("活動概要"), required=False, widget=_textarea(3))
    activity_done = forms.CharField(label=_("活動内容"), required=False, widget=_textarea(3))
    activity_plan = forms.CharField(label=_("活動計画"), required=False, widget=_textarea(3))


class TypedRowForm(forms.Form):
    """A Check or an Action row: 類型 and 内容."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    type_id = forms.TypedChoiceField(label=_("類型"), coerce=int, empty_value=None, required=False)
    content = forms.CharField(label=_("内容"), required=False, widget=_textarea(3))

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_id"].choices = [("", "―"), *type_choices]


TypedRowFormSet = forms.formset_factory(TypedRowForm, extra=1, can_delete=True)


def _type_choices(key: str, ctx: InitiativeSheetContext) -> list[tuple[int, str]]:
    options = choice_options(key, organization_id=ctx.sheet.organization_id, fiscal_year=ctx.evaluation_fy)
    return [(o.pk, f"{o.code} {o.label}" + (f"（{o.category}）" if o.category else "")) for o in options]


class InitiativeSheetEditForm:
    """The main form, one reflection field per last year's plan, and the Check / Action formsets."""

    def __init__(self, *, ctx: InitiativeSheetContext, data=None):
        self.ctx = ctx
        extension = getattr(ctx.sheet, "initiative_sheet", None)
        initial = {
            "version": ctx.sheet.version,
            "progress_status": ctx.progress_status.pk if ctx.progress_status else None,
            "status_basis": ctx.status_basis,
            "activity_overview": ctx.activity_overview,
            "activity_done": ctx.activity_done,
            "activity_plan": ctx.activity_plan,
        }
        self.main = InitiativeMainForm(data=data, initial=initial, prefix="main")
        self.main.fields["progress_status"].choices = [("", "―")] + [
            (o.pk, o.label) for o in ctx.progress_options
        ]
        self.reflection_rows = [r for r in ctx.reflections if r.source_plan_id]
        for row in self.reflection_rows:
            self.main.fields[f"reflection_{row.source_plan_id}"] = forms.CharField(
                label=_("反映状況"), required=False, widget=_textarea(3), initial=row.reflection_text
            )
        self.check_formset = TypedRowFormSet(
            data=data,
            prefix="check",
            initial=[
                {"pk": r.pk, "type_id": r.option.pk if r.option else None, "content": r.content}
                for r in ctx.check_rows
            ],
            form_kwargs={"type_choices": _type_choices(OKI_CHECK_TYPE, ctx)},
        )
        self.action_formset = TypedRowFormSet(
            data=data,
            prefix="action",
            initial=[
                {"pk": r.pk, "type_id": r.option.pk if r.option else None, "content": r.content}
                for r in ctx.action_rows
            ],
            form_kwargs={"type_choices": _type_choices(OKI_ACTION_TYPE, ctx)},
        )
        self.extension = extension

    @property
    def is_bound(self) -> bool:
        return self.main.is_bound

    def is_valid(self) -> bool:
        return all([self.main.is_valid(), self.check_formset.is_valid(), self.action_formset.is_valid()])

    @property
    def expected_version(self) -> int:
        return self.main.cleaned_data["version"]

    @property
    def reflections(self):
        return [(row, self.main[f"reflection_{row.source_plan_id}"]) for row in self.reflection_rows]

    @staticmethod
    def _rows(formset) -> list[TypedRowInput]:
        rows = []
        for form in formset.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or (not data.get("content") and not data.get("type_id")):
                continue
            rows.append(
                TypedRowInput(type_id=data.get("type_id"), content=data.get("content", ""), pk=data.get("pk"))
            )
        return rows

    def to_input(self) -> InitiativeSheetInput:
        data = self.main.cleaned_data
        return InitiativeSheetInput(
            progress_status_id=data["progress_status"],
            status_basis=data["status_basis"],
            activity_overview=data["activity_overview"],
            activity_done=data["activity_done"],
            activity_plan=data["activity_plan"],
            reflections=tuple(
                ReflectionInput(row.source_plan_id, data.get(f"reflection_{row.source_plan_id}", ""))
                for row in self.reflection_rows
            ),
            check_rows=tuple(self._rows(self.check_formset)),
            action_rows=tuple(self._rows(self.action_formset)),
        )

    def add_save_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.main.fields else None
                for message in messages:
                    self.main.add_error(target, message)
        else:
            for message in error.messages:
                self.main.add_error(None, message)
