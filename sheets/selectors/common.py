"""Reads shared by every sheet form: the sheet list, choice lists, checkbox rows."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Subquery

from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.models import PersonnelUnitCost, StaffAllocation
from sheets.models import ChoiceOption, ChoiceSet, EvaluationSheet


def sheet_list(
    *,
    sheets=None,
    organization_ids=None,
    evaluation_fy: int | None = None,
    form_type: str = "",
    status: str = "",
    query: str = "",
):
    """評価シート一覧 with each subject, in organisation order; ``sheets`` is usually
    ``permissions.visible_sheets(user)``; ``query`` matches the number or the name of the subject."""
    qs = (EvaluationSheet.objects.all() if sheets is None else sheets).select_related(
        "program__owner_unit", "policy_node__lead_unit", "organization"
    )
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    if evaluation_fy is not None:
        qs = qs.for_year(evaluation_fy)
    if form_type:
        qs = qs.of_form(form_type)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(
            Q(program__code__icontains=query)
            | Q(program__name__icontains=query)
            | Q(policy_node__code__icontains=query)
            | Q(policy_node__name__icontains=query)
        )
    return qs.order_by("organization__lg_code", "form_type", "program__code", "policy_node__code", "id")


def sheet_years(*, sheets=None, organization_ids=None) -> list[int]:
    qs = EvaluationSheet.objects.all() if sheets is None else sheets
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    # DISTINCT in the database: an installation holds tens of thousands of sheets.
    return list(qs.order_by("-evaluation_fy").values_list("evaluation_fy", flat=True).distinct())


@dataclass(frozen=True)
class Check:
    """A checkbox row entry (■/□) as the form prints it."""

    label: str
    checked: bool


def choice_options(key: str, *, organization_id: int, fiscal_year: int):
    """Options of a choice list valid in a year; the organisation's own list wins over the global one.

    One query when evaluated: the list is chosen by a subquery (no list: no options).
    """
    choice_set = (
        ChoiceSet.objects.filter(key=key, valid_from_fy__lte=fiscal_year)
        .filter(Q(organization_id=organization_id) | Q(organization__isnull=True))
        .order_by(F("organization_id").desc(nulls_last=True), "-valid_from_fy")
        .values("pk")[:1]
    )
    return ChoiceOption.objects.filter(choice_set_id=Subquery(choice_set)).order_by("order", "code")


def choice_option_values(key: str, *fields: str, organization_id: int, fiscal_year: int) -> list[tuple]:
    """``choice_options(…).values_list(*fields)`` from a cheaper query, for a page that only prints them.

    The options of every candidate list come in one join without the subquery, and the list is picked
    here by the same rule: the organisation's own list before the global one, then the latest
    ``valid_from_fy`` (a list is unique per key, organisation and year).
    """
    rows = list(
        ChoiceOption.objects.filter(choice_set__key=key, choice_set__valid_from_fy__lte=fiscal_year)
        .filter(Q(choice_set__organization_id=organization_id) | Q(choice_set__organization__isnull=True))
        .order_by("order", "code")
        .values_list("choice_set__organization_id", "choice_set__valid_from_fy", *fields)
    )
    chosen = max(((org is not None, fy) for org, fy, *_ in rows), default=None)
    return [tuple(values) for org, fy, *values in rows if (org is not None, fy) == chosen]


def personnel_costs_for(
    programs, fiscal_years, program_years, *, allocations=None, unit_costs=None
) -> dict[tuple[int, int], Decimal | None]:
    """人件費 per (program id, year): FTE × unit cost, or the ProgramYear override with its reason.

    Two queries whatever the number of programs (one when ``allocations``, rows with ``program_id``,
    ``fiscal_year``, ``category_id`` and ``fte`` covering the programs and years, are given);
    ``program_years`` maps (program id, year) to the already-fetched ProgramYear (its
    ``personnel_cost_override`` wins). ``unit_costs``: the per-FTE costs by (organisation id, year,
    category id) of the programs' organisations in the years, when already read (one query less).
    """
    programs = list(programs)
    fiscal_years = list(fiscal_years)
    if allocations is None:
        # Plain rows without the default ordering (it joins the program and the organisation).
        allocations = (
            StaffAllocation.objects.filter(
                program_id__in=[p.pk for p in programs], fiscal_year__in=fiscal_years
            )
            .order_by()
            .values_list("program_id", "fiscal_year", "category_id", "fte", named=True)
        )
    by_key = defaultdict(list)
    for a in allocations:
        by_key[(a.program_id, a.fiscal_year)].append(a)
    if unit_costs is None:
        unit_costs = {
            (organization_id, fy, category_id): per_fte
            for organization_id, fy, category_id, per_fte in PersonnelUnitCost.objects.filter(
                organization_id__in={p.organization_id for p in programs}, fiscal_year__in=fiscal_years
            )
            .order_by()
            .values_list("organization_id", "fiscal_year", "category_id", "per_fte")
        }
    result = {}
    for program in programs:
        for fy in fiscal_years:
            py = program_years.get((program.pk, fy))
            result[(program.pk, fy)] = costs.personnel_cost(
                allocations=[
                    (a.fte, unit_costs.get((program.organization_id, fy, a.category_id)))
                    for a in by_key[(program.pk, fy)]
                ],
                override=py.personnel_cost_override if py else None,
            )
    return result


__all__ = [
    "Check",
    "choice_option_values",
    "choice_options",
    "personnel_costs_for",
    "sheet_list",
    "sheet_years",
]


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
