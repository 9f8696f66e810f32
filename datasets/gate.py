"""Whether a user may change the rows of a program (or policy node) in a fiscal year.

The edit form's rule, applied row by row: ``can_edit_sheet`` on every sheet that shows the year
(evaluation year = year or year + 1), so a locked, submitted, approved or published sheet refuses
it, and so does a locked evaluation year (FiscalYear) even where no sheet exists yet. Without any
sheet, the rights are those over a draft sheet of the program (its owner unit's staff and
evaluators, the organisation's administrators). A policy node's rows are shown on the sheets of the
node and of the nodes above it (a 施策マネジメントシート prints its 展開方向' indicators).

A per-sheet workbook names its sheet: that sheet alone governs every row the workbook writes,
whatever the year (a submitted or locked sheet refuses them all), exactly as its edit page does —
an approved sheet of another year that shows the same year does not block it (locking the year
does) — and the 予算事業 it prints may be written through it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from datasets.ops import chunked
from hikikomori_eval.wareki import fy_label
from indicators.models import BudgetProject
from sheets.choices import ProgramKind, SheetStatus
from sheets.models import EvaluationSheet, FiscalYear, OrgUnit, PolicyNode, Program
from sheets.permissions import can_edit_sheet


class Gate:
    """Whether the user may change an owner's rows of a fiscal year (can_edit_sheet semantics)."""

    def __init__(self, user, *, sheet: EvaluationSheet | None = None, budget_projects=()):
        self.user = user
        #: The sheet of a per-sheet workbook: it governs every row the workbook writes.
        self.sheet = sheet
        self.budget_projects = set(budget_projects)
        self._sheets: dict[tuple[str, int], list[EvaluationSheet]] = {}
        #: The evaluation years a prefetch loaded the sheets of (None or absent: every year).
        self._sheet_years: dict[tuple[str, int], frozenset[int] | None] = {}
        self._locked_years: dict[int, set[int]] = {}
        #: The units of the prefetched organisations, parents linked: the rights over a program
        #: without a sheet walk its owner unit upwards (a query per unit and program otherwise).
        self._units: dict[int, OrgUnit] = {}
        #: problem() by (owner kind, root id, fiscal year): the checks are made once per program and year.
        self._problems: dict[tuple[str, int, int], str | None] = {}
        #: The editable sheets showing the rows that passed: their version goes up when applied.
        self.sheet_ids: set[int] = set()

    def _locked(self, organization_id: int) -> set[int]:
        """Evaluation years of the organisation that are locked (確定) as a whole."""
        if organization_id not in self._locked_years:
            self._locked_years[organization_id] = set(
                FiscalYear.objects.filter(
                    organization_id=organization_id, locked_at__isnull=False
                ).values_list("evaluation_fy", flat=True)
            )
        return self._locked_years[organization_id]

    def prefetch(self, rows) -> None:
        """Load the locked years and the sheets of many (owner, fiscal year) pairs at once, a query
        or two per chunk of programs instead of one per program: :meth:`problem` then finds them.

        Only the sheets that can show those years (E = year or year + 1) are loaded; a later look-up
        of another year loads all the program's sheets, as without this.
        """
        roots = {}
        years = set()
        for owner, fiscal_year in rows:
            if isinstance(owner, Program):
                root = self.root(owner)
                roots[root.pk] = root
                years.update((fiscal_year, fiscal_year + 1))
        organization_ids = {r.organization_id for r in roots.values()} - self._locked_years.keys()
        for chunk in chunked(organization_ids):
            for organization_id in chunk:
                self._locked_years[organization_id] = set()
            locked = FiscalYear.objects.filter(organization_id__in=chunk, locked_at__isnull=False)
            for organization_id, year in locked.values_list("organization_id", "evaluation_fy"):
                self._locked_years[organization_id].add(year)
        if self.sheet is not None:
            return  # the workbook's own sheet governs: no other sheet is looked at
        if not getattr(self.user, "is_superuser", False):  # a superuser's rights never look at units
            for chunk in chunked(organization_ids):
                self._units.update((u.pk, u) for u in OrgUnit.objects.filter(organization_id__in=chunk))
            for unit in self._units.values():
                if unit.parent_id in self._units and not OrgUnit.parent.is_cached(unit):
                    unit.parent = self._units[unit.parent_id]
        for chunk in chunked(roots.keys() - {pk for kind, pk in self._sheets if kind == "Program"}):
            for pk in chunk:
                self._sheets[("Program", pk)] = []
                self._sheet_years[("Program", pk)] = frozenset(years)
            # The model's ordering ends with id: each program's sheets keep the order of its own query.
            for sheet in EvaluationSheet.objects.filter(
                program_id__in=chunk, evaluation_fy__in=sorted(years)
            ).select_related("program__owner_unit__parent__parent", "policy_node__lead_unit__parent__parent"):
                self._sheets[("Program", sheet.program_id)].append(sheet)

    @staticmethod
    def root(owner):
        if isinstance(owner, Program) and owner.kind == ProgramKind.SUB_PROGRAM and owner.parent_id:
            return owner.parent
        return owner

    def _sheets_of(self, root, fiscal_year: int) -> list[EvaluationSheet]:
        """The root's sheets (all years, or at least those that show ``fiscal_year``)."""
        key = (type(root).__name__, root.pk)
        loaded = self._sheet_years.get(key)
        if key not in self._sheets or (loaded is not None and not {fiscal_year, fiscal_year + 1} <= loaded):
            self._sheet_years[key] = None
            lookup = {"program": root} if isinstance(root, Program) else {"policy_node__in": _lineage(root)}
            self._sheets[key] = list(
                EvaluationSheet.objects.filter(**lookup).select_related(
                    "program__owner_unit__parent__parent", "policy_node__lead_unit__parent__parent"
                )
            )
        return self._sheets[key]

    def problem(self, owner, fiscal_year: int) -> str | None:
        """Why the user may not change ``owner``'s rows of ``fiscal_year`` (None: they may)."""
        root = owner if isinstance(owner, BudgetProject) else self.root(owner)
        key = (type(root).__name__, root.pk, fiscal_year)
        if key not in self._problems:
            if isinstance(owner, BudgetProject):
                self._problems[key] = self._budget_problem(owner, fiscal_year)
            else:
                self._problems[key] = self._problem(root, fiscal_year)
        return self._problems[key]

    def _problem(self, root, fiscal_year: int) -> str | None:
        organization_id = root.organization_id if isinstance(root, Program) else root.plan.organization_id
        locked = sorted(self._locked(organization_id) & {fiscal_year, fiscal_year + 1})
        if locked:
            return _("%(year)sは確定済みのため変更できません") % {"year": fy_label(locked[0], "plain")}
        if self.sheet is not None:
            governing = [self.sheet]
        else:
            governing = [
                s
                for s in self._sheets_of(root, fiscal_year)
                if s.evaluation_fy in (fiscal_year, fiscal_year + 1)
            ]
        for sheet in governing:
            if not sheet.is_editable:
                return self._not_editable(sheet)
            if not can_edit_sheet(self.user, sheet):
                return _("この事業（%(code)s）を変更する権限がありません") % {"code": _name(root)}
        if not governing:
            probe = EvaluationSheet(organization_id=organization_id, status=SheetStatus.DRAFT)
            if isinstance(root, Program):
                if not Program.owner_unit.is_cached(root) and root.owner_unit_id in self._units:
                    root.owner_unit = self._units[root.owner_unit_id]  # the same row, loaded already
                probe.program = root
            else:
                probe.policy_node = root
            if not can_edit_sheet(self.user, probe):
                return _("この事業（%(code)s）を変更する権限がありません") % {"code": _name(root)}
        self.sheet_ids.update(s.pk for s in governing)
        return None

    @staticmethod
    def _not_editable(sheet: EvaluationSheet) -> str:
        state = _("確定済み") if sheet.locked_at else sheet.get_status_display()
        return _("%(year)sの評価シート（%(code)s）は%(state)sのため変更できません") % {
            "year": fy_label(sheet.evaluation_fy, "plain"),
            "code": _name(sheet.subject),
            "state": state,
        }

    def _budget_problem(self, project: BudgetProject, fiscal_year: int) -> str | None:
        """A 予算事業 is shared by the initiatives it funds: written only through a sheet that prints it,
        governed by that sheet as on its edit page."""
        if self.sheet is None or project.pk not in self.budget_projects:
            return _(
                "予算事業の事業費は、この取り込みでは変更できません（検証票の編集画面で入力してください）"
            )
        locked = sorted(self._locked(project.organization_id) & {fiscal_year, fiscal_year + 1})
        if locked:
            return _("%(year)sは確定済みのため変更できません") % {"year": fy_label(locked[0], "plain")}
        if not self.sheet.is_editable:
            return self._not_editable(self.sheet)
        if not can_edit_sheet(self.user, self.sheet):
            return _("この事業（%(code)s）を変更する権限がありません") % {"code": _name(self.sheet.subject)}
        self.sheet_ids.add(self.sheet.pk)
        return None


def _name(subject) -> str:
    """How a message names a program or policy node: its code, or its name when it has none."""
    return subject.code or subject.name


def _lineage(node: PolicyNode) -> list[int]:
    """The node and every node above it (their sheets print the node's rows)."""
    ids, seen = [], set()
    while node is not None and node.pk not in seen:
        ids.append(node.pk)
        seen.add(node.pk)
        node = node.parent
    return ids
