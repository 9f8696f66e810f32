"""Input of the 個表 save: one dataclass per section, and the checks the forms and the service share."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from hikikomori_eval.numbers import BLANK, ParsedValue
from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, FundingSource
from sheets.choices import AdministrativeCategory
from sheets.models import (
    EvaluationSheet,
)
from sheets.names import person_name
from sheets.selectors import (
    KAMAKURA_FUNDING_ROWS,
    STAFFING_WINDOW,
    CostColumn,
)

BLANK_VALUE = ParsedValue(value=None, status=BLANK, raw_text="")
SPECIFIC_SOURCES = tuple(s for s in KAMAKURA_FUNDING_ROWS if s != FundingSource.GENERAL)


def cost_columns(evaluation_fy: int) -> list[CostColumn]:
    """The three money columns of §3: S 決算, S 当初, E 予算 (keyed by their basis)."""
    s = evaluation_fy - 1
    return [
        CostColumn(s, CostBasis.SETTLEMENT, "決算"),
        CostColumn(s, CostBasis.INITIAL_BUDGET, "当初"),
        CostColumn(evaluation_fy, CostBasis.BUDGET, "予算"),
    ]


def column_label(column: CostColumn) -> str:
    """令和6年度決算, as the validation messages name a column."""
    return f"{fy_label(column.fiscal_year, 'plain')}{column.label}"


def staff_years(evaluation_fy: int) -> list[int]:
    """§4 and 【参考】 print the six years E−5 … E."""
    return list(range(evaluation_fy - STAFFING_WINDOW + 1, evaluation_fy + 1))


# --------------------------------------------------------------------------------------------
# 1. Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeaderInput:
    """Header, 対象・目的・意図 (ProgramYear of E) and §2 概要."""

    administrative_category: str = AdministrativeCategory.AUTONOMOUS
    is_priority: bool = False
    owner_unit_id: int | None = None
    related_unit_ids: tuple[int, ...] = ()
    evaluator_title: str = ""
    evaluator_name: str = ""
    policy_node_id: int | None = None
    target_text: str = ""
    purpose_text: str = ""
    intended_state_text: str = ""
    activities_summary: str = ""


@dataclass(frozen=True)
class SubProgramInput:
    """One row of §3 with its 5(1) texts. ``sub_program_id`` None = a new 事務事業.

    ``amounts`` maps a cost basis (settlement, initial_budget, budget) to 千円 or None.
    ``form_index`` is the row's position in the formset: it names the row's derived figures.
    """

    sub_program_id: int | None = None
    branch_no: int | None = None
    name: str = ""
    main_expenses: str = ""
    indicator_name: str = ""
    indicator_unit: str = ""
    actual_s: ParsedValue = BLANK_VALUE
    target_s: ParsedValue = BLANK_VALUE
    target_e: ParsedValue = BLANK_VALUE
    amounts: Mapping[str, Decimal | None] = field(default_factory=dict)
    indicator_analysis: str = ""
    contribution_validity: str = ""
    issues_improvements: str = ""
    form_index: int = 0

    @property
    def has_indicator(self) -> bool:
        return bool(self.indicator_name.strip())


@dataclass(frozen=True)
class StaffingInput:
    """§4: FTE per (fiscal year, staff category id), and the 人件費 override with its reason per year."""

    ftes: Mapping[tuple[int, int], Decimal | None] = field(default_factory=dict)
    overrides: Mapping[int, Decimal | None] = field(default_factory=dict)
    override_reasons: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ViewpointInput:
    question_id: int
    option_id: int | None = None
    free_text: str = ""


@dataclass(frozen=True)
class ReferenceIndicatorInput:
    """【参考】 one indicator with its targets and actuals per fiscal year."""

    indicator_id: int | None = None
    name: str = ""
    unit: str = ""
    rationale: str = ""
    targets: Mapping[int, ParsedValue] = field(default_factory=dict)
    actuals: Mapping[int, ParsedValue] = field(default_factory=dict)
    form_index: int = 0


@dataclass(frozen=True)
class BenchmarkEntryInput:
    """他市比較: one organisation's figures under a 比較事項 (entries are grouped by subject on save)."""

    entry_id: int | None = None
    subject_text: str = ""
    org_name: str = ""
    is_self: bool = False
    metric_label: str = ""
    value_text: str = ""


@dataclass(frozen=True)
class ProgramSheetInput:
    """Everything the 個表 edit page saves. Rows and entries absent from it are removed."""

    header: HeaderInput = field(default_factory=HeaderInput)
    sub_programs: tuple[SubProgramInput, ...] = ()
    funding: Mapping[str, Mapping[str, Decimal | None]] = field(default_factory=dict)
    staffing: StaffingInput = field(default_factory=StaffingInput)
    viewpoints: tuple[ViewpointInput, ...] = ()
    direction_id: int | None = None
    direction_text: str = ""
    reference_indicators: tuple[ReferenceIndicatorInput, ...] = ()
    benchmark_entries: tuple[BenchmarkEntryInput, ...] = ()
    benchmark_rationale: str = ""


