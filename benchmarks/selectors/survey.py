"""The national survey pages: the index, and one question's crosstabs as tables and bar charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from benchmarks.calculations import pct_matches
from benchmarks.charts import Series, bar_chart
from benchmarks.choices import BreakdownKey
from benchmarks.models import (
    HearingCase,
    Survey,
    SurveyBreakdown,
    SurveyCell,
    SurveyFinding,
    SurveyIssue,
    SurveyQuestion,
    SurveyRow,
)
from benchmarks.survey import Reconciliation, breakdown_reconciliation
from sheets.models import Membership


@dataclass
class SurveyIndexContext:
    survey: Survey
    questions: list[SurveyQuestion]
    issues: list[SurveyIssue]
    findings: list[SurveyFinding]
    hearing_cases: list[HearingCase]


def survey_index_context(*, survey_code: str) -> SurveyIndexContext:
    survey = get_object_or_404(Survey, code=survey_code)
    return SurveyIndexContext(
        survey=survey,
        questions=list(survey.questions.prefetch_related("breakdowns").order_by("order")),
        issues=list(survey.issues.select_related("question")),
        findings=list(survey.findings.select_related("issue", "question")),
        hearing_cases=list(survey.hearing_cases.select_related("issue")),
    )


@dataclass(frozen=True)
class CellView:
    """One printed cell: the corrected figures, and the printed ones where the report differs."""

    count: int | None
    pct: Decimal | None
    base_n: int
    derived: bool = False
    count_printed: int | None = None
    base_n_printed: int | None = None
    issue_code: str = ""
    src_line: int | None = None
    pct_ok: bool | None = None


@dataclass
class Column:
    label: str
    base_n: int | None
    is_total: bool
    highlighted: bool
    src_lines: list


@dataclass
class OptionLine:
    label: str
    cells: list[CellView]


@dataclass
class Grid:
    """A crosstab turned so that options run down the page and groups (or stages) across it."""

    caption: str
    columns: list[Column]
    lines: list[OptionLine]
    chart: str = ""


@dataclass
class SurveyQuestionContext:
    survey: Survey
    question: SurveyQuestion
    breakdowns: list[SurveyBreakdown]
    breakdown: SurveyBreakdown | None
    grids: list[Grid] = field(default_factory=list)
    reconciliation: Reconciliation | None = None
    highlight_label: str = ""


def _cell_view(cell: SurveyCell) -> CellView:
    return CellView(
        count=cell.count,
        pct=cell.pct,
        base_n=cell.base_n,
        derived=cell.derived,
        count_printed=cell.count_printed,
        base_n_printed=cell.base_n_printed,
        issue_code=cell.issue.code if cell.issue_id else "",
        src_line=cell.src_line,
        pct_ok=pct_matches(cell.count, cell.base_n, cell.pct),
    )


def _grid(caption, columns, options, cells_by_column, stage_for_column) -> Grid:
    lines = []
    for option in options:
        line = []
        for index, _column in enumerate(columns):
            cell = cells_by_column[index].get((option.pk, stage_for_column(index)))
            line.append(_cell_view(cell) if cell else CellView(count=None, pct=None, base_n=0))
        lines.append(OptionLine(label=option.label, cells=line))
    return Grid(caption=caption, columns=columns, lines=lines)


def _chart(question, grid: Grid, chart_columns: list[int]) -> str:
    names = [grid.columns[i].label for i in chart_columns]
    return bar_chart(
        title=f"{question.code} {question.title}",
        description=_("選択肢ごとの割合（%）: ") + "、".join(names),
        categories=[line.label for line in grid.lines],
        series=[
            Series(grid.columns[i].label, [line.cells[i].pct for line in grid.lines]) for i in chart_columns
        ],
    )


def survey_question_context(
    *, survey_code: str, question_code: str, breakdown_key: str | None, highlight=None
) -> SurveyQuestionContext:
    """One question with the chosen crosstab; ``highlight`` (a SizeClass, or a row label) is charted
    beside the 全体 row."""
    question = get_object_or_404(
        SurveyQuestion.objects.select_related("survey").prefetch_related("options"),
        survey__code=survey_code,
        code=question_code,
    )
    options = list(question.options.all())
    breakdowns = list(question.breakdowns.select_related("issue").order_by("order"))
    breakdown = next((b for b in breakdowns if b.key == breakdown_key), breakdowns[0] if breakdowns else None)
    context = SurveyQuestionContext(
        survey=question.survey, question=question, breakdowns=breakdowns, breakdown=breakdown
    )
    if breakdown is None:
        return context
    rows = list(
        SurveyRow.objects.filter(breakdown=breakdown)
        .select_related("size_class")
        .prefetch_related(Prefetch("cells", SurveyCell.objects.select_related("option", "issue")))
        .order_by("order")
    )
    breakdown._prefetched_objects_cache = {"rows": rows}  # reconciliation reads the rows fetched above
    context.reconciliation = breakdown_reconciliation(breakdown)
    cells = [{(c.option_id, c.stage): c for c in row.cells.all()} for row in rows]
    if breakdown.key == BreakdownKey.WINDOW_STAGE:
        for row, row_cells in zip(rows, cells, strict=True):
            columns = [
                Column(
                    label=label,
                    base_n=row.cells.all()[0].base_n,
                    is_total=False,
                    highlighted=False,
                    src_lines=[],
                )
                for label in question.stages
            ]
            grid = _grid(row.label, columns, options, [row_cells] * len(columns), lambda i: i + 1)
            grid.chart = _chart(question, grid, list(range(len(columns))))
            context.grids.append(grid)
        return context
    highlighted = _highlighted(rows, highlight)
    context.highlight_label = rows[highlighted].label if highlighted is not None else ""
    columns = [
        Column(
            label=row.label,
            base_n=row.cells.all()[0].base_n if row.cells.all() else None,
            is_total=row.is_total,
            highlighted=index == highlighted,
            src_lines=row.src_lines,
        )
        for index, row in enumerate(rows)
    ]
    grid = _grid(breakdown.title, columns, options, cells, lambda i: 0)
    charted = [i for i, row in enumerate(rows) if row.is_total]
    if highlighted is not None and highlighted not in charted:
        charted.append(highlighted)
    grid.chart = _chart(question, grid, charted or [0])
    context.grids.append(grid)
    return context


def _highlighted(rows: list[SurveyRow], highlight) -> int | None:
    """The row to chart beside 全体: the given size class or label, else the first non-total row."""
    for index, row in enumerate(rows):
        if highlight is not None and (row.size_class == highlight or row.label == highlight):
            return index
    return next((i for i, row in enumerate(rows) if not row.is_total), None)


def user_size_class(user):
    """The size class of the user's (first) organisation, to highlight in the survey's tables."""
    membership = (
        Membership.objects.filter(user=user, organization__size_class__isnull=False)
        .select_related("organization__size_class")
        .order_by("pk")
        .first()
    )
    return membership.organization.size_class if membership else None
