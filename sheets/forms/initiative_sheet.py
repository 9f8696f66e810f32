"""Forms of the 「主な取組」検証票 edit page, in the order of the form: header, 1 Plan (年度別計画, plan
values), 2 Do (budget table, activity texts, actuals, status), 2 (2) reflections, Check and Action rows.

The form starts from the sheet's context (the same one the page prints), validates the typed values
and builds one :class:`~sheets.services.InitiativeSheetInput` for the save service.
"""

from __future__ import annotations

from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import fy_label
from indicators.choices import ValueType
from indicators.models import IndicatorValue
from indicators.selectors import IndicatorSeries, ValueCell
from sheets.choices import OKI_ACTION_TYPE, OKI_CHECK_TYPE, OKI_EXECUTION_METHOD, OKI_MAIN_FUNDING
from sheets.selectors import (
    InitiativeSheetContext,
    choice_options,
    indicator_rows,
    initiative_policy_nodes,
    outcome_indicator_options,
)
from sheets.services import (
    BudgetCellInput,
    InitiativeHeaderInput,
    InitiativeSheetInput,
    ReflectionInput,
    TypedRowInput,
)
from sheets.services.program_sheet_edit import _cell_input

from .fields import AmountField, IndicatorValueField

#: 実施主体 as the form prints it (forms.md §3); a stored value outside the list stays selectable.
IMPLEMENTING_BODIES = ("県", "市町村", "民間", "県・市町村")
BUDGET_SHARED_HELP = _(
    "予算事業は、この事業が予算を計上しているすべての主な取組で共通です。"
    "ここで変えた金額・主な財源・実施方法は、同じ予算事業を載せているほかの検証票にも反映されます。"
)


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
    # Header (ProgramYear of S, Program.name, the primary policy link)
    name = forms.CharField(
        label=_("主な取組"),
        max_length=200,
        help_text=_("取組の名称は、この取組のすべての年度の検証票で共通です。"),
    )
    content_text = forms.CharField(label=_("取組内容"), required=False, widget=_textarea(4))
    implementing_body = forms.ChoiceField(label=_("実施主体"), required=False)
    related_url = forms.URLField(label=_("関連URL"), required=False, assume_scheme="https")
    outcome_indicator = forms.TypedChoiceField(
        label=_("対応する成果指標"), coerce=int, empty_value=None, required=False
    )
    sub_item = forms.TypedChoiceField(label=_("施策の小項目"), coerce=int, empty_value=None, required=False)


