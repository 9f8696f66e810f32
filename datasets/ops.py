"""What a workbook asks to write, before it is compared with the database: one op per target row.

Both readers (the dataset workbook and the 個表 workbook) turn cells into these ops; the planner
(:mod:`datasets.planning`) compares them with the stored rows, validates them and applies them.
:class:`Resolver` finds the rows a sheet's natural keys name (団体コード, 事業番号, 枝番, 指標 …).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hikikomori_eval.numbers import ParsedValue, normalize_width
from indicators.choices import CostBasis, IndicatorKind, ValueType
from indicators.models import BudgetProject, Indicator
from sheets.choices import ProgramKind
from sheets.models import Organization, PolicyNode, Program

#: Keys per ``__in`` query of a bulk look-up (well under every backend's limit of parameters).
LOOKUP_CHUNK = 500

#: Marks of a true 暫定値 / flag cell besides ○.
_TRUE_MARKS = {"○", "〇", "◯", "1", "TRUE", "true", "はい", "✓", "✔", "Y", "y", "有"}


@dataclass(frozen=True)
class Cell:
    """Where a value came from: sheet, row, column letter and the column's header."""

    sheet: str
    row: int
    column: str
    header: str


@dataclass
class ValueOp:
    """One IndicatorValue (indicator × fiscal year × value type) as a workbook row gives it.

    ``provisional`` / ``note`` None: the workbook has no such column, keep what is stored.
    """

    cell: Cell
    indicator: Indicator
    fiscal_year: int
    value_type: str
    parsed: ParsedValue
    provisional: bool | None = None
    note: str | None = None
    provisional_cell: Cell | None = None
    note_cell: Cell | None = None


#: Field names of a CostOp: the record's own fields, or "line:<FundingSource>" for a funding line.
COST_FIELDS = ("amount", "work_hours", "personnel_cost")


@dataclass
class CostOp:
    """One CostRecord (owner × fiscal year × basis) with the fields the workbook gives for it."""

    owner: Program | PolicyNode | BudgetProject
    fiscal_year: int
    basis: str
    fields: dict[str, tuple[Decimal | None, Cell]] = field(default_factory=dict)
    row_cell: Cell | None = None

    @property
    def owner_key(self) -> tuple[str, int]:
        return (type(self.owner).__name__, self.owner.pk)


class ResolveError(Exception):
    """A key cell that names nothing (or more than one thing); the message is Japanese."""


def number_text(value) -> object:
    """A cell's value for :func:`parse_value`: numbers as plain decimal text (never 1e-05)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime | datetime.date):
        raise ValueError(_('数値ではありません（"%(value)s"）') % {"value": value})
    return value


def key_text(value) -> str:
    """A key cell as normalised text: full-width digits folded, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", normalize_width(str(value))).strip()


def flag_value(value) -> bool:
    return key_text(value) in _TRUE_MARKS or value is True


def _choice_map(choices) -> dict[str, str]:
    # Built once per choices and language, not once per row (the labels are lazy translations).
    return _choice_map_in(choices, get_language())


@functools.cache
def _choice_map_in(choices, language: str | None) -> dict[str, str]:
    found = {}
    for value, label in choices.choices:
        found[value] = value
        found[str(label)] = value
    return found


def value_type_code(text: str) -> str:
    code = _choice_map(ValueType).get(key_text(text))
    if code is None:
        raise ResolveError(_("値の種類「%(text)s」が分かりません（目標値・実績値など）") % {"text": text})
    return code


def basis_code(text: str) -> str:
    code = _choice_map(CostBasis).get(key_text(text))
    if code is None:
        raise ResolveError(
            _("区分「%(text)s」が分かりません（決算・決算見込・当初予算・予算）") % {"text": text}
        )
    return code


def indicator_kind_code(text: str) -> str:
    return _choice_map(IndicatorKind).get(key_text(text), "")


