"""Forms of the 行政評価シート（施策の方針） edit page: header, 評価者 per department, the per-department
texts (§1, §4, ※, §6 – §9) and the §3 evaluations of the linked programs.

The form starts from :func:`~sheets.services.policy_sheet_edit_state` (the printed context and the
current values), validates the typed values and builds one :class:`~sheets.services.PolicySheetInput`.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.wareki import date_label
from sheets import services
from sheets.services import (
    PolicySheetEditState,
    PolicySheetInput,
    ProgramEvaluationInput,
    SignatoryInput,
)

from .fields import _textarea
from .program_sheet import SummaryItem
from .sections import _OrderedFormSet, _SectionForm

CHOOSE = _("―― 選択してください ――")
CARRIED_OVER_NOTE = _("前年度の９．今年度の目標から引き継ぎました")
SECTION_3 = _("３ 事務事業の評価")


class PolicyMainForm(forms.Form):
    """作成日, the version the editor started from, and (added per sheet) the texts and §3 selects."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    sheet_date = forms.DateField(
        label=_("作成日"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SignatoryForm(_SectionForm):
    """評価者 of one department (部, 職名, 氏名)."""

    pk = forms.IntegerField(required=False, widget=forms.HiddenInput)
    org_unit = forms.TypedChoiceField(
        label=_("部"),
        coerce=int,
        empty_value=None,
        error_messages={"required": _("部を選択してください。")},
    )
    title = forms.CharField(
        label=_("職名"),
        max_length=60,
        error_messages={"required": _("職名を入力してください。")},
    )
    person_name = forms.CharField(
        label=_("氏名"),
        max_length=60,
        error_messages={"required": _("氏名を入力してください。")},
    )

    def __init__(self, *args, department_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = [("", CHOOSE), *department_choices]


class SignatoryBaseFormSet(_OrderedFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for _index, form in self.live_forms():
            department = form.cleaned_data.get("org_unit")
            if department in seen:
                label = dict(form.fields["org_unit"].choices).get(department, "")
                form.add_error(
                    "org_unit",
                    gettext("%(department)sの評価者が重複しています。") % {"department": label},
                )
            seen.add(department)


SignatoryFormSet = forms.formset_factory(
    SignatoryForm, formset=SignatoryBaseFormSet, extra=0, can_delete=True
)


def _narrative_name(key: str, department_id: int) -> str:
    return f"narrative_{key.replace('.', '_')}_{department_id}"


class PolicySheetEditForm:
    """The main form (作成日, texts, §3 selects, named by section / department / program) and the
    評価者 formset, validated together and turned into one service input."""

    def __init__(self, *, state: PolicySheetEditState, data=None):
        self.state = state
        self.ctx = ctx = state.context
        self.stale_message = ""
        current = state.data
        self.main = PolicyMainForm(
            data=data,
            prefix="main",
            initial={"version": ctx.sheet.version, "sheet_date": current.sheet_date},
        )
        self._summary_labels: dict[str, str] = {}
        self._add_narrative_fields()
        self._add_program_fields()
        self.signatories = SignatoryFormSet(
            data=data,
            prefix="sig",
            initial=[
                {"pk": s.pk, "org_unit": s.org_unit_id, "title": s.title, "person_name": s.person_name}
                for s in current.signatories
            ],
            form_kwargs={"department_choices": [(u.pk, u.name) for u in state.departments]},
        )
        self.signatory_empty_form = self.signatories.empty_form

    @property
    def is_bound(self) -> bool:
        return self.main.is_bound

    # ---- per-department texts ------------------------------------------------------------------

    def _add_narrative_fields(self) -> None:
        texts = self.state.data.narratives
        for key, section in self.ctx.narratives.items():
            for entry in section.entries:
                name = _narrative_name(key, entry.department.pk)
                self.main.fields[name] = forms.CharField(
                    label=entry.department_name,
                    required=False,
                    widget=_textarea(5, **{"aria-label": f"{section.title} {entry.department_name}"}),
                    initial=texts.get((key, entry.department.pk), ""),
                )
                self._summary_labels[name] = f"{section.title} {entry.department_name}"

    @property
    def narrative_sections(self):
        """{section key: (section, [(entry, field)])}; an entry knows whether §1 was carried over."""
        return {
            key: (
                section,
                [(entry, self.main[_narrative_name(key, entry.department.pk)]) for entry in section.entries],
            )
            for key, section in self.ctx.narratives.items()
        }

    @property
    def section_1(self):
        return self.narrative_sections["002.1"]

    @property
    def middle_sections(self):
        """§4 and ※実施できなかった事業, printed after §3."""
        sections = self.narrative_sections
        return [sections["002.4"], sections["002.4x"]]

    @property
    def late_sections(self):
        """§6 … §9, printed after the outcome indicators."""
        sections = self.narrative_sections
        return [sections[key] for key in ("002.6", "002.7", "002.8", "002.9")]

    carried_over_note = CARRIED_OVER_NOTE

    # ---- §3 -----------------------------------------------------------------------------------

    def _options(self, options, stored_id):
        """(id, label) of a list, plus the option stored on the row when the list no longer has it."""
        choices = [(o.pk, o.label) for o in options]
        if stored_id is not None and stored_id not in {o.pk for o in options}:
            stored = self.state.stored_options.get(stored_id)
            if stored is not None:
                choices.append((stored.pk, stored.label))
        return choices

    def _add_program_fields(self) -> None:
        state, fields = self.state, self.main.fields
        current = {row.program_id: row for row in state.data.program_evaluations}
        for row in self.ctx.program_rows:
            pk, program = row.program.pk, f"{row.code} {row.name}"
            stored = current[pk]
            default = state.default_directions.get(pk)
            blank = gettext("個表どおり（%(label)s）") % {"label": default.label} if default else "―"
            specs = (
                (
                    "program_evaluation",
                    _("事業評価"),
                    blank,
                    state.direction_options,
                    stored.program_evaluation_id,
                ),
                ("contribution", _("貢献度"), "―", state.contribution_options, stored.contribution_id),
                (
                    "final_evaluation",
                    _("最終評価"),
                    CHOOSE,
                    state.direction_options,
                    stored.final_evaluation_id,
                ),
            )
            for prefix, label, blank_label, options, stored_id in specs:
                name = f"{prefix}_{pk}"
                fields[name] = forms.TypedChoiceField(
                    label=f"{program} {label}",
                    coerce=int,
                    empty_value=None,
                    required=prefix == "final_evaluation",
                    choices=[("", blank_label), *self._options(options, stored_id)],
                    initial=stored_id,
                    error_messages={
                        "required": gettext("%(program)s: 最終評価を選択してください。")
                        % {"program": program}
                    },
                )
                fields[name].widget.attrs["aria-label"] = f"{program} {label}"
                self._summary_labels[name] = str(SECTION_3)

    @property
    def program_rows(self):
        """(printed row, 事業評価, 貢献度, 最終評価) per program linked in S."""
        return [
            (
                row,
                self.main[f"program_evaluation_{row.program.pk}"],
                self.main[f"contribution_{row.program.pk}"],
                self.main[f"final_evaluation_{row.program.pk}"],
            )
            for row in self.ctx.program_rows
        ]

    # ---- header -------------------------------------------------------------------------------

    @property
    def sheet_date_label(self) -> str:
        """作成日 in 和暦 as printed: of the typed date after a post, else of the stored one."""
        if self.is_bound and self.main.is_valid() and "sheet_date" in self.main.cleaned_data:
            typed = self.main.cleaned_data["sheet_date"]
            return date_label(typed) if typed else ""
        return self.ctx.sheet_date_label

    # ---- validation and input -----------------------------------------------------------------

    def is_valid(self) -> bool:
        return all([self.main.is_valid(), self.signatories.is_valid()])

    @property
    def expected_version(self) -> int:
        return self.main.cleaned_data["version"]

    def to_input(self) -> PolicySheetInput:
        data = self.main.cleaned_data
        signatories = tuple(
            SignatoryInput(
                org_unit_id=form.cleaned_data["org_unit"],
                title=form.cleaned_data["title"],
                person_name=form.cleaned_data["person_name"],
                pk=form.cleaned_data.get("pk"),
            )
            for _index, form in self.signatories.live_forms()
        )
        return PolicySheetInput(
            sheet_date=data["sheet_date"],
            signatories=signatories,
            # Only the texts shown on the page; a department added in this post gets its fields next time.
            narratives={
                (key, entry.department.pk): data[_narrative_name(key, entry.department.pk)]
                for key, section in self.ctx.narratives.items()
                for entry in section.entries
            },
            program_evaluations=tuple(
                ProgramEvaluationInput(
                    program_id=row.program.pk,
                    program_evaluation_id=data[f"program_evaluation_{row.program.pk}"],
                    contribution_id=data[f"contribution_{row.program.pk}"],
                    final_evaluation_id=data[f"final_evaluation_{row.program.pk}"],
                )
                for row in self.ctx.program_rows
            ),
        )

    def add_save_error(self, error: ValidationError) -> None:
        """Show an error the service raised.

        After a stale save the form carries the stored version: the editor has been told, keeps
        everything typed, and may save again after comparing (an informed overwrite, never a silent one).
        """
        if isinstance(error, services.StaleSheetError):
            self.stale_message = error.messages[0]
            data = self.main.data.copy()
            data[self.main.add_prefix("version")] = str(error.sheet.version)
            self.main.data = data
            return
        for message in error.messages:
            self.main.add_error(None, message)

    def error_summary(self) -> list[SummaryItem]:
        """Every error of the page in the printed order, each linking to its field."""
        if not self.is_bound:
            return []
        items = [SummaryItem("", str(message)) for message in self.main.non_field_errors()]
        for name, errors in self.main.errors.items():
            if name == "__all__":
                continue
            bound = self.main[name]
            label = self._summary_labels.get(name, str(bound.label))
            items.extend(SummaryItem(label, str(message), bound.auto_id) for message in errors)
        section = gettext("評価者")
        items.extend(SummaryItem(section, str(message)) for message in self.signatories.non_form_errors())
        for index, form in enumerate(self.signatories.forms):
            if self.signatories._should_delete_form(form):
                continue
            label = gettext("%(section)s %(row)d行目") % {"section": section, "row": index + 1}
            for name, errors in form.errors.items():
                bound = form[name] if name != "__all__" else None
                items.extend(
                    SummaryItem(
                        f"{label} {bound.label}" if bound else label,
                        str(message),
                        bound.auto_id if bound else "",
                    )
                    for message in errors
                )
        return items

    def template_context(self) -> dict:
        return {"form": self, "sheet": self.ctx.sheet, "ctx": self.ctx, "summary": self.error_summary()}
