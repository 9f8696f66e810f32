"""Loads the Kamakura policy-sheet demo (行政評価シート（施策の方針）, fixtures/demo/kamakura_policy.json).

Runs after the Kamakura 個表 demo (it reuses that organisation, plan, units and the programs
健福-17 / 健福-18 / 健福-05) and is keyed on natural keys, so loading twice changes nothing.

Money rule of the demo: programs marked ``existing`` keep their own sub-program costs and staffing;
the others store only their published FY2024 totals (CostRecord(settlement).amount = 事業費 and
ProgramYear.personnel_cost_override = 人件費 with a reason). The §2 totals of earlier years are stored
on the policy node (CostRecord(policy_node=…)) and print only for a year where no linked program has
cost data (``sheets.selectors.policy_sheet``).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from django.db import transaction

from indicators.choices import CostBasis, IndicatorKind, ValueStatus
from indicators.models import CostRecord, Indicator, IndicatorValue
from sheets.choices import CONTRIBUTION, DIRECTION, AdministrativeCategory, FormType, ProgramKind
from sheets.demo import FIXTURES, _decimal, global_option
from sheets.models import (
    EvaluationSheet,
    NarrativeBlock,
    Organization,
    OrgUnit,
    PolicyNode,
    PolicyNodeItem,
    Program,
    ProgramPolicyEvaluation,
    ProgramPolicyLink,
    ProgramYear,
    SheetSignatory,
)

POLICY_FILE = FIXTURES / "demo" / "kamakura_policy.json"


def _program(org, node, spec, departments, link_years, reason) -> Program:
    if spec.get("existing"):
        program = Program.objects.get(organization=org, kind=ProgramKind.PROGRAM, code=spec["code"])
    else:
        program, _ = Program.objects.update_or_create(
            organization=org,
            kind=ProgramKind.PROGRAM,
            code=spec["code"],
            valid_from_fy=None,
            defaults={"name": spec["name"], "owner_unit": departments[spec["department"]]},
        )
        ProgramYear.objects.update_or_create(
            program=program,
            fiscal_year=2024,
            defaults={
                "administrative_category": AdministrativeCategory.STATUTORY_ENTRUSTED
                if spec["statutory_entrusted"]
                else AdministrativeCategory.AUTONOMOUS,
                "personnel_cost_override": _decimal(spec["fy2024_personnel_cost"]),
                "personnel_override_reason": reason,
            },
        )
        CostRecord.objects.update_or_create(
            program=program,
            fiscal_year=2024,
            basis=CostBasis.SETTLEMENT,
            defaults={"amount": _decimal(spec["fy2024_project_cost"])},
        )
    for fy in link_years:
        ProgramPolicyLink.objects.update_or_create(
            program=program, fiscal_year=fy, is_primary=True, defaults={"policy_node": node}
        )
    return program


def _indicator(org, node, spec, order) -> Indicator:
    indicator, _ = Indicator.objects.update_or_create(
        organization=org,
        policy_node=node,
        kind=IndicatorKind.OUTCOME,
        name=spec["name"],
        defaults={
            "unit": spec["unit"],
            "decimals": spec["decimals"],
            "polarity": spec["polarity"],
            "achievement_method": spec["achievement_method"],
            "cumulative_mode": spec["cumulative_mode"],
            "baseline_value": _decimal(spec["baseline_value"]),
            "baseline_label": spec["baseline_label"],
            "source_text": spec["source_text"],
            "plan_tag": spec["plan_tag"],
            "remark": spec["remark"],
            "order": order,
        },
    )
    for value in spec["values"]:
        number = value.get("value")
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            fiscal_year=value["fiscal_year"],
            value_type=value["value_type"],
            defaults={
                "value": _decimal(number),
                "status": value.get("status", ValueStatus.OK),
                "raw_text": value.get("raw_text", "" if number is None else str(number)),
            },
        )
    return indicator


@transaction.atomic
def kamakura_policy_demo_load(path: Path = POLICY_FILE) -> EvaluationSheet:
    """The 4-(1)-① policy sheet of 令和7年度 with its 37 linked programs (idempotent)."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    org = Organization.objects.get(lg_code=spec["organization"])
    node = PolicyNode.objects.get(plan__organization=org, plan__name=spec["plan"], code=spec["policy_node"])
    departments = {
        u.name: u for u in OrgUnit.objects.filter(organization=org, kind="department", parent__isnull=True)
    }
    for item in spec["items"]:
        PolicyNodeItem.objects.update_or_create(
            policy_node=node,
            no=item["no"],
            defaults={"title": item["title"], "description": item["description"]},
        )
    for cost in spec["policy_costs"]:
        CostRecord.objects.update_or_create(
            policy_node=node,
            fiscal_year=cost["fiscal_year"],
            basis=cost["basis"],
            defaults={"amount": _decimal(cost["amount"]), "personnel_cost": _decimal(cost["personnel_cost"])},
        )
    for order, ind_spec in enumerate(spec["indicators"], start=1):
        _indicator(org, node, ind_spec, order)

    sheet_spec = spec["sheet"]
    sheet, _ = EvaluationSheet.objects.update_or_create(
        organization=org,
        form_type=FormType.KAMAKURA_POLICY,
        evaluation_fy=sheet_spec["evaluation_fy"],
        policy_node=node,
        defaults={"sheet_date": datetime.date.fromisoformat(sheet_spec["sheet_date"])},
    )
    for order, sig in enumerate(sheet_spec["signatories"], start=1):
        SheetSignatory.objects.update_or_create(
            sheet=sheet,
            order=order,
            defaults={
                "title": sig["title"],
                "person_name": sig["person_name"],
                "org_unit": departments[sig["org_unit"]],
            },
        )
    for section_key, texts in sheet_spec["narratives"].items():
        for order, (department, text) in enumerate(texts.items(), start=1):
            NarrativeBlock.objects.update_or_create(
                sheet=sheet,
                section_key=section_key,
                org_unit=departments[department],
                sub_program=None,
                column_key="",
                defaults={"text": text, "order": order},
            )
    for program_spec in spec["programs"]:
        program = _program(
            org, node, program_spec, departments, spec["link_years"], spec["personnel_override_reason"]
        )
        ProgramPolicyEvaluation.objects.update_or_create(
            sheet=sheet,
            program=program,
            defaults={
                "order": program_spec["order"],
                # A program with a 個表 shows that sheet's direction unless evaluated differently here.
                "program_evaluation": None
                if program_spec.get("existing")
                else global_option(DIRECTION, program_spec["program_evaluation"]),
                "contribution": global_option(CONTRIBUTION, program_spec["contribution"]),
                "final_evaluation": global_option(DIRECTION, program_spec["final_evaluation"]),
            },
        )
    return sheet
