"""A sheet's audit history: every change to the rows it prints, with user, time and before/after.

One query per audited model, whatever the number of changes: the historical rows of the sheet's own
records and of its subject's data (program and sub-programs, or policy node and its 展開方向) are read
in order and each compared with the previous version of the same row in Python.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from benchmarks.models import BenchmarkComparison, BenchmarkEntry, BenchmarkMetricValue
from indicators.models import CostRecord, FundingLine, Indicator, IndicatorValue, StaffAllocation
from sheets.models import (
    CheckFactor,
    ChoiceOption,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    NarrativeBlock,
    OkinawaInitiativeSheet,
    PolicyManagementSheet,
    Program,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    ProgramSheet,
    ProgramYear,
    SheetSignatory,
    SheetTransition,
    SubProgramEvaluation,
    ViewpointAnswer,
)

#: Bookkeeping fields that change on every save, and the link back to the sheet: they say nothing to a reader.
IGNORED_FIELDS = {"id", "updated_at", "version", "updated_by", "frozen_values", "sheet"}
CHANGE_TYPES = {"+": "追加", "~": "変更", "-": "削除"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    user: str
    model: str
    object: str
    change_type: str
    changes: tuple[FieldChange, ...]

    @property
    def change_label(self) -> str:
        return CHANGE_TYPES.get(self.change_type, self.change_type)


def _sheet_rows(sheet: EvaluationSheet) -> list[tuple[type, Q]]:
    by_sheet = Q(sheet_id=sheet.pk)
    rows = [
        (EvaluationSheet, Q(id=sheet.pk)),
        *(
            (model, by_sheet)
            for model in (
                SheetSignatory,
                NarrativeBlock,
                ProgramSheet,
                SubProgramEvaluation,
                ViewpointAnswer,
                ProgramPolicyEvaluation,
                PolicyManagementSheet,
                OkinawaInitiativeSheet,
                CheckFactor,
                ImprovementPlan,
                ImprovementReflection,
            )
        ),
    ]
    if sheet.program_id:
        programs = [
            sheet.program_id,
            *Program.objects.filter(parent_id=sheet.program_id).values_list("pk", flat=True),
        ]
        indicators = Indicator.objects.filter(program_id__in=programs).values_list("pk", flat=True)
        rows += [
            (Program, Q(id__in=programs)),
            (ProgramYear, Q(program_id__in=programs)),
            (ProgramPolicyLink, Q(program_id__in=programs)),
            (Indicator, Q(program_id__in=programs)),
            (IndicatorValue, Q(indicator_id__in=list(indicators))),
            (CostRecord, Q(program_id__in=programs)),
            (StaffAllocation, Q(program_id__in=programs)),
        ]
        records = CostRecord.objects.filter(program_id__in=programs).values_list("pk", flat=True)
    else:
        nodes = [sheet.policy_node_id, *sheet.policy_node.children.values_list("pk", flat=True)]
        indicators = Indicator.objects.filter(policy_node_id__in=nodes).values_list("pk", flat=True)
        rows += [
            (Indicator, Q(policy_node_id__in=nodes)),
            (IndicatorValue, Q(indicator_id__in=list(indicators))),
            (CostRecord, Q(policy_node_id__in=nodes)),
        ]
        records = CostRecord.objects.filter(policy_node_id__in=nodes).values_list("pk", flat=True)
    rows.append((FundingLine, Q(cost_record_id__in=list(records))))
    # 他市比較: read through the history tables, so that deleted comparisons keep their trail.
    comparisons = set(BenchmarkComparison.history.filter(sheet_id=sheet.pk).values_list("id", flat=True))
    entries = set(BenchmarkEntry.history.filter(comparison_id__in=comparisons).values_list("id", flat=True))
    rows += [
        (BenchmarkComparison, Q(id__in=comparisons)),
        (BenchmarkEntry, Q(id__in=entries)),
        (BenchmarkMetricValue, Q(entry_id__in=entries)),
    ]
    return rows


def _text(value) -> str:
    return "" if value is None else str(value)


#: Fields that name a history row for a reader, in this order (never a query per row).
LABEL_FIELDS = (
    "code",
    "name",
    "section_key",
    "column_key",
    "fiscal_year",
    "value_type",
    "basis",
    "source_type",
)


def _value(row, field, options: dict[int, str]) -> str:
    value = getattr(row, field.attname)
    if value is None:
        return ""
    if field.is_relation and field.related_model.__name__ == "ChoiceOption":
        return options.get(value, f"#{value}")
    if field.choices:
        return _text(dict(field.flatchoices).get(value, value))
    return _text(value)


def _label(row, model) -> str:
    parts = []
    for name in LABEL_FIELDS:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - the model simply has no such field
            continue
        value = getattr(row, field.attname, None)
        if value not in (None, ""):
            parts.append(_text(dict(field.flatchoices).get(value, value)) if field.choices else _text(value))
    return " ".join(parts) or f"#{row.id}"


def _entries(model, condition: Q, since, options: dict[int, str]) -> list[HistoryEntry]:
    history = model.history.model
    fields = [f for f in model._meta.concrete_fields if f.name not in IGNORED_FIELDS]
    previous: dict[int, object] = {}
    entries = []
    for row in (
        history.objects.filter(condition)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    ):
        before = previous.get(row.id)
        previous[row.id] = row
        if since is not None and row.history_date <= since:
            continue
        if row.history_type == "~":
            changes = tuple(
                FieldChange(str(f.verbose_name), _value(before, f, options), _value(row, f, options))
                for f in fields
                if before is not None and getattr(before, f.attname) != getattr(row, f.attname)
            )
            if not changes:
                continue
        else:
            changes = tuple(
                FieldChange(str(f.verbose_name), "", _value(row, f, options))
                if row.history_type == "+"
                else FieldChange(str(f.verbose_name), _value(row, f, options), "")
                for f in fields
                if getattr(row, f.attname) not in (None, "")
            )
        user = row.history_user
        entries.append(
            HistoryEntry(
                at=row.history_date,
                user=(f"{user.last_name} {user.first_name}".strip() or user.get_username()) if user else "",
                model=str(model._meta.verbose_name),
                object=_label(row, model),
                change_type=row.history_type,
                changes=changes,
            )
        )
    return entries


def sheet_history(sheet: EvaluationSheet, *, since: datetime.datetime | None = None) -> list[HistoryEntry]:
    """Every recorded change to what the sheet prints, newest first (after ``since`` when given)."""
    options = {o.pk: f"{o.code} {o.label}" for o in ChoiceOption.objects.only("code", "label")}
    entries = []
    for model, condition in _sheet_rows(sheet):
        entries += _entries(model, condition, since, options)
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def sheet_transitions(sheet: EvaluationSheet):
    return SheetTransition.objects.filter(sheet=sheet).select_related("by").order_by("-at", "-id")


def version_saved_at(sheet: EvaluationSheet, version: int) -> datetime.datetime | None:
    """When the sheet reached ``version`` (the save the editor's page was built on)."""
    row = EvaluationSheet.history.filter(id=sheet.pk, version=version).order_by("history_date").first()
    return row.history_date if row else None


__all__ = ["FieldChange", "HistoryEntry", "sheet_history", "sheet_transitions", "version_saved_at"]
