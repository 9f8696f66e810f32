"""進捗状況: per department and form, how many sheets of a year are in each state, and which are untouched."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sheets.choices import FormType, OrgUnitKind, SheetStatus
from sheets.models import EvaluationSheet, OrgUnit

STATUSES = [s for s, _ in SheetStatus.choices]


@dataclass
class ProgressRow:
    department: str
    form_label: str
    counts: dict[str, int]
    not_started: list[EvaluationSheet] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def status_counts(self) -> list[int]:
        return [self.counts.get(s, 0) for s in STATUSES]


def _department_name(unit: OrgUnit | None, units: dict[int, OrgUnit]) -> str:
    while unit is not None and unit.kind != OrgUnitKind.DEPARTMENT and unit.parent_id in units:
        unit = units[unit.parent_id]
    return unit.name if unit else ""


def progress_overview(sheets, evaluation_fy: int) -> list[ProgressRow]:
    """Rows by organisation department and form for the visible ``sheets`` queryset (two queries).

    A sheet still at version 1 in 作成中 has never been saved: it is listed as 未着手.
    """
    year_sheets = list(
        sheets.filter(evaluation_fy=evaluation_fy).select_related(
            "organization", "program__owner_unit", "policy_node__lead_unit"
        )
    )
    units = {
        u.pk: u for u in OrgUnit.objects.filter(organization_id__in={s.organization_id for s in year_sheets})
    }
    rows: dict[tuple[str, str], ProgressRow] = {}
    forms = dict(FormType.choices)
    for sheet in year_sheets:
        owner = sheet.owner_unit
        department = _department_name(units.get(owner.pk) if owner else None, units)
        if len({s.organization_id for s in year_sheets}) > 1:
            department = f"{sheet.organization.name} {department}".strip()
        key = (department, sheet.form_type)
        row = rows.get(key) or rows.setdefault(
            key,
            ProgressRow(
                department=department, form_label=str(forms[sheet.form_type]), counts=defaultdict(int)
            ),
        )
        row.counts[sheet.status] += 1
        if sheet.status == SheetStatus.DRAFT and sheet.version == 1:
            row.not_started.append(sheet)
    return [rows[k] for k in sorted(rows)]


__all__ = ["STATUSES", "ProgressRow", "progress_overview"]
