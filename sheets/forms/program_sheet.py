"""ProgramSheetEditForm: every section form of the 個表 edit page, validated and laid out together."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from hikikomori_eval.numbers import ParsedValue
from hikikomori_eval.wareki import fy_label
from indicators.choices import CostBasis, FundingSource
from sheets import services
from sheets.choices import DIRECTION, AdministrativeCategory
from sheets.models import ChoiceOption
from sheets.selectors import KAMAKURA_FUNDING_ROWS, choice_options
from sheets.services import (
    BLANK_VALUE,
    BenchmarkEntryInput,
    HeaderInput,
    ProgramSheetEditState,
    ProgramSheetInput,
    ReferenceIndicatorInput,
    StaffingInput,
    SubProgramInput,
    ViewpointInput,
)

from .fields import AMOUNT_BASES, SUB_TEXT_FIELDS
from .sections import (
    BenchmarkEntryFormSet,
    BenchmarkNoteForm,
    DirectionForm,
    FundingForm,
    HeaderForm,
    ReferenceIndicatorFormSet,
    StaffingForm,
    SubProgramFormSet,
    ViewpointForm,
    _question_field,
)


@dataclass(frozen=True)
class DerivedItem:
    """A read-only figure of the edit page; ``key`` is its element id and data-testid.

    kind: "amount" (千円, Decimal), "rate" (RateCell), "messages" (list of warnings).
    """

    key: str
    kind: str
    value: object = None


@dataclass(frozen=True)
class SummaryItem:
    """A line of the error summary at the top of the page, linking to the field."""

    label: str
    message: str
    anchor: str = ""


@dataclass
class FundingTable:
    """§3 footer laid out as printed: rows of inputs and read-only figures, one cell per column."""

    column_labels: list[str]
    project_costs: list[DerivedItem]
    source_rows: list[tuple[str, list[forms.BoundField]]]
    general_label: str
    general_cells: list[
        tuple[forms.BoundField, DerivedItem]
    ]  # the input and the value it would take when blank
    funded_totals: list[DerivedItem]
    checks: list[DerivedItem]
    personnel_costs: list[DerivedItem]
    total_cost_s: DerivedItem


@dataclass
class StaffingTable:
    year_labels: list[str]
    rows: list[tuple[str, list[forms.BoundField]]]
    personnel_costs: list[DerivedItem]
    overrides: list[forms.BoundField]
    reasons: list[forms.BoundField]


@dataclass
class ReferenceYearCell:
    label: str
    target: forms.BoundField
    actual: forms.BoundField
    rate: DerivedItem


def _text(value) -> str:
    return value.raw_text if isinstance(value, ParsedValue) else ("" if value is None else value)


def _initial(state: ProgramSheetEditState) -> dict:
    """Form initial data from the sheet's current values (the same dataclass the service takes)."""
    data = state.data
    h = data.header
    years = services.staff_years(state.evaluation_fy)
    return {
        "header": {
            "version": state.version,
            "administrative_category": h.administrative_category,
            "is_priority": h.is_priority,
            "owner_unit": h.owner_unit_id,
            "related_units": list(h.related_unit_ids),
            "evaluator_title": h.evaluator_title,
            "evaluator_name": h.evaluator_name,
            "policy_node": h.policy_node_id,
            "target_text": h.target_text,
            "purpose_text": h.purpose_text,
            "intended_state_text": h.intended_state_text,
            "activities_summary": h.activities_summary,
        },
        "sub": [
            {
                "sub_program_id": row.sub_program_id,
                "branch_no": row.branch_no,
                "name": row.name,
                "main_expenses": row.main_expenses,
                "indicator_name": row.indicator_name,
                "indicator_unit": row.indicator_unit,
                "actual_s": _text(row.actual_s),
                "target_s": _text(row.target_s),
                "target_e": _text(row.target_e),
                **{f"amount_{basis}": row.amounts.get(basis) for basis in AMOUNT_BASES},
                **{name: getattr(row, name) for name in SUB_TEXT_FIELDS},
            }
            for row in data.sub_programs
        ],
        "funding": {
            FundingForm.field_name(basis, source): amount
            for basis, lines in data.funding.items()
            for source, amount in lines.items()
        },
        "staffing": {
            **{f"fte_{fy}_{cid}": fte for (fy, cid), fte in data.staffing.ftes.items()},
            **{f"override_{fy}": v for fy, v in data.staffing.overrides.items() if fy in years},
            **{f"reason_{fy}": v for fy, v in data.staffing.override_reasons.items() if fy in years},
        },
        "viewpoints": {
            _question_field(a.question_id): (str(a.option_id) if a.option_id else a.free_text)
            for a in data.viewpoints
        },
        "direction": {"direction": data.direction_id, "direction_text": data.direction_text},
        "references": [
            {
                "indicator_id": ref.indicator_id,
                "name": ref.name,
                "unit": ref.unit,
                "rationale": ref.rationale,
                **{f"target_{fy}": _text(ref.targets.get(fy)) for fy in years},
                **{f"actual_{fy}": _text(ref.actuals.get(fy)) for fy in years},
            }
            for ref in data.reference_indicators
        ],
        "benchmarks": [
            {
                "entry_id": entry.entry_id,
                "subject_text": entry.subject_text,
                "org_name": entry.org_name,
                "is_self": entry.is_self,
                "metric_label": entry.metric_label,
                "value_text": entry.value_text,
            }
            for entry in data.benchmark_entries
        ],
        "benchmark_note": {"benchmark_rationale": data.benchmark_rationale},
    }


