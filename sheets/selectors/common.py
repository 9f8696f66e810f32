"""Reads shared by every sheet form: the sheet list, choice lists, checkbox rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from sheets.models import ChoiceOption, ChoiceSet, EvaluationSheet


def sheet_list(*, organization_ids=None, evaluation_fy: int | None = None):
    """評価シート一覧: sheets with their subject, newest year first."""
    qs = EvaluationSheet.objects.select_related("program__owner_unit", "policy_node", "organization")
    if organization_ids is not None:
        qs = qs.filter(organization_id__in=organization_ids)
    if evaluation_fy is not None:
        qs = qs.for_year(evaluation_fy)
    return qs


def sheet_years(*, organization_ids=None) -> list[int]:
    qs = EvaluationSheet.objects.all()
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


__all__ = ["Check", "choice_options", "sheet_list", "sheet_years"]
