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

from hikikomori_eval.wareki import fy_label
from indicators.models import BudgetProject
from sheets.choices import ProgramKind, SheetStatus
from sheets.models import EvaluationSheet, FiscalYear, PolicyNode, Program
from sheets.permissions import can_edit_sheet


class Gate:
    """Whether the user may change an owner's rows of a fiscal year (can_edit_sheet semantics)."""

    def __init__(self, user, *, sheet: EvaluationSheet | None = None, budget_projects=()):
        self.user = user
        #: The sheet of a per-sheet workbook: it governs every row the workbook writes.
        self.sheet = sheet
        self.budget_projects = set(budget_projects)
        self._sheets: dict[tuple[str, int], list[EvaluationSheet]] = {}
        self._locked_years: dict[int, set[int]] = {}
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

    @staticmethod
    def root(owner):
        if isinstance(owner, Program) and owner.kind == ProgramKind.SUB_PROGRAM and owner.parent_id:
            return owner.parent
        return owner

    def _sheets_of(self, root) -> list[EvaluationSheet]:
        key = (type(root).__name__, root.pk)
        if key not in self._sheets:
            lookup = {"program": root} if isinstance(root, Program) else {"policy_node__in": _lineage(root)}
            self._sheets[key] = list(
                EvaluationSheet.objects.filter(**lookup).select_related(
                    "program__owner_unit__parent__parent", "policy_node__lead_unit__parent__parent"
                )
            )
        return self._sheets[key]

    def problem(self, owner, fiscal_year: int) -> str | None:
        if isinstance(owner, BudgetProject):
            return self._budget_problem(owner, fiscal_year)
        root = self.root(owner)
        organization_id = root.organization_id if isinstance(root, Program) else root.plan.organization_id
        locked = sorted(self._locked(organization_id) & {fiscal_year, fiscal_year + 1})
        if locked:
            return _("%(year)sは確定済みのため変更できません") % {"year": fy_label(locked[0], "plain")}
        if self.sheet is not None:
            governing = [self.sheet]
        else:
            governing = [
                s for s in self._sheets_of(root) if s.evaluation_fy in (fiscal_year, fiscal_year + 1)
            ]
        for sheet in governing:
            if not sheet.is_editable:
                return self._not_editable(sheet)
            if not can_edit_sheet(self.user, sheet):
                return _("この事業（%(code)s）を変更する権限がありません") % {"code": _name(root)}
        if not governing:
            probe = EvaluationSheet(organization_id=organization_id, status=SheetStatus.DRAFT)
            if isinstance(root, Program):
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