class ProgramSheetEditForm:
    """Every section of the 個表 edit page, validated together and turned into one service input."""

    def __init__(self, *, state: ProgramSheetEditState, data=None):
        self.state = state
        self.is_bound = data is not None
        self.service_errors: list[str] = []
        self.stale_message = ""
        sheet = state.sheet
        e, s = state.evaluation_fy, state.subject_fy
        self.columns = services.cost_columns(e)
        self.years = services.staff_years(e)
        initial = _initial(state)
        current_answers = {a.question_id: a for a in state.data.viewpoints}
        options_by_set = defaultdict(list)
        for option in ChoiceOption.objects.filter(
            choice_set_id__in={q.choice_set_id for q in state.questions if q.choice_set_id}
        ).order_by("order", "code"):
            options_by_set[option.choice_set_id].append(option)

        self.header = HeaderForm(
            data,
            prefix="header",
            initial=initial["header"],
            organization_id=sheet.organization_id,
            evaluation_fy=e,
        )
        self.sub_programs = SubProgramFormSet(
            data, prefix="sub", initial=initial["sub"], form_kwargs={"subject_fy": s, "evaluation_fy": e}
        )
        self.funding = FundingForm(data, prefix="funding", initial=initial["funding"], columns=self.columns)
        self.staffing = StaffingForm(
            data,
            prefix="staff",
            initial=initial["staffing"],
            years=self.years,
            categories=state.staff_categories,
        )
        self.viewpoints = ViewpointForm(
            data,
            prefix="vp",
            initial=initial["viewpoints"],
            questions=state.questions,
            options_by_set=options_by_set,
            current=current_answers,
        )
        self.direction = DirectionForm(
            data,
            prefix="direction",
            initial=initial["direction"],
            options=choice_options(DIRECTION, organization_id=sheet.organization_id, fiscal_year=e),
        )
        self.references = ReferenceIndicatorFormSet(
            data, prefix="ref", initial=initial["references"], form_kwargs={"years": self.years}
        )
        self.benchmarks = BenchmarkEntryFormSet(data, prefix="bench", initial=initial["benchmarks"])
        self.benchmark_note = BenchmarkNoteForm(data, prefix="bench_note", initial=initial["benchmark_note"])
        self.sub_empty_form = self.sub_programs.empty_form
        self.reference_empty_form = self.references.empty_form
        self.benchmark_empty_form = self.benchmarks.empty_form
        self._valid: bool | None = None
        self._layout: dict | None = None
        self._funding_snapshot: dict | None = None

    @property
    def parts(self) -> list:
        return [
            self.header,
            self.sub_programs,
            self.funding,
            self.staffing,
            self.viewpoints,
            self.direction,
            self.references,
            self.benchmarks,
            self.benchmark_note,
        ]

    # ---- validation ------------------------------------------------------------------------

    def validate_parts(self) -> bool:
        """Validate every section on its own (the live recalculation needs no more)."""
        return all([part.is_valid() for part in self.parts])

    def is_valid(self) -> bool:
        """Every section valid, and 財源内訳 adds up to 事業費の合計 in every column."""
        if self._valid is None:
            valid = self.validate_parts()
            if not self.sub_programs.management_form.errors:
                # Kept before add_error() removes the 一般財源 fields in error from cleaned_data.
                self._funding_snapshot = self._funding_input()
                problems = services.funding_problems(
                    evaluation_fy=self.state.evaluation_fy,
                    sub_programs=self._sub_inputs(),
                    funding=self._funding_snapshot,
                    own_amounts=self.state.own_amounts,
                )
                # A column with an unreadable amount is checked again once that amount is fixed.
                unreadable = self._unreadable_amount_columns()
                for basis, message in problems.items():
                    if basis not in unreadable:
                        self.funding.add_error(FundingForm.field_name(basis, FundingSource.GENERAL), message)
                        valid = False
            self._valid = valid
        return self._valid

    def _unreadable_amount_columns(self) -> set[str]:
        """Columns (bases) where a row amount or a funding amount is in error."""
        unreadable = {
            basis
            for _index, form in self.sub_programs.live_forms()
            for basis in AMOUNT_BASES
            if f"amount_{basis}" in form.errors
        }
        unreadable.update(name.split("__")[0] for name in self.funding.errors if "__" in name)
        return unreadable

    @property
    def expected_version(self) -> int:
        return self.header.cleaned_data["version"]

    def add_save_error(self, error: ValidationError) -> None:
        """Show an error the service raised.

        After a stale save the form carries the stored version: the editor has been told, keeps
        everything typed, and may save again after comparing (an informed overwrite, never a silent one).
        """
        if isinstance(error, services.StaleSheetError):
            self.stale_message = error.messages[0]
            data = self.header.data.copy()
            data[self.header.add_prefix("version")] = str(error.sheet.version)
            self.header.data = data
            return
        self.service_errors.extend(error.messages)

    def error_summary(self) -> list[SummaryItem]:
        """Every error of the page in the printed order, each linking to its field."""
        items = [SummaryItem("", message) for message in self.service_errors]
        if not self.is_bound:
            return items
        sections = [
            (self.header, gettext("表題・１・２"), None),
            (self.sub_programs, gettext("３ 事務事業"), "name"),
            (self.funding, gettext("３ 財源内訳"), None),
            (self.staffing, gettext("４ 職員数"), None),
            (self.viewpoints, gettext("５(2) 視点別評価"), None),
            (self.direction, gettext("５(3) 総合評価"), None),
            (self.references, gettext("【参考】指標"), "name"),
            (self.benchmarks, gettext("他市比較"), "org_name"),
            (self.benchmark_note, gettext("他市比較"), None),
        ]
        for part, section, name_field in sections:
            if name_field is None:
                items.extend(self._form_errors(part, section))
                continue
            items.extend(SummaryItem(section, str(message)) for message in part.non_form_errors())
            for index, form in enumerate(part.forms):
                if part.can_delete and part._should_delete_form(form):
                    continue
                name = form.data.get(form.add_prefix(name_field), "") or ""
                label = gettext("%(section)s %(row)d行目") % {"section": section, "row": index + 1}
                if name:
                    label += gettext("（%(name)s）") % {"name": name[:20]}
                items.extend(self._form_errors(form, label))
        return items

    @staticmethod
    def _form_errors(form, section: str) -> list[SummaryItem]:
        items = []
        for name, errors in form.errors.items():
            if name == "__all__":
                items.extend(SummaryItem(section, str(message)) for message in errors)
                continue
            bound = form[name]
            for message in errors:
                items.append(SummaryItem(f"{section} {bound.label}", str(message), bound.auto_id))
        return items

    # ---- input for the service -------------------------------------------------------------

    def to_input(self) -> ProgramSheetInput:
        """The service input from the cleaned data (after a failed validation, fields in error are blank)."""
        h = getattr(self.header, "cleaned_data", {})
        header = HeaderInput(
            administrative_category=h.get("administrative_category") or AdministrativeCategory.AUTONOMOUS,
            is_priority=bool(h.get("is_priority")),
            owner_unit_id=h["owner_unit"].pk if h.get("owner_unit") else None,
            related_unit_ids=tuple(u.pk for u in h.get("related_units") or []),
            evaluator_title=h.get("evaluator_title", ""),
            evaluator_name=h.get("evaluator_name", ""),
            policy_node_id=h["policy_node"].pk if h.get("policy_node") else None,
            target_text=h.get("target_text", ""),
            purpose_text=h.get("purpose_text", ""),
            intended_state_text=h.get("intended_state_text", ""),
            activities_summary=h.get("activities_summary", ""),
        )
        d = getattr(self.direction, "cleaned_data", {})
        return ProgramSheetInput(
            header=header,
            sub_programs=self._sub_inputs(),
            funding=self._funding_input(),
            staffing=self._staffing_input(),
            viewpoints=self._viewpoint_inputs(),
            direction_id=d["direction"].pk if d.get("direction") else None,
            direction_text=d.get("direction_text", ""),
            reference_indicators=self._reference_inputs(),
            benchmark_entries=self._benchmark_inputs(),
            benchmark_rationale=getattr(self.benchmark_note, "cleaned_data", {}).get(
                "benchmark_rationale", ""
            ),
        )

    def _sub_inputs(self) -> tuple[SubProgramInput, ...]:
        rows = []
        for index, form in self.sub_programs.live_forms():
            c = form.cleaned_data
            rows.append(
                SubProgramInput(
                    sub_program_id=c.get("sub_program_id"),
                    branch_no=c.get("branch_no"),
                    name=c.get("name", ""),
                    main_expenses=c.get("main_expenses", ""),
                    indicator_name=c.get("indicator_name", ""),
                    indicator_unit=c.get("indicator_unit", ""),
                    actual_s=c.get("actual_s") or BLANK_VALUE,
                    target_s=c.get("target_s") or BLANK_VALUE,
                    target_e=c.get("target_e") or BLANK_VALUE,
                    amounts={basis: c.get(f"amount_{basis}") for basis in AMOUNT_BASES},
                    **{name: c.get(name, "") for name in SUB_TEXT_FIELDS},
                    form_index=index,
                )
            )
        return tuple(rows)

    def _funding_input(self) -> dict:
        if self._funding_snapshot is not None:
            return self._funding_snapshot
        c = getattr(self.funding, "cleaned_data", {})
        return {
            column.basis: {
                source: c.get(FundingForm.field_name(column.basis, source))
                for source in KAMAKURA_FUNDING_ROWS
            }
            for column in self.columns
        }

    def _staffing_input(self) -> StaffingInput:
        c = getattr(self.staffing, "cleaned_data", {})
        return StaffingInput(
            ftes={
                (fy, category.pk): c.get(f"fte_{fy}_{category.pk}")
                for fy in self.years
                for category in self.state.staff_categories
            },
            overrides={fy: c.get(f"override_{fy}") for fy in self.years},
            override_reasons={fy: c.get(f"reason_{fy}", "") for fy in self.years},
        )

    def _viewpoint_inputs(self) -> tuple[ViewpointInput, ...]:
        c = getattr(self.viewpoints, "cleaned_data", {})
        current = {a.question_id: a for a in self.state.data.viewpoints}
        answers = []
        for q in self.state.questions:
            value = c.get(ViewpointForm.field_name(q))
            if q.choice_set_id:
                kept_text = current[q.pk].free_text if q.pk in current else ""
                answers.append(ViewpointInput(q.pk, int(value) if value else None, kept_text))
            else:
                answers.append(ViewpointInput(q.pk, None, value or ""))
        return tuple(answers)

    def _reference_inputs(self) -> tuple[ReferenceIndicatorInput, ...]:
        rows = []
        for index, form in self.references.live_forms():
            c = form.cleaned_data
            rows.append(
                ReferenceIndicatorInput(
                    indicator_id=c.get("indicator_id"),
                    name=c.get("name", ""),
                    unit=c.get("unit", ""),
                    rationale=c.get("rationale", ""),
                    targets={fy: c.get(f"target_{fy}") or BLANK_VALUE for fy in self.years},
                    actuals={fy: c.get(f"actual_{fy}") or BLANK_VALUE for fy in self.years},
                    form_index=index,
                )
            )
        return tuple(rows)

    def _benchmark_inputs(self) -> tuple[BenchmarkEntryInput, ...]:
        return tuple(
            BenchmarkEntryInput(
                entry_id=form.cleaned_data.get("entry_id"),
                subject_text=form.cleaned_data.get("subject_text", ""),
                org_name=form.cleaned_data.get("org_name", ""),
                is_self=bool(form.cleaned_data.get("is_self")),
                metric_label=form.cleaned_data.get("metric_label", ""),
                value_text=form.cleaned_data.get("value_text", ""),
            )
            for _index, form in self.benchmarks.live_forms()
        )

    # ---- derived figures and page layout ---------------------------------------------------

    def derived(self) -> services.DerivedFigures:
        """Derived figures of what is on the page: the typed values when bound, else the stored ones."""
        if self.is_bound:
            self.validate_parts()
            data = self.to_input()
        else:
            data = self.state.data
        return services.program_sheet_derive(state=self.state, data=data)

    def layout(self) -> dict:
        """Attach the derived figures to the rows and build the tables the template renders."""
        if self._layout is not None:
            return self._layout
        derived = self.derived()
        items: list[DerivedItem] = []

        def item(key, kind, value):
            made = DerivedItem(key, kind, value)
            items.append(made)
            return made

        for index, form in enumerate(self.sub_programs.forms):
            form.achievement = item(f"achievement-{index}", "rate", derived.achievements.get(index))
            warnings = derived.row_warnings.get(index, {})
            form.warning_items = {
                # A field in error shows its error, not a warning about the blank it was read as.
                name: item(
                    f"warning-{index}-{name}",
                    "messages",
                    [] if form.is_bound and name in form.errors else warnings.get(name, []),
                )
                for name in ("actual_s", "target_s", "target_e")
            }
        self.sub_empty_form.achievement = DerivedItem("achievement-__prefix__", "rate")
        self.sub_empty_form.warning_items = {
            name: DerivedItem(f"warning-__prefix__-{name}", "messages", [])
            for name in ("actual_s", "target_s", "target_e")
        }

        labels = dict(FundingSource.choices)
        bases = [c.basis for c in self.columns]
        funding = FundingTable(
            column_labels=[services.column_label(c) for c in self.columns],
            project_costs=[item(f"project-cost-{b}", "amount", derived.project_costs[b]) for b in bases],
            source_rows=[
                (str(labels[source]), [self.funding[FundingForm.field_name(b, source)] for b in bases])
                for source in KAMAKURA_FUNDING_ROWS
                if source != FundingSource.GENERAL
            ],
            general_label=str(labels[FundingSource.GENERAL]),
            general_cells=[
                (
                    self.funding[FundingForm.field_name(b, FundingSource.GENERAL)],
                    item(f"general-revenue-{b}", "amount", derived.general_revenues[b]),
                )
                for b in bases
            ],
            funded_totals=[item(f"funded-total-{b}", "amount", derived.funded_totals[b]) for b in bases],
            checks=[item(f"funding-check-{b}", "messages", self._live_check(b, derived)) for b in bases],
            personnel_costs=[
                item(
                    f"personnel-cost-{c.basis}",
                    "amount",
                    derived.personnel_costs.get(c.fiscal_year)
                    if c.basis in (CostBasis.SETTLEMENT, CostBasis.BUDGET)
                    else None,
                )
                for c in self.columns
            ],
            total_cost_s=item("total-cost-settlement", "amount", derived.total_cost_s),
        )
        staffing = StaffingTable(
            year_labels=[fy_label(fy, "plain") for fy in self.years],
            rows=[
                (category.label, [self.staffing[f"fte_{fy}_{category.pk}"] for fy in self.years])
                for category in self.state.staff_categories
            ],
            personnel_costs=[
                item(f"personnel-{fy}", "amount", derived.personnel_costs.get(fy)) for fy in self.years
            ],
            overrides=[self.staffing[f"override_{fy}"] for fy in self.years],
            reasons=[self.staffing[f"reason_{fy}"] for fy in self.years],
        )
        for index, form in enumerate(self.references.forms):
            rates = derived.reference_rates.get(index, {})
            form.year_cells = [
                ReferenceYearCell(
                    fy_label(fy, "short"),
                    form[f"target_{fy}"],
                    form[f"actual_{fy}"],
                    item(f"reference-rate-{index}-{fy}", "rate", rates.get(fy)),
                )
                for fy in self.years
            ]
        self.reference_empty_form.year_cells = [
            ReferenceYearCell(
                fy_label(fy, "short"),
                self.reference_empty_form[f"target_{fy}"],
                self.reference_empty_form[f"actual_{fy}"],
                DerivedItem(f"reference-rate-__prefix__-{fy}", "rate"),
            )
            for fy in self.years
        ]
        self._layout = {"funding_table": funding, "staffing_table": staffing, "derived_items": items}
        return self._layout

    def _live_check(self, basis: str, derived) -> list[str]:
        """The funding check of a column, unless the same message already stands under its 一般財源."""
        message = derived.funding_problems.get(basis)
        if message is None:
            return []
        field = FundingForm.field_name(basis, FundingSource.GENERAL)
        shown = self.is_bound and message in self.funding.errors.get(field, [])
        return [] if shown else [message]

    def sub_forms_in_order(self) -> list:
        """§3 rows in the order chosen on the page (so a re-displayed form keeps a moved row in place)."""

        def order(pair):
            index, form = pair
            raw = form[("ORDER")].value() if "ORDER" in form.fields else None
            try:
                return (0, int(raw), index)
            except (TypeError, ValueError):
                return (1, 0, index)

        return [form for _index, form in sorted(enumerate(self.sub_programs.forms), key=order)]

    def question_rows(self) -> list[tuple]:
        """5(2) rows: (viewpoint, bound field), the viewpoint printed once per group."""
        rows, previous = [], None
        for q in self.state.questions:
            rows.append(
                (
                    q.viewpoint if q.viewpoint != previous else "",
                    self.viewpoints[ViewpointForm.field_name(q)],
                    q,
                )
            )
            previous = q.viewpoint
        return rows

    def template_context(self) -> dict:
        layout = self.layout()
        return {
            "form": self,
            "sheet": self.state.sheet,
            "ctx": self.state.context,
            "summary": self.error_summary(),
            **layout,
        }