class TypedRowForm(forms.Form):
    """A Check or an Action row: 類型 and 内容."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    type_id = forms.TypedChoiceField(label=_("類型"), coerce=int, empty_value=None, required=False)
    content = forms.CharField(label=_("内容"), required=False, widget=_textarea(3))

    def __init__(self, *args, type_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type_id"].choices = [("", "―"), *type_choices]


TypedRowFormSet = forms.formset_factory(TypedRowForm, extra=1, can_delete=True)


def _stored_cell(value, indicator) -> ValueCell:
    if value is None:
        return ValueCell(decimals=indicator.decimals, unit=indicator.unit)
    return ValueCell(value=value.value, status=value.status, decimals=indicator.decimals, unit=indicator.unit)


def _type_choices(key: str, ctx: InitiativeSheetContext) -> list[tuple[int, str]]:
    options = choice_options(key, organization_id=ctx.sheet.organization_id, fiscal_year=ctx.evaluation_fy)
    return [(o.pk, f"{o.code} {o.label}" + (f"（{o.category}）" if o.category else "")) for o in options]


def _short(fy: int) -> str:
    return fy_label(fy, "short").removesuffix("年度")


class InitiativeSheetEditForm:
    """The main form, one reflection field per last year's plan, and the Check / Action formsets.

    The header, 1 Plan (年度別計画 and the single-year plan values), the 実績値 of 2 Do and the budget
    table are fields of the main form too, named by year / indicator / budget project.
    """

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
        self._add_header_fields()
        self._add_plan_fields()
        self._add_budget_fields()
        for name, f in self.main.fields.items():
            if name.startswith(("plan_", "actual_", "budget_", "funding_", "method_")):
                f.widget.attrs["aria-label"] = str(f.label)
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

    # ---- header -------------------------------------------------------------------------------

    def _add_header_fields(self) -> None:
        ctx, fields = self.ctx, self.main.fields
        program_year = ctx.content_text, ctx.implementing_body, ctx.related_url
        fields["name"].initial = ctx.program.name
        fields["content_text"].initial, fields["implementing_body"].initial, fields["related_url"].initial = (
            program_year
        )
        bodies = list(IMPLEMENTING_BODIES)
        if ctx.implementing_body and ctx.implementing_body not in bodies:
            bodies.append(ctx.implementing_body)
        fields["implementing_body"].choices = [("", "―"), *((b, b) for b in bodies)]
        outcomes = list(outcome_indicator_options(organization_id=ctx.sheet.organization_id))
        fields["outcome_indicator"].choices = [("", "―"), *((i.pk, i.name) for i in outcomes)]
        fields["outcome_indicator"].initial = ctx.outcome_indicator_id
        nodes = initiative_policy_nodes(organization_id=ctx.sheet.organization_id)
        fields["sub_item"].choices = [("", "―")] + [
            (n.pk, f"{n.parent.code} {n.parent.name}／○{n.name}" if n.parent else n.name) for n in nodes
        ]
        fields["sub_item"].initial = ctx.sub_item.pk if ctx.sub_item else None
        if nodes:
            fields["sub_item"].required = True

    @property
    def header_fields(self):
        return [
            self.main[name]
            for name in (
                "name",
                "content_text",
                "implementing_body",
                "related_url",
                "outcome_indicator",
                "sub_item",
            )
        ]

    # ---- 1 Plan and 2 Do: plan texts, plan values, actuals ---------------------------------------

    def _add_plan_fields(self) -> None:
        ctx, fields = self.ctx, self.main.fields
        texts = ctx.plan_text_by_year
        for fy in ctx.plan_years:
            fields[f"plan_text_{fy}"] = forms.CharField(
                label=_("%(year)s 年度別計画") % {"year": fy_label(fy, "plain")},
                required=False,
                widget=_textarea(2),
                initial=texts.get(fy, ""),
            )
        for row in ctx.plan_rows:
            ind = row.indicator
            for fy, cell in zip(ctx.plan_years, row.cells, strict=True):
                fields[f"plan_{ind.pk}_{fy}"] = IndicatorValueField(
                    label=f"{row.label or ind.name} {_short(fy)} 計画値（単年）",
                    initial=_cell_input(row.stored.get((fy, ValueType.PLAN_SINGLE)), cell.single),
                )
        for plan_row, row in zip(ctx.plan_rows, ctx.result_rows, strict=True):
            ind = row.indicator
            stored = plan_row.stored
            for fy in ctx.result_years:
                value = stored.get((fy, ValueType.ACTUAL))
                cell_text = _cell_input(value, _stored_cell(value, ind))
                fields[f"actual_{ind.pk}_{fy}"] = IndicatorValueField(
                    label=f"{row.label or ind.name} {_short(fy)} 実績値", initial=cell_text
                )

    @property
    def plan_text_fields(self):
        return [self.main[f"plan_text_{fy}"] for fy in self.ctx.plan_years]

    @cached_property
    def _live_rows(self):
        """Plan and result rows of the typed values (the stored ones before a post): same computation as
        the printed sheet; a value that does not read as a number counts as blank."""
        ctx = self.ctx
        if not self.is_bound:
            return ctx.plan_rows, ctx.result_rows
        series = []
        for row in ctx.plan_rows:
            ind = row.indicator
            values = dict(row.stored)
            typed = [(f"plan_{ind.pk}_{fy}", fy, ValueType.PLAN_SINGLE) for fy in ctx.plan_years]
            typed += [(f"actual_{ind.pk}_{fy}", fy, ValueType.ACTUAL) for fy in ctx.result_years]
            for name, fy, value_type in typed:
                bound = self.main[name]
                try:
                    parsed = bound.field.clean(bound.data)
                except ValidationError:
                    parsed = None
                if parsed is None or parsed.is_blank:
                    values.pop((fy, value_type), None)
                else:
                    values[(fy, value_type)] = IndicatorValue(
                        indicator=ind,
                        fiscal_year=fy,
                        value_type=value_type,
                        value=parsed.value,
                        status=parsed.status,
                    )
            series.append(IndicatorSeries(indicator=ind, values=values))
        return indicator_rows(series, ctx.plan_years, ctx.subject_fy)

    @property
    def plan_value_rows(self):
        """(plan row, [(cell, single-year field)]) per indicator / component."""
        return [
            (
                row,
                [
                    (cell, self.main[f"plan_{row.indicator.pk}_{fy}"])
                    for fy, cell in zip(self.ctx.plan_years, row.cells, strict=True)
                ],
            )
            for row in self._live_rows[0]
        ]

    @property
    def actual_rows(self):
        """(result row, [actual field per year S−2 … S])."""
        return [
            (row, [self.main[f"actual_{row.indicator.pk}_{fy}"] for fy in self.ctx.result_years])
            for row in self._live_rows[1]
        ]

    # ---- 予算事業 ---------------------------------------------------------------------------------

    def _add_budget_fields(self) -> None:
        ctx, fields = self.ctx, self.main.fields
        org, fy = ctx.sheet.organization_id, ctx.evaluation_fy
        fundings = [("", "―")] + [
            (o.pk, o.label) for o in choice_options(OKI_MAIN_FUNDING, organization_id=org, fiscal_year=fy)
        ]
        methods = [("", "―")] + [
            (o.pk, o.label) for o in choice_options(OKI_EXECUTION_METHOD, organization_id=org, fiscal_year=fy)
        ]
        for row in ctx.budget_rows:
            for index, cell in enumerate(row.cells):
                key = f"{row.project.pk}_{cell.fiscal_year}_{cell.basis}"
                fields[f"budget_{key}"] = AmountField(
                    label=f"{row.name} {cell.year_label} {cell.label}（千円）", initial=cell.amount
                )
                if index == 0:  # 決算額 S−1: the form prints no 主な財源 / 実施方法 for it
                    continue
                fields[f"funding_{key}"] = forms.TypedChoiceField(
                    label=f"{row.name} {cell.year_label} {_('主な財源')}",
                    coerce=int,
                    empty_value=None,
                    required=False,
                    choices=fundings,
                )
                fields[f"funding_{key}"].initial = cell.main_funding_id
                fields[f"method_{key}"] = forms.TypedChoiceField(
                    label=f"{row.name} {cell.year_label} {_('実施方法')}",
                    coerce=int,
                    empty_value=None,
                    required=False,
                    choices=methods,
                )
                fields[f"method_{key}"].initial = cell.execution_method_id

    @property
    def budget_rows(self):
        """(budget row, [(cell, amount, 主な財源, 実施方法)])."""
        rows = []
        for row in self.ctx.budget_rows:
            cells = []
            for cell in row.cells:
                key = f"{row.project.pk}_{cell.fiscal_year}_{cell.basis}"
                funding = self.main[f"funding_{key}"] if f"funding_{key}" in self.main.fields else None
                method = self.main[f"method_{key}"] if f"method_{key}" in self.main.fields else None
                cells.append((cell, self.main[f"budget_{key}"], funding, method))
            rows.append((row, cells))
        return rows

    budget_help = BUDGET_SHARED_HELP

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
        ctx, data = self.ctx, self.main.cleaned_data
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
            header=InitiativeHeaderInput(
                name=data["name"],
                content_text=data["content_text"],
                implementing_body=data["implementing_body"],
                related_url=data["related_url"],
                outcome_indicator_id=data["outcome_indicator"],
                sub_item_id=data["sub_item"],
            ),
            plan_texts={fy: data[f"plan_text_{fy}"] for fy in ctx.plan_years},
            indicator_values=self._indicator_values(),
            budget_cells=tuple(
                BudgetCellInput(
                    row.project.pk,
                    cell.fiscal_year,
                    cell.basis,
                    data[amount.name],
                    data[funding.name] if funding else cell.main_funding_id,
                    data[method.name] if method else cell.execution_method_id,
                )
                for row, cells in self.budget_rows
                for cell, amount, funding, method in cells
            ),
        )

    def _indicator_values(self):
        ctx, data = self.ctx, self.main.cleaned_data
        values = {}
        for row in ctx.plan_rows:
            ind = row.indicator
            cells = {(fy, ValueType.PLAN_SINGLE): data[f"plan_{ind.pk}_{fy}"] for fy in ctx.plan_years}
            cells.update({(fy, ValueType.ACTUAL): data[f"actual_{ind.pk}_{fy}"] for fy in ctx.result_years})
            values[ind.pk] = cells
        return values

    def add_save_error(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                target = field if field in self.main.fields else None
                for message in messages:
                    self.main.add_error(target, message)
        else:
            for message in error.messages:
                self.main.add_error(None, message)
