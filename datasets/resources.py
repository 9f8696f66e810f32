"""django-import-export resources of the simple dataset sheets (事業, 指標, 職員数, 評価シート, 最小事業評価).

Each resource is built from its :class:`~datasets.definitions.SheetSpec`, so its column names are the
definition's headers; a ``dehydrate_<column>`` method per column returns the native value (str, int,
Decimal, date, datetime, bool or None) that the xlsx and CSV writers format. The writers stream
rows through :meth:`DatasetResource.rows` (``iter_queryset`` + the column getters that
``export_resource`` calls), never ``Resource.export()``, which would build the whole table in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, partial

from django.utils.translation import get_language
from import_export import resources
from import_export.fields import Field

from datasets.definitions import (
    EVALUATIONS,
    INDICATORS,
    PROGRAMS,
    STAFFING,
    SUB_PROGRAM_EVALUATIONS,
    SheetSpec,
)
from datasets.selectors import CHUNK_SIZE, owner_cells
from hikikomori_eval.wareki import fy_label
from indicators.choices import AchievementMethod, CumulativeMode, IndicatorKind, Polarity
from indicators.models import Indicator, StaffAllocation
from sheets.choices import AdministrativeCategory, FormType, ProgramKind, SheetStatus
from sheets.models import EvaluationSheet, Program, SubProgramEvaluation


def _labels(choices) -> dict[str, str]:
    return _labels_in(choices, get_language())


@cache
def _labels_in(choices, language: str | None) -> dict[str, str]:
    # Once per choices and language: translating every label again for each row was a third of
    # the 指標 sheet's time.
    return {value: str(label) for value, label in choices.choices}


class DatasetResource(resources.ModelResource):
    """Base of the resources below; ``spec`` is the sheet the resource writes."""

    spec: SheetSpec

    def rows(self, queryset) -> Iterator[list]:
        # The column getters are looked up once, not once per cell as export_resource() does;
        # each is what export_field() would call, so a row is export_resource(force_native_type=True).
        getters = [self._getter(field) for field in self.get_export_fields()]
        for instance in self.iter_queryset(queryset):
            yield [get(instance) for get in getters]

    def _getter(self, field) -> Callable:
        method = field.get_dehydrate_method(self.get_field_name(field))
        if not callable(method):
            method = getattr(self, method, None)
        return method if method is not None else partial(field.export, force_native_type=True)


def _resource(spec: SheetSpec, model, base: type) -> type[DatasetResource]:
    """A ModelResource with one Field per column of ``spec`` (column name = the Japanese header)."""
    names = tuple(c.name for c in spec.columns)
    missing = [name for name in names if not hasattr(base, f"dehydrate_{name}")]
    if missing:
        raise TypeError(f"{base.__name__} has no dehydrate_ method for {missing}")
    attrs = {c.name: Field(column_name=c.header) for c in spec.columns}
    attrs["Meta"] = type(
        "Meta", (), {"model": model, "fields": names, "export_order": names, "chunk_size": CHUNK_SIZE}
    )
    attrs["spec"] = spec
    return type(f"{model.__name__}DatasetResource", (base,), attrs)


class _OwnerMixin:
    """団体・事業・施策 columns from :func:`datasets.selectors.owner_cells` (computed once per row)."""

    def _owner(self, obj) -> dict:
        cached = getattr(obj, "_dataset_owner", None)
        if cached is None:
            cached = obj._dataset_owner = owner_cells(obj.organization, obj.program, obj.policy_node)
        return cached

    def dehydrate_org_code(self, obj):
        return self._owner(obj).get("org_code")

    def dehydrate_org_name(self, obj):
        return self._owner(obj).get("org_name")

    def dehydrate_program_code(self, obj):
        return self._owner(obj).get("program_code")

    def dehydrate_branch_no(self, obj):
        return self._owner(obj).get("branch_no")

    def dehydrate_program_name(self, obj):
        return self._owner(obj).get("program_name")

    def dehydrate_sub_program_name(self, obj):
        return self._owner(obj).get("sub_program_name")

    def dehydrate_policy_code(self, obj):
        return self._owner(obj).get("policy_code")


class _ProgramColumns(DatasetResource):
    def dehydrate_org_code(self, obj):
        return obj.organization.lg_code

    def dehydrate_org_name(self, obj):
        return obj.organization.name

    def dehydrate_program_code(self, obj):
        return obj.parent.code if obj.parent_id else obj.code

    def dehydrate_branch_no(self, obj):
        return obj.branch_no if obj.kind == ProgramKind.SUB_PROGRAM else None

    def dehydrate_name(self, obj):
        return obj.name

    def dehydrate_kind(self, obj):
        return _labels(ProgramKind).get(obj.kind, obj.kind)

    def dehydrate_parent_name(self, obj):
        return obj.parent.name if obj.parent_id else ""

    def dehydrate_owner_unit(self, obj):
        return obj.owner_unit.name if obj.owner_unit_id else ""

    def dehydrate_valid_from_fy(self, obj):
        return obj.valid_from_fy

    def dehydrate_valid_to_fy(self, obj):
        return obj.valid_to_fy

    def dehydrate_administrative_category(self, obj):
        return _labels(AdministrativeCategory).get(obj.e_category, "") if obj.e_category else ""

    def dehydrate_is_priority(self, obj):
        return bool(obj.e_priority)

    def dehydrate_policy_code(self, obj):
        return obj.e_policy_code or ""


class _IndicatorColumns(_OwnerMixin, DatasetResource):
    def dehydrate_kind(self, obj):
        return _labels(IndicatorKind).get(obj.kind, obj.kind)

    def dehydrate_slot(self, obj):
        return obj.slot

    def dehydrate_name(self, obj):
        return obj.name

    def dehydrate_unit(self, obj):
        return obj.unit

    def dehydrate_decimals(self, obj):
        return obj.decimals

    def dehydrate_polarity(self, obj):
        return _labels(Polarity).get(obj.polarity, obj.polarity)

    def dehydrate_achievement_method(self, obj):
        return _labels(AchievementMethod).get(obj.achievement_method, obj.achievement_method)

    def dehydrate_display_cap(self, obj):
        return obj.display_cap

    def dehydrate_cumulative_mode(self, obj):
        return _labels(CumulativeMode).get(obj.cumulative_mode, obj.cumulative_mode)

    def dehydrate_cumulative_start_fy(self, obj):
        return obj.cumulative_start_fy

    def dehydrate_baseline_value(self, obj):
        return obj.baseline_value

    def dehydrate_baseline_label(self, obj):
        return obj.baseline_label

    def dehydrate_source_text(self, obj):
        return obj.source_text


class _StaffingColumns(DatasetResource):
    def dehydrate_org_code(self, obj):
        return obj.program.organization.lg_code

    def dehydrate_program_code(self, obj):
        return obj.program.parent.code if obj.program.parent_id else obj.program.code

    def dehydrate_program_name(self, obj):
        return obj.program.name

    def dehydrate_fiscal_year(self, obj):
        return obj.fiscal_year

    def dehydrate_fiscal_year_label(self, obj):
        return fy_label(obj.fiscal_year, "plain")

    def dehydrate_category(self, obj):
        return obj.category.label

    def dehydrate_fte(self, obj):
        return obj.fte


class _EvaluationColumns(DatasetResource):
    def dehydrate_org_code(self, obj):
        return obj.organization.lg_code

    def dehydrate_form_type(self, obj):
        return _labels(FormType).get(obj.form_type, obj.form_type)

    def dehydrate_evaluation_fy(self, obj):
        return obj.evaluation_fy

    def dehydrate_subject_fy(self, obj):
        return obj.subject_fy

    def dehydrate_subject_code(self, obj):
        return obj.subject.code

    def dehydrate_subject_name(self, obj):
        return obj.subject.name

    def dehydrate_owner_unit(self, obj):
        unit = obj.program.owner_unit if obj.program_id else obj.policy_node.lead_unit
        return unit.name if unit else ""

    def dehydrate_status(self, obj):
        return _labels(SheetStatus).get(obj.status, obj.status)

    def dehydrate_sheet_date(self, obj):
        return obj.sheet_date

    def dehydrate_locked_at(self, obj):
        return obj.locked_at

    def dehydrate_updated_at(self, obj):
        return obj.updated_at

    def _program_sheet(self, obj):
        return getattr(obj, "program_sheet", None) if obj.program_id else None

    def dehydrate_direction(self, obj):
        program_sheet = self._program_sheet(obj)
        return program_sheet.direction.label if program_sheet and program_sheet.direction_id else ""

    def dehydrate_direction_text(self, obj):
        program_sheet = self._program_sheet(obj)
        return program_sheet.direction_text if program_sheet else ""


class _SubProgramEvaluationColumns(DatasetResource):
    def dehydrate_org_code(self, obj):
        return obj.sheet.organization.lg_code

    def dehydrate_evaluation_fy(self, obj):
        return obj.sheet.evaluation_fy

    def dehydrate_program_code(self, obj):
        return obj.sheet.program.code if obj.sheet.program_id else ""

    def dehydrate_branch_no(self, obj):
        return obj.sub_program.branch_no

    def dehydrate_sub_program_name(self, obj):
        return obj.sub_program.name

    def dehydrate_indicator_analysis(self, obj):
        return obj.indicator_analysis

    def dehydrate_contribution_validity(self, obj):
        return obj.contribution_validity

    def dehydrate_issues_improvements(self, obj):
        return obj.issues_improvements


ProgramResource = _resource(PROGRAMS, Program, _ProgramColumns)
IndicatorResource = _resource(INDICATORS, Indicator, _IndicatorColumns)
StaffAllocationResource = _resource(STAFFING, StaffAllocation, _StaffingColumns)
EvaluationSheetResource = _resource(EVALUATIONS, EvaluationSheet, _EvaluationColumns)
SubProgramEvaluationResource = _resource(
    SUB_PROGRAM_EVALUATIONS, SubProgramEvaluation, _SubProgramEvaluationColumns
)

RESOURCES: dict[str, type[DatasetResource]] = {
    r.spec.slug: r
    for r in (
        ProgramResource,
        IndicatorResource,
        StaffAllocationResource,
        EvaluationSheetResource,
        SubProgramEvaluationResource,
    )
}
