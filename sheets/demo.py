"""Loads the reference choice lists and a demo municipality from the JSON files in fixtures/.

Everything is keyed on natural keys (codes, names, fiscal years), so loading twice changes nothing.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from benchmarks.models import BenchmarkComparison, BenchmarkEntry
from benchmarks.services import benchmark_entry_save
from hikikomori_eval.numbers import normalize_width
from indicators.choices import IndicatorKind
from indicators.models import (
    CostRecord,
    FundingLine,
    Indicator,
    IndicatorValue,
    PersonnelUnitCost,
    StaffAllocation,
    StaffCategory,
)
from sheets.choices import DIRECTION, FormType, ProgramKind
from sheets.models import (
    ChoiceOption,
    ChoiceSet,
    EvaluationSheet,
    Membership,
    Organization,
    OrgUnit,
    Plan,
    PolicyLevel,
    PolicyNode,
    Program,
    ProgramPolicyLink,
    ProgramRelatedUnit,
    ProgramSheet,
    ProgramYear,
    SheetSignatory,
    SizeClass,
    SubProgramEvaluation,
    ViewpointAnswer,
    ViewpointQuestion,
)

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
CHOICES_FILE = FIXTURES / "choices.json"
DEMO_FILE = FIXTURES / "demo" / "kamakura.json"


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _options(choice_set: ChoiceSet, options: list[dict], parent: ChoiceOption | None = None) -> None:
    for order, option in enumerate(options, start=1):
        saved, _ = ChoiceOption.objects.update_or_create(
            choice_set=choice_set,
            code=option["code"],
            defaults={
                "label": option["label"],
                "parent": parent,
                "order": order,
                "observed": option.get("observed", True),
                "category": option.get("category", ""),
                "ratio_min": _decimal(option.get("ratio_min")),
            },
        )
        _options(choice_set, option.get("children", []), parent=saved)


@transaction.atomic
def choices_load(path: Path = CHOICES_FILE) -> None:
    """Global choice lists (今後の方針, 貢献度 …)."""
    for spec in json.loads(path.read_text(encoding="utf-8"))["choice_sets"]:
        choice_set, _ = ChoiceSet.objects.update_or_create(
            key=spec["key"], organization=None, valid_from_fy=2000, defaults={"label": spec["label"]}
        )
        _options(choice_set, spec["options"])


def _organization(spec: dict, size_classes: dict) -> Organization:
    prefecture = _organization(spec["prefecture"], size_classes) if "prefecture" in spec else None
    org, _ = Organization.objects.update_or_create(
        lg_code=spec["lg_code"],
        defaults={
            "name": spec["name"],
            "kind": spec["kind"],
            "prefecture": prefecture,
            # A spec without them keeps what the registry (or an administrator) set.
            **({"size_class": size_classes.get(spec["size_class"])} if "size_class" in spec else {}),
            **({"population": spec["population"]} if "population" in spec else {}),
        },
    )
    org.full_clean()
    return org


def _units(org: Organization, specs: list[dict], parent: OrgUnit | None = None) -> dict[str, OrgUnit]:
    units = {}
    for order, spec in enumerate(specs, start=1):
        unit, _ = OrgUnit.objects.update_or_create(
            organization=org,
            parent=parent,
            name=spec["name"],
            defaults={
                "kind": spec["kind"],
                "code_prefix": spec.get("code_prefix", ""),
                "head_title": spec.get("head_title", ""),
                "phone": spec.get("phone", ""),
                "order": order,
            },
        )
        units[unit.name] = unit
        units.update(_units(org, spec.get("children", []), parent=unit))
    return units


def global_option(key: str, code: str | None) -> ChoiceOption | None:
    """An option of a global choice list by its code (None for no code)."""
    if not code:
        return None
    return ChoiceOption.objects.get(choice_set__key=key, choice_set__organization__isnull=True, code=code)


def plan_load(
    org: Organization, spec: dict, units: dict[str, OrgUnit] | None = None
) -> dict[str, PolicyNode]:
    """A plan with its levels and policy tree; nodes are returned under their code and their name.

    Nodes with a code are keyed on it (４-(1)-① and 4-(1)-① are one node); nodes without one (such
    as 施策の小項目) on their parent and name.
    """
    units = units or {}
    plan, _ = Plan.objects.update_or_create(
        organization=org,
        name=spec["name"],
        defaults={"kind": spec["kind"], "start_fy": spec["start_fy"], "end_fy": spec["end_fy"]},
    )
    levels = [
        PolicyLevel.objects.update_or_create(plan=plan, depth=depth, defaults={"label": label})[0]
        for depth, label in enumerate(spec["levels"], start=1)
    ]
    nodes: dict[str, PolicyNode] = {}

    def add(node_specs, parent, depth):
        for order, node_spec in enumerate(node_specs, start=1):
            code_raw = node_spec.get("code_raw", node_spec.get("code", ""))
            defaults = {
                "code_raw": code_raw,
                "parent": parent,
                "level": levels[depth - 1],
                "name": node_spec["name"],
                "vision_text": node_spec.get("vision_text", ""),
                "direction_text": node_spec.get("direction_text", ""),
                "purpose_text": node_spec.get("purpose_text", ""),
                "target_items": node_spec.get("target_items", []),
                "means_items": node_spec.get("means_items", []),
                "lead_unit": units.get(node_spec.get("lead_unit")),
                "order": order,
            }
            if code_raw:
                node, _ = PolicyNode.objects.update_or_create(
                    plan=plan, code=normalize_width(code_raw), defaults=defaults
                )
                nodes[node.code] = node
            else:
                node, _ = PolicyNode.objects.update_or_create(
                    plan=plan, parent=parent, name=node_spec["name"], code="", defaults=defaults
                )
            nodes[node.name] = node
            if "related_units" in node_spec:
                node.related_units.set([units[name] for name in node_spec["related_units"]])
            add(node_spec.get("children", []), node, depth + 1)

    add(spec["nodes"], None, 1)
    return nodes


def _viewpoints(org: Organization, specs: list[dict]) -> dict[str, ViewpointQuestion]:
    questions = {}
    for order, spec in enumerate(specs, start=1):
        choice_set = None
        if "options" in spec:
            choice_set, _ = ChoiceSet.objects.update_or_create(
                key=f"KMK_VP_{spec['key'].upper()}",
                organization=org,
                valid_from_fy=2000,
                defaults={"label": f"視点別評価: {spec['text']}"},
            )
            _options(choice_set, spec["options"])
        question, _ = ViewpointQuestion.objects.update_or_create(
            organization=org,
            key=spec["key"],
            valid_from_fy=2000,
            defaults={
                "viewpoint": spec["viewpoint"],
                "text": spec["text"],
                "choice_set": choice_set,
                "order": order,
                "free_text_required_for": spec.get("free_text_for", ""),
            },
        )
        questions[question.key] = question
    return questions


def _indicator(org, program, kind, spec, order) -> Indicator:
    indicator, _ = Indicator.objects.update_or_create(
        organization=org,
        program=program,
        kind=kind,
        name=spec["name"],
        defaults={
            "unit": spec.get("unit", ""),
            "decimals": spec.get("decimals", 0),
            "rationale": spec.get("rationale", ""),
            "order": order,
        },
    )
    for value in spec.get("values", []):
        IndicatorValue.objects.update_or_create(
            indicator=indicator,
            fiscal_year=value["fiscal_year"],
            value_type=value["value_type"],
            defaults={"value": _decimal(value["value"]), "raw_text": str(value["value"])},
        )
    return indicator


def _costs(program: Program, specs: list[dict]) -> None:
    for spec in specs:
        CostRecord.objects.update_or_create(
            program=program,
            fiscal_year=spec["fiscal_year"],
            basis=spec["basis"],
            defaults={"amount": _decimal(spec["amount"])},
        )


def _funding(program: Program, specs: list[dict]) -> None:
    for spec in specs:
        record, _ = CostRecord.objects.update_or_create(
            program=program, fiscal_year=spec["fiscal_year"], basis=spec["basis"], defaults={"amount": None}
        )
        for source_type, amount in spec["lines"].items():
            FundingLine.objects.update_or_create(
                cost_record=record, source_type=source_type, defaults={"amount": _decimal(amount)}
            )


def _program(org, spec, units, nodes, categories) -> Program:
    program, _ = Program.objects.update_or_create(
        organization=org,
        kind=ProgramKind.PROGRAM,
        code=normalize_width(spec["code"]),
        valid_from_fy=spec.get("valid_from_fy"),
        defaults={"name": spec["name"], "owner_unit": units[spec["owner_unit"]]},
    )
    for order, name in enumerate(spec.get("related_units", []), start=1):
        ProgramRelatedUnit.objects.update_or_create(
            program=program, org_unit=units[name], defaults={"order": order}
        )
    for fy in spec.get("link_years", []):
        ProgramPolicyLink.objects.update_or_create(
            program=program,
            fiscal_year=fy,
            is_primary=True,
            defaults={"policy_node": nodes[spec["policy_node"]]},
        )
    for year in spec.get("years", []):
        ProgramYear.objects.update_or_create(
            program=program,
            fiscal_year=year["fiscal_year"],
            defaults={k: v for k, v in year.items() if k != "fiscal_year"},
        )
    for order, sub_spec in enumerate(spec.get("sub_programs", []), start=1):
        sub, _ = Program.objects.update_or_create(
            organization=org,
            kind=ProgramKind.SUB_PROGRAM,
            parent=program,
            name=sub_spec["name"],
            defaults={
                "branch_no": sub_spec.get("branch_no"),
                "order": order,
                "owner_unit": program.owner_unit,
            },
        )
        ProgramYear.objects.update_or_create(
            program=sub,
            fiscal_year=spec["sheet"]["evaluation_fy"] - 1,
            defaults={"main_expenses": sub_spec.get("main_expenses", "")},
        )
        _costs(sub, sub_spec.get("costs", []))
        if "indicator" in sub_spec:
            _indicator(org, sub, IndicatorKind.ACTIVITY, sub_spec["indicator"], 1)
    _funding(program, spec.get("funding", []))
    for row in spec.get("staffing", []):
        StaffAllocation.objects.update_or_create(
            program=program,
            fiscal_year=row["fiscal_year"],
            category=categories[row["category"]],
            defaults={"fte": _decimal(row["fte"])},
        )
    for order, ind_spec in enumerate(spec.get("reference_indicators", []), start=1):
        _indicator(org, program, IndicatorKind.REFERENCE, ind_spec, order)
    return program


def _sheet(org, program, spec, units, questions, peers) -> EvaluationSheet:
    sheet, _ = EvaluationSheet.objects.get_or_create(
        organization=org,
        form_type=FormType.KAMAKURA_PROGRAM,
        evaluation_fy=spec["evaluation_fy"],
        program=program,
    )
    for order, sig in enumerate(spec.get("signatories", []), start=1):
        SheetSignatory.objects.update_or_create(
            sheet=sheet,
            order=order,
            defaults={
                "title": sig["title"],
                "person_name": sig["person_name"],
                "org_unit": units.get(sig.get("org_unit")),
            },
        )
    direction = global_option(DIRECTION, spec["direction"])
    ProgramSheet.objects.update_or_create(
        sheet=sheet,
        defaults={
            "activities_summary": spec.get("activities_summary", ""),
            "direction": direction,
            "direction_text": spec.get("direction_text", ""),
            "benchmark_rationale": spec.get("benchmark_rationale", ""),
        },
    )
    for sub_spec in spec.get("_sub_programs", []):
        SubProgramEvaluation.objects.update_or_create(
            sheet=sheet, sub_program=sub_spec["program"], defaults=sub_spec["evaluation"]
        )
    texts = spec.get("viewpoint_texts", {})
    for key, question in questions.items():
        code = spec.get("viewpoints", {}).get(key)
        option = question.choice_set.options.get(code=code) if code and question.choice_set else None
        ViewpointAnswer.objects.update_or_create(
            sheet=sheet, question=question, defaults={"option": option, "free_text": texts.get(key, "")}
        )
    for order, comparison_spec in enumerate(spec.get("benchmarks", []), start=1):
        comparison, _ = BenchmarkComparison.objects.update_or_create(
            sheet=sheet,
            order=order,
            defaults={
                "subject_text": comparison_spec["subject_text"],
                "reference_fy": comparison_spec.get("reference_fy"),
            },
        )
        for entry_order, entry_spec in enumerate(comparison_spec["entries"], start=1):
            entry = BenchmarkEntry.objects.filter(
                comparison=comparison, order=entry_order
            ).first() or BenchmarkEntry(comparison=comparison, order=entry_order)
            entry.organization = peers.get(entry_spec["org"])
            entry.org_name = entry_spec["org"]
            entry.is_self = entry_spec.get("is_self", False)
            entry.metric_label = entry_spec["metric_label"]
            entry.value_text = entry_spec["value_text"]
            benchmark_entry_save(entry=entry)
    return sheet


def _users(org, specs, password, units) -> None:
    User = get_user_model()
    for spec in specs:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={"last_name": spec.get("last_name", ""), "first_name": spec.get("first_name", "")},
        )
        if created:
            user.set_password(password)
        if spec.get("superuser"):
            user.is_staff = user.is_superuser = True
        user.save()
        Membership.objects.get_or_create(
            user=user, organization=org, org_unit=units.get(spec.get("org_unit")), role=spec["role"]
        )


def demo_is_loaded(path: Path = DEMO_FILE) -> bool:
    """Whether the demo organisations of ``path`` and of the other demos all have their sheets."""
    from sheets.demo_kunitachi import KUNITACHI_FILE
    from sheets.demo_okinawa import OKINAWA_FILE

    files = (path, OKINAWA_FILE, KUNITACHI_FILE)
    lg_codes = {json.loads(p.read_text(encoding="utf-8"))["organization"]["lg_code"] for p in files}
    loaded = set(
        EvaluationSheet.objects.filter(organization__lg_code__in=lg_codes).values_list(
            "organization__lg_code", flat=True
        )
    )
    return loaded == lg_codes


@transaction.atomic
def demo_load(path: Path = DEMO_FILE) -> Organization:
    """Every demo: 鎌倉市 (個表, 施策の方針), 沖縄県 (「主な取組」検証票) and 国立市 (施策マネジメントシート).

    Returns the municipality of ``path``. The policy sheet builds on the programs of the default
    Kamakura file, so it is loaded only with that file.
    """
    from benchmarks.demo import reference_data_load
    from sheets.demo_kunitachi import kunitachi_demo_load
    from sheets.demo_okinawa import okinawa_demo_load
    from sheets.demo_policy import kamakura_policy_demo_load

    org = kamakura_demo_load(path)
    if path == DEMO_FILE:
        kamakura_policy_demo_load()
    okinawa_demo_load()
    kunitachi_demo_load()
    reference_data_load()
    return org


@transaction.atomic
def kamakura_demo_load(path: Path = DEMO_FILE) -> Organization:
    """The demo municipality with its programs, sheets and users (idempotent)."""
    choices_load()
    spec = json.loads(path.read_text(encoding="utf-8"))
    size_classes = {
        s["code"]: SizeClass.objects.update_or_create(
            code=s["code"], defaults={"label": s["label"], "order": s["order"]}
        )[0]
        for s in spec.get("size_classes", [])
    }
    org = _organization(spec["organization"], size_classes)
    peers = {org.name: org}
    for peer in spec.get("peer_organizations", []):
        peers[peer["name"]] = _organization(
            {**peer, "prefecture": spec["organization"]["prefecture"]}, size_classes
        )
    units = _units(org, spec["units"])
    categories = {
        c["code"]: StaffCategory.objects.update_or_create(
            organization=org, code=c["code"], defaults={"label": c["label"], "order": c["order"]}
        )[0]
        for c in spec["staff_categories"]
    }
    for cost in spec["unit_costs"]:
        PersonnelUnitCost.objects.update_or_create(
            organization=org,
            fiscal_year=cost["fiscal_year"],
            category=categories[cost["category"]],
            defaults={"per_fte": _decimal(cost["per_fte"])},
        )
    nodes = plan_load(org, spec["plan"], units)
    questions = _viewpoints(org, spec["viewpoint_questions"])
    for program_spec in spec["programs"]:
        program = _program(org, program_spec, units, nodes, categories)
        subs = {s.name: s for s in program.children.all()}
        sheet_spec = {
            **program_spec["sheet"],
            "_sub_programs": [
                {"program": subs[s["name"]], "evaluation": s["evaluation"]}
                for s in program_spec.get("sub_programs", [])
            ],
        }
        _sheet(org, program, sheet_spec, units, questions, peers)
    _users(org, spec.get("users", []), spec["password"], units)
    return org
