"""Reads shared by every sheet form: the sheet list, choice lists, checkbox rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q

from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.models import PersonnelUnitCost, StaffAllocation
from sheets.models import ChoiceOption, ChoiceSet, EvaluationSheet


def sheet_list(*, sheets=None, organization_ids=None, evaluation_fy: int | None = None):
    """評価シート一覧 with each subject; ``sheets`` is usually ``permissions.visible_sheets(user)``."""
    qs = (EvaluationSheet.objects.all() if sheets is None else sheets).select_related(
        "program__owner_unit", "policy_node__lead_unit", "organization"
    )
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    if evaluation_fy is not None:
        qs = qs.for_year(evaluation_fy)
    return qs


def sheet_years(*, sheets=None, organization_ids=None) -> list[int]:
    qs = EvaluationSheet.objects.all() if sheets is None else sheets
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    return sorted(set(qs.values_list("evaluation_fy", flat=True)), reverse=True)


@dataclass(frozen=True)
class Check:
    """A checkbox row entry (■/□) as the form prints it."""

    label: str
    checked: bool


def choice_options(key: str, *, organization_id: int, fiscal_year: int):
    """Options of a choice list valid in a year; the organisation's own list wins over the global one."""
    choice_set = (
        ChoiceSet.objects.filter(key=key, valid_from_fy__lte=fiscal_year)
        .filter(Q(organization_id=organization_id) | Q(organization__isnull=True))
        .order_by(F("organization_id").desc(nulls_last=True), "-valid_from_fy")
        .first()
    )
    if choice_set is None:
        return ChoiceOption.objects.none()
    return choice_set.options.order_by("order", "code")


def personnel_costs_for(programs, fiscal_years, program_years) -> dict[tuple[int, int], Decimal | None]:
    """人件費 per (program id, year): FTE × unit cost, or the ProgramYear override with its reason.

    Two queries whatever the number of programs; ``program_years`` maps (program id, year) to the
    already-fetched ProgramYear (its ``personnel_cost_override`` wins).
    """
    programs = list(programs)
    fiscal_years = list(fiscal_years)
    allocations = defaultdict(list)
    for a in StaffAllocation.objects.filter(program__in=programs, fiscal_year__in=fiscal_years):
        allocations[(a.program_id, a.fiscal_year)].append(a)
    unit_costs = {
        (u.organization_id, u.fiscal_year, u.category_id): u.per_fte
        for u in PersonnelUnitCost.objects.filter(
            organization_id__in={p.organization_id for p in programs}, fiscal_year__in=fiscal_years
        )
    }
    result = {}
    for program in programs:
        for fy in fiscal_years:
            py = program_years.get((program.pk, fy))
            result[(program.pk, fy)] = costs.personnel_cost(
                allocations=[
                    (a.fte, unit_costs.get((program.organization_id, fy, a.category_id)))
                    for a in allocations[(program.pk, fy)]
                ],
                override=py.personnel_cost_override if py else None,
            )
    return result


__all__ = ["Check", "choice_options", "personnel_costs_for", "sheet_list", "sheet_years"]


class YearLabels:
    """S and E of a sheet context as the Kamakura forms print them (令和６年度, 令和７年度)."""

    subject_fy: int
    evaluation_fy: int

    @property
    def s_label(self) -> str:
        return fy_label(self.subject_fy, "long")

    @property
    def e_label(self) -> str:
        return fy_label(self.evaluation_fy, "long")