def chunked(items: Iterable, size: int = LOOKUP_CHUNK):
    """Slices of ``items`` (sorted, so that queries are the same from run to run)."""
    items = sorted(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class OwnerKey:
    """The key cells of a row that name its owner (raw cell values), for :meth:`Resolver.prefetch`."""

    org_code: object
    program_code: object
    names_sub_program: bool
    policy_code: object
    budget_project: object


class Resolver:
    """Finds organisations, programs, sub-programs, policy nodes, budget projects and indicators by key.

    Each lookup is cached; :meth:`prefetch` fills the caches for many rows with a few queries, so a
    workbook costs a few queries per chunk of rows, not some per row or per owner.
    """

    def __init__(self):
        self._orgs: dict[str, Organization | None] = {}
        self._programs: dict[tuple[int, str], list[Program]] = {}
        self._subs: dict[int, list[Program]] = {}
        self._nodes: dict[tuple[int, str], list[PolicyNode]] = {}
        self._budget: dict[tuple[int, str], list[BudgetProject]] = {}
        self._indicators: dict[tuple[str, int], list[Indicator]] = {}

    @staticmethod
    def _org_text(code) -> str:
        text = key_text(code)
        return text.zfill(6) if text.isdigit() else text

    def prefetch(self, keys: Iterable[OwnerKey], *, indicators: bool = False) -> None:
        """Fill the caches for the owners ``keys`` name (and their indicators), a query per kind.

        Only caches are filled, each key with exactly what its own look-up would have found: what
        the look-ups return or refuse is unchanged.
        """
        keys = list(keys)
        self._fetch_orgs({self._org_text(k.org_code) for k in keys} - self._orgs.keys())
        #: (organisation, code) of programs a row names itself, of programs whose 事務事業 it names.
        programs, parents, nodes, budgets = set(), set(), set(), set()
        for key in keys:
            org = self._orgs.get(self._org_text(key.org_code))
            if org is None:
                continue
            if text := key_text(key.program_code):
                (parents if key.names_sub_program else programs).add((org.pk, text))
            elif text := key_text(key.policy_code):
                nodes.add((org.pk, text))
            elif text := key_text(key.budget_project):
                budgets.add((org.pk, text))
        self._fetch_programs((programs | parents) - self._programs.keys())
        parent_ids = {p.pk for k in parents for p in self._programs[k]}
        self._fetch_subs(parent_ids - self._subs.keys())
        self._fetch_nodes(nodes - self._nodes.keys())
        self._fetch_budget(budgets - self._budget.keys())
        if indicators:
            owners = [p for k in programs for p in self._programs[k]]
            owners += [s for pk in parent_ids for s in self._subs[pk]]
            owners += [n for k in nodes for n in self._nodes[k]]
            self._fetch_indicators(owners)

    def _fetch_orgs(self, texts: set[str]) -> None:
        for chunk in chunked(texts):
            self._orgs.update(dict.fromkeys(chunk))
            # lg_code is unique: the one match is what .first() finds.
            self._orgs.update({o.lg_code: o for o in Organization.objects.filter(lg_code__in=chunk)})

    def _fetch_programs(self, keys: set[tuple[int, str]]) -> None:
        for chunk in chunked(keys):
            wanted = set(chunk)
            for key in chunk:
                self._programs[key] = []
            found = (
                Program.objects.filter(
                    organization_id__in={k[0] for k in chunk},
                    code__in={k[1] for k in chunk},
                    parent__isnull=True,
                )
                .exclude(kind=ProgramKind.SUB_PROGRAM)
                .select_related("organization", "owner_unit")
            )
            for program in found:
                # The query crosses the organisations with the codes: keep only the pairs asked for.
                if (key := (program.organization_id, program.code)) in wanted:
                    self._programs[key].append(program)

    def _fetch_subs(self, parent_ids: set[int]) -> None:
        for chunk in chunked(parent_ids):
            for pk in chunk:
                self._subs[pk] = []
            found = Program.objects.filter(parent_id__in=chunk, kind=ProgramKind.SUB_PROGRAM).select_related(
                "parent"
            )
            for sub in found:
                self._subs[sub.parent_id].append(sub)

    def _fetch_nodes(self, keys: set[tuple[int, str]]) -> None:
        for chunk in chunked(keys):
            wanted = set(chunk)
            for key in chunk:
                self._nodes[key] = []
            found = PolicyNode.objects.filter(
                plan__organization_id__in={k[0] for k in chunk}, code__in={k[1] for k in chunk}
            ).select_related("plan")
            for node in found:
                if (key := (node.plan.organization_id, node.code)) in wanted:
                    self._nodes[key].append(node)

    def _fetch_budget(self, keys: set[tuple[int, str]]) -> None:
        for chunk in chunked(keys):
            wanted = set(chunk)
            for key in chunk:
                self._budget[key] = []
            found = BudgetProject.objects.filter(
                organization_id__in={k[0] for k in chunk}, name__in={k[1] for k in chunk}
            )
            for project in found:
                if (key := (project.organization_id, project.name)) in wanted:
                    self._budget[key].append(project)

    def _fetch_indicators(self, owners: list[Program | PolicyNode]) -> None:
        wanted = {(type(o).__name__, o.pk) for o in owners} - self._indicators.keys()
        for kind, field_name in (("Program", "program_id"), ("PolicyNode", "policy_node_id")):
            for chunk in chunked(pk for k, pk in wanted if k == kind):
                for pk in chunk:
                    self._indicators[(kind, pk)] = []
                found = Indicator.objects.filter(**{f"{field_name}__in": chunk}).select_related(
                    "program__parent", "policy_node"
                )
                for indicator in found:
                    self._indicators[(kind, getattr(indicator, field_name))].append(indicator)

    def organization(self, code) -> Organization:
        text = self._org_text(code)
        if text not in self._orgs:
            self._orgs[text] = Organization.objects.filter(lg_code=text).first()
        org = self._orgs[text]
        if org is None:
            raise ResolveError(_("団体コード「%(code)s」の団体がありません") % {"code": text})
        return org

    def program(self, org: Organization, code, fiscal_year: int) -> Program:
        text = key_text(code)
        key = (org.pk, text)
        if key not in self._programs:
            self._programs[key] = list(
                Program.objects.filter(organization=org, code=text, parent__isnull=True)
                .exclude(kind=ProgramKind.SUB_PROGRAM)
                .select_related("organization", "owner_unit")
            )
        found = self._programs[key]
        if len(found) > 1:
            found = [
                p
                for p in found
                if (p.valid_from_fy is None or p.valid_from_fy <= fiscal_year)
                and (p.valid_to_fy is None or p.valid_to_fy >= fiscal_year)
            ]
        if len(found) != 1:
            raise ResolveError(
                (
                    _("事業番号「%(code)s」の事業がありません")
                    if not found
                    else _("事業番号「%(code)s」の事業を特定できません")
                )
                % {"code": text}
            )
        return found[0]

    def sub_program(self, program: Program, branch_no, name) -> Program:
        if program.pk not in self._subs:
            self._subs[program.pk] = list(
                Program.objects.filter(parent=program, kind=ProgramKind.SUB_PROGRAM).select_related("parent")
            )
        subs = self._subs[program.pk]
        branch, text = key_text(branch_no), key_text(name)
        found = (
            [s for s in subs if str(s.branch_no) == branch] if branch else [s for s in subs if s.name == text]
        )
        if len(found) != 1:
            label = branch or text
            raise ResolveError(
                _("事業「%(program)s」に事務事業「%(sub)s」がありません（または特定できません）")
                % {"program": program.code, "sub": label}
            )
        return found[0]

    def policy_node(self, org: Organization, code) -> PolicyNode:
        text = key_text(code)
        key = (org.pk, text)
        if key not in self._nodes:
            self._nodes[key] = list(PolicyNode.objects.filter(plan__organization=org, code=text))
        found = self._nodes[key]
        if len(found) != 1:
            raise ResolveError(_("施策番号「%(code)s」の施策を特定できません") % {"code": text})
        return found[0]

    def budget_project(self, org: Organization, name) -> BudgetProject:
        text = key_text(name)
        key = (org.pk, text)
        if key not in self._budget:
            self._budget[key] = list(BudgetProject.objects.filter(organization=org, name=text))
        found = self._budget[key]
        if len(found) != 1:
            raise ResolveError(_("予算事業「%(name)s」を特定できません") % {"name": text})
        return found[0]

    def indicators_of(self, owner: Program | PolicyNode) -> list[Indicator]:
        key = (type(owner).__name__, owner.pk)
        if key not in self._indicators:
            lookup = {"program": owner} if isinstance(owner, Program) else {"policy_node": owner}
            self._indicators[key] = list(
                Indicator.objects.filter(**lookup).select_related("program__parent", "policy_node")
            )
        return self._indicators[key]

    def indicator(self, owner: Program | PolicyNode, *, kind: str, slot, name) -> Indicator:
        candidates = self.indicators_of(owner)
        if kind:
            candidates = [i for i in candidates if i.kind == kind]
        slot_text, name_text = key_text(slot), key_text(name)
        if slot_text:
            by_slot = [i for i in candidates if key_text(i.slot) == slot_text]
            candidates = by_slot if by_slot else candidates
        found = [i for i in candidates if key_text(i.name) == name_text] if name_text else candidates
        if not found:
            raise ResolveError(
                _("指標「%(name)s」がありません（指標の追加は画面で行ってください）")
                % {"name": name_text or slot_text}
            )
        if len(found) > 1:
            raise ResolveError(
                _("指標「%(name)s」を特定できません（同じ名前の指標が複数あります）") % {"name": name_text}
            )
        return found[0]
