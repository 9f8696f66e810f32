"""Loads the Okinawa demo (沖縄県「主な取組」検証票, fixtures/demo/okinawa.json) by natural keys."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from indicators.choices import AchievementMethod, CumulativeMode, IndicatorKind, ValueType
from indicators.models import BudgetProject, CostRecord, Indicator, IndicatorValue
from sheets.choices import (
    OKI_ACTION_TYPE,
    OKI_CHECK_TYPE,
    OKI_EXECUTION_METHOD,
    OKI_MAIN_FUNDING,
    OKI_PROGRESS,
    FormType,
    ProgramKind,
    SheetStatus,
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
    CheckFactor,
    EvaluationSheet,
    ImprovementPlan,
    ImprovementReflection,
    InitiativePlanYear,
    OkinawaInitiativeSheet,
    Organization,
    Program,
    ProgramPolicyLink,
    ProgramYear,
)

OKINAWA_FILE = FIXTURES / "demo" / "okinawa.json"


def _outcome_indicators(org, node_specs, nodes) -> dict[str, Indicator]:
    """The outcome indicators the plan spec hangs on its nodes (対応する成果指標)."""
    outcomes: dict[str, Indicator] = {}
    for node_spec in node_specs:
        node = nodes[node_spec["name"]]
        for order, ind_spec in enumerate(node_spec.get("outcome_indicators", []), start=1):
            outcomes[ind_spec["name"]] = Indicator.objects.update_or_create(
                organization=org,
                policy_node=node,
                kind=IndicatorKind.OUTCOME,
                name=ind_spec["name"],
                defaults={"unit": ind_spec.get("unit", ""), "order": order},
            )[0]
        outcomes.update(_outcome_indicators(org, node_spec.get("children", []), nodes))
    return outcomes


def _budget_projects(org, specs) -> dict[str, BudgetProject]:
    projects = {}
    for spec in specs:
        project, _ = BudgetProject.objects.get_or_create(organization=org, name=spec["name"])
        for cost in spec["costs"]:
            CostRecord.objects.update_or_create(
                budget_project=project,
                fiscal_year=cost["fiscal_year"],
                basis=cost["basis"],
                defaults={
                    "amount": _decimal(cost["amount"]),
                    "main_funding": global_option(OKI_MAIN_FUNDING, cost["main_funding"])
                    if cost.get("main_funding")
                    else None,
                    "execution_method": global_option(OKI_EXECUTION_METHOD, cost["execution_method"])
                    if cost.get("execution_method")
                    else None,
                },
            )
        projects[project.name] = project
    return projects


def _activity_indicator(org, program, spec, start_fy, parent=None, order=1) -> Indicator:
    indicator, _ = Indicator.objects.update_or_create(
        organization=org,
        program=program,
        parent=parent,
        kind=IndicatorKind.ACTIVITY,
        name=spec["name"],
        defaults={
            "unit": spec.get("unit", parent.unit if parent else ""),
            "achievement_method": AchievementMethod.RATIO_CAPPED,
            "display_cap": _decimal(1),
            "cumulative_mode": CumulativeMode.PLAN_PERIOD,
            "cumulative_start_fy": start_fy,
            "order": order,
        },
    )
    for value_type, key in ((ValueType.PLAN_SINGLE, "plan_single"), (ValueType.ACTUAL, "actual")):
        for fy, value in spec.get(key, {}).items():
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                fiscal_year=int(fy),
                value_type=value_type,
                defaults={"value": _decimal(value), "raw_text": str(value)},
            )
    for component_order, component in enumerate(spec.get("components", []), start=1):
        _activity_indicator(org, program, component, start_fy, parent=indicator, order=component_order)
    return indicator


def _rows(model, sheet, rows, type_field, key, **extra):
    """Replace a sheet's Check or Action rows with the fixture's (order = position)."""
    model.objects.filter(sheet=sheet, order__gt=len(rows)).delete()
    saved = []
    for order, (code, content) in enumerate(rows, start=1):
        saved.append(
            model.objects.update_or_create(
                sheet=sheet,
                order=order,
                defaults={type_field: global_option(key, code), "content": content, **extra},
            )[0]
        )
    return saved


def _initiative(org, spec, *, nodes, outcomes, projects, plan_spec, evaluation_fy) -> Program:
    s = evaluation_fy - 1
    program, _ = Program.objects.update_or_create(
        organization=org,
        kind=ProgramKind.INITIATIVE,
        name=spec["name"],
        defaults={
            "order": spec["order"],
            "owner_unit": nodes[spec["policy_node"]].lead_unit or nodes[spec["policy_node"]].parent.lead_unit,
        },
    )
    projects[spec["budget_project"]].programs.add(program)
    for fy in (s - 1, s):
        ProgramYear.objects.update_or_create(
            program=program,
            fiscal_year=fy,
            defaults={
                "content_text": spec["content_text"],
                "implementing_body": spec["implementing_body"],
                "outcome_indicator": outcomes[spec["outcome_indicator"]],
            },
        )
        ProgramPolicyLink.objects.update_or_create(
            program=program,
            fiscal_year=fy,
            is_primary=True,
            defaults={"policy_node": nodes[spec["policy_node"]]},
        )
    for fy in range(plan_spec["start_fy"], plan_spec["end_fy"] + 1):
        InitiativePlanYear.objects.update_or_create(
            program=program, fiscal_year=fy, defaults={"plan_text": spec["plan_text"]}
        )
    _activity_indicator(org, program, spec["indicator"], plan_spec["start_fy"])

    previous, _ = EvaluationSheet.objects.update_or_create(
        organization=org,
        form_type=FormType.OKINAWA_INITIATIVE,
        evaluation_fy=evaluation_fy - 1,
        program=program,
        defaults={"status": SheetStatus.APPROVED},
    )
    OkinawaInitiativeSheet.objects.get_or_create(sheet=previous)
    plans = _rows(
        ImprovementPlan, previous, spec["previous_plans"], "plan_type", OKI_ACTION_TYPE, target_fy=s
    )

    sheet, _ = EvaluationSheet.objects.get_or_create(
        organization=org, form_type=FormType.OKINAWA_INITIATIVE, evaluation_fy=evaluation_fy, program=program
    )
    texts = spec["sheet"]
    OkinawaInitiativeSheet.objects.update_or_create(
        sheet=sheet,
        defaults={
            "activity_overview": texts["activity_overview"],
            "activity_done": texts["activity_done"],
            "activity_plan": texts["activity_plan"],
            "progress_status": global_option(OKI_PROGRESS, texts["progress_status"]),
            "status_basis": texts["status_basis"],
        },
    )
    _rows(CheckFactor, sheet, texts["check"], "factor_type", OKI_CHECK_TYPE)
    _rows(ImprovementPlan, sheet, texts["action"], "plan_type", OKI_ACTION_TYPE, target_fy=evaluation_fy)
    for order, (plan, reflection) in enumerate(zip(plans, texts["reflections"], strict=True), start=1):
        ImprovementReflection.objects.update_or_create(
            sheet=sheet,
            source_plan=plan,
            defaults={"plan_text": plan.content, "reflection_text": reflection, "order": order},
        )
    return program


@transaction.atomic
def okinawa_demo_load(path: Path = OKINAWA_FILE) -> Organization:
    """沖縄県 with 施策 ③ひきこもり支援の推進, its three 主な取組 and their sheets of two years."""
    choices_load()
    spec = json.loads(path.read_text(encoding="utf-8"))
    org = _organization(spec["organization"], {})
    units = _units(org, spec["units"])
    nodes = plan_load(org, spec["plan"], units)
    outcomes = _outcome_indicators(org, spec["plan"]["nodes"], nodes)
    projects = _budget_projects(org, spec["budget_projects"])
    for initiative_spec in spec["initiatives"]:
        _initiative(
            org,
            initiative_spec,
            nodes=nodes,
            outcomes=outcomes,
            projects=projects,
            plan_spec=spec["plan"],
            evaluation_fy=spec["evaluation_fy"],
        )
    _users(org, spec.get("users", []), spec["password"], units)
    return org