class StaleSheetError(ValidationError):
    """The sheet was saved by someone else after the editor loaded it (optimistic locking)."""

    def __init__(self, sheet: EvaluationSheet, changes: Sequence[str] = ()):
        self.sheet = sheet
        self.changes = list(changes)
        user = sheet.updated_by
        name = person_name(user) if user else _("不明な利用者")
        when = ""
        if sheet.updated_at:
            at = timezone.localtime(sheet.updated_at)
            when = _("%(year)d年%(month)d月%(day)d日 %(time)s") % {
                "year": at.year,
                "month": at.month,
                "day": at.day,
                "time": f"{at:%H:%M}",
            }
        message = _(
            "このシートは他の利用者が先に保存しました（%(name)sさん、%(when)s）。"
            "最新の内容を確認してから、もう一度保存してください。"
        ) % {"name": name, "when": when}
        if self.changes:
            # What the other save changed, so the editor can merge by hand: their typed values stay.
            message += _("先に保存された変更: %(changes)s") % {"changes": "／".join(self.changes)}
        super().__init__(message, code="stale")


# --------------------------------------------------------------------------------------------
# 2. Checks shared by the forms (messages next to the fields) and the service (last guard)
# --------------------------------------------------------------------------------------------


def _project_cost(column: CostColumn, sub_programs: Sequence[SubProgramInput], own_amounts) -> Decimal | None:
    return costs.project_cost(
        own_amount=own_amounts.get(column.basis),
        sub_amounts=[row.amounts.get(column.basis) for row in sub_programs],
    )


def funding_problems(
    *,
    evaluation_fy: int,
    sub_programs: Sequence[SubProgramInput],
    funding: Mapping[str, Mapping[str, Decimal | None]],
    own_amounts: Mapping[str, Decimal | None] | None = None,
) -> dict[str, str]:
    """V-SUM per money column: Σ 財源内訳 must equal 事業費の合計 (Σ sub-programs).

    A blank 一般財源 is derived (事業費 − Σ 特定財源), so the identity then fails only when the
    特定財源 exceed the 事業費. Returns {basis: message}; empty when every column adds up.
    """
    own_amounts = own_amounts or {}
    problems = {}
    for column in cost_columns(evaluation_fy):
        lines = funding.get(column.basis, {})
        total = _project_cost(column, sub_programs, own_amounts)
        specific = [lines.get(source) for source in SPECIFIC_SOURCES]
        general = lines.get(FundingSource.GENERAL)
        entered = costs.sum_amounts([*specific, general])
        label = column_label(column)
        if total is None:
            if entered is not None:
                problems[column.basis] = _(
                    "%(column)s: 財源内訳が入力されていますが、事業費の合計が空欄です"
                ) % {"column": label}
            continue
        if general is None:
            specific_total = costs.sum_amounts(specific)
            derived = costs.general_revenue(project_cost=total, specific_amounts=specific)
            if derived is not None and derived < 0:
                problems[column.basis] = _(
                    "%(column)s: 特定財源の合計 %(specific)s 千円が"
                    "事業費の合計 %(total)s 千円を上回っています"
                ) % {"column": label, "specific": f"{specific_total:,}", "total": f"{total:,}"}
        elif entered != total:
            problems[column.basis] = _(
                "%(column)s: 財源内訳の合計 %(funded)s 千円が事業費の合計 %(total)s 千円と一致しません"
            ) % {"column": label, "funded": f"{entered:,}", "total": f"{total:,}"}
    return problems


def sub_program_warnings(*, subject_fy: int, row: SubProgramInput) -> dict[str, list[str]]:
    """Non-blocking findings for one §3 row, by field name (V-COVER, V-UNIT)."""
    warnings: dict[str, list[str]] = defaultdict(list)
    if not row.has_indicator:
        return {}
    if row.actual_s.is_blank and not row.target_s.is_blank:
        warnings["actual_s"].append(
            _("%(year)sの実績値が未入力です") % {"year": fy_label(subject_fy, "plain")}
        )
    unit = row.indicator_unit.strip()
    for name in ("actual_s", "target_s", "target_e"):
        parsed: ParsedValue = getattr(row, name)
        if unit and parsed.unit and parsed.unit != unit:
            warnings[name].append(
                _("単位「%(typed)s」が指標の単位「%(unit)s」と異なります")
                % {"typed": parsed.unit, "unit": unit}
            )
    return dict(warnings)


def input_warnings(*, evaluation_fy: int, data: ProgramSheetInput) -> list[str]:
    """All non-blocking findings of an input, as sentences for a message after saving."""
    found = []
    for row in data.sub_programs:
        for messages in sub_program_warnings(subject_fy=evaluation_fy - 1, row=row).values():
            found.extend(f"{row.name}: {message}" for message in messages)
    return found


# --------------------------------------------------------------------------------------------
# 3. Edit state: what the edit page starts from
# --------------------------------------------------------------------------------------------
