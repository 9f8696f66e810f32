"""Loads the Kunitachi demo (施策マネジメントシート, fixtures/demo/kunitachi.json) by natural keys.

The FY2023 policy totals of the published sheet are stored as the costs of the 24 linked programs
(a split of this project's own that adds up exactly to them), so that the sheet's §3 is a real
roll-up: change one program's cost and the sheet changes.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from hikikomori_eval.numbers import parse_value
from indicators.choices import FundingSource, IndicatorKind, ValueType
from indicators.models import CostRecord, FundingLine, Indicator, IndicatorValue
from sheets.choices import (
    KNI_GOAL_GRADE,
    KNI_OVERALL_GRADE,
    KNI_TREND_GRADE,
    FormType,
    ProgramKind,
    SignatoryRole,
)
from sheets.demo import (
    FIXTURES,
    _decimal,
    _organization,
    _units,
    _users,
    choices_load,
    global_option,
    plan_load,
)
from sheets.models import (
    EvaluationSheet,
    NarrativeBlock,
    Organization,
    PolicyManagementSheet,
    Program,
    ProgramPolicyLink,
    SheetSignatory,
)

KUNITACHI_FILE = FIXTURES / "demo" / "kunitachi.json"


def _indicator(org, node, kind, spec, order) -> Indicator:
    indicator, _ = Indicator.objects.update_or_create(
        organization=org,
        policy_node=node,
        kind=kind,
        slot=spec["slot"],
        defaults={
            "name": spec["name"],
            "unit": spec.get("unit", ""),
            "decimals": spec.get("decimals", 0),
            "polarity": spec.get("polarity", "higher"),
            "source_text": spec.get("source_text", ""),
            "revision_note": spec.get("revision_note", ""),
            "order": order,
        },
    )
    for value_type, by_year in spec.get("values", {}).items():
        for fy, raw in by_year.items():
            parsed = parse_value(str(raw))
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                fiscal_year=int(fy),
                value_type=ValueType(value_type),
                defaults={"value": parsed.value, "status": parsed.status, "raw_text": str(raw)},
            )
    return indicator


def _program(org, spec, units, nodes, subject_fy) -> Program:
    program, _ = Program.objects.update_or_create(
        organization=org,
        kind=ProgramKind.PROGRAM,
        code=spec["code"],
        valid_from_fy=None,
        defaults={"name": spec["name"], "owner_unit": units[spec["owner_unit"]]},
    )
    ProgramPolicyLink.objects.update_or_create(
        program=program,
        fiscal_year=subject_fy,
        is_primary=True,
        defaults={"policy_node": nodes[f"12-{spec['direction']}"]},
    )
    for cost in spec["costs"]:
        record, _ = CostRecord.objects.update_or_create(
            program=program,
            fiscal_year=cost["fiscal_year"],
            basis=cost["basis"],
            defaults={
                "amount": _decimal(cost["amount"]),
                "work_hours": _decimal(cost.get("work_hours")),
                "personnel_cost": _decimal(cost.get("personnel_cost")),
            },
        )
        record.funding_lines.exclude(source_type__in=cost["funding"]).delete()
        for source, amount in cost["funding"].items():
            FundingLine.objects.update_or_create(
                cost_record=record, source_type=FundingSource(source), defaults={"amount": _decimal(amount)}
            )
    return program


@transaction.atomic
def kunitachi_demo_load(path: Path = KUNITACHI_FILE) -> Organization:
    """国立市 with 基本施策 12, its 展開方向, indicators, 24 linked programs and the FY2024 sheet."""
    choices_load()
    spec = json.loads(path.read_text(encoding="utf-8"))
    org = _organization(spec["organization"], {})
    units = _units(org, spec["units"])
    nodes = plan_load(org, spec["plan"], units)
    basic_policy = nodes["12"]
    evaluation_fy = spec["evaluation_fy"]
    for order, ind in enumerate(spec["object_indicators"], start=1):
        _indicator(org, basic_policy, IndicatorKind.OBJECT, ind, order)
    for order, ind in enumerate(spec["outcome_indicators"], start=1):
        _indicator(org, nodes[ind["direction"]], IndicatorKind.OUTCOME, ind, order)
    for program_spec in spec["programs"]:
        _program(org, program_spec, units, nodes, evaluation_fy - 1)

    sheet_spec = spec["sheet"]
    sheet, _ = EvaluationSheet.objects.get_or_create(
        organization=org,
        form_type=FormType.KUNITACHI_POLICY,
        evaluation_fy=evaluation_fy,
        policy_node=basic_policy,
    )
    lead = sheet_spec["lead"]
    SheetSignatory.objects.update_or_create(
        sheet=sheet,
        role=SignatoryRole.LEAD,
        defaults={
            "org_unit": units[lead["org_unit"]],
            "title": lead["title"],
            "person_name": lead["person_name"],
        },
    )
    PolicyManagementSheet.objects.update_or_create(
        sheet=sheet,
        defaults={
            "goal_grade": global_option(KNI_GOAL_GRADE, sheet_spec["goal_grade"]),
            "trend_grade": global_option(KNI_TREND_GRADE, sheet_spec["trend_grade"]),
            "grade_background": sheet_spec["grade_background"],
            "overall_grade": global_option(KNI_OVERALL_GRADE, sheet_spec["overall_grade"]),
        },
    )
    for block in sheet_spec["narratives"]:
        NarrativeBlock.objects.update_or_create(
            sheet=sheet,
            section_key=block["section"],
            column_key=block.get("column", ""),
            org_unit=None,
            sub_program=None,
            defaults={"text": block["text"]},
        )
    _users(org, spec.get("users", []), spec["password"], units)
    return org
