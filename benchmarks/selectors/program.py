"""A program's benchmark page: the survey's figures for the municipality's size class beside its own
situation, and the sheet's peer comparisons with per-10万人 figures where the population is known."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from benchmarks.calculations import PER_CAPITA_UNITS, per_100k
from benchmarks.charts import Series, bar_chart
from benchmarks.choices import BreakdownKey
from benchmarks.models import (
    BenchmarkComparison,
    BenchmarkEntry,
    Survey,
    SurveyBreakdown,
    SurveyCell,
    SurveyOwnAnswer,
    SurveyRow,
)
from hikikomori_eval.numbers import format_number
from hikikomori_eval.wareki import fy_label
from indicators.choices import ValueType
from indicators.models import IndicatorValue
from sheets.models import EvaluationSheet, ProgramSheet

#: Headline option per question (option code): Q3 設定していない, Q4 相談実績がある, Q5 訪問.
HEADLINE_OPTIONS = {"Q3": "4", "Q4": "1", "Q5": "6"}
#: Answers that can be read off the program's own indicators: (question, option code, name keywords).
#: An actual above 0 in the survey's year under such a name means the municipality does this.
DERIVED_ANSWERS = (("Q4", "1", ("相談",)), ("Q5", "6", ("訪問", "アウトリーチ")))


@dataclass(frozen=True)
class Figure:
    count: int | None
    base_n: int | None
    pct: Decimal | None


@dataclass
class ClassLine:
    """One option: the national figure, the size class's figure and what the municipality itself does."""

    option_label: str
    national: Figure
    size_class: Figure
    own: bool = False
    own_note: str = ""


@dataclass
class QuestionComparison:
    code: str
    title: str
    base_condition: str
    lines: list[ClassLine]
    chart: str


@dataclass(frozen=True)
class PeerPart:
    metric: str
    value_text: str
    value: Decimal | None
    unit: str
    per_100k: Decimal | None
    from_indicator: str = ""


@dataclass
class PeerEntry:
    entry: BenchmarkEntry
    population: int | None
    parts: list[PeerPart]

    @property
    def source_label(self) -> str:
        if self.entry.is_self:
            return (
                _("自団体（指標から更新）")
                if any(p.from_indicator for p in self.parts)
                else _("自団体（入力）")
            )
        if self.entry.source_entry_id:
            return _("システム内の他団体のデータ")
        return _("入力")


@dataclass
class PeerTable:
    comparison: BenchmarkComparison
    entries: list[PeerEntry]


@dataclass
class ProgramBenchmarkContext:
    sheet: EvaluationSheet
    survey: Survey | None
    size_class_label: str
    headlines: list[str] = field(default_factory=list)
    questions: list[QuestionComparison] = field(default_factory=list)
    peer_tables: list[PeerTable] = field(default_factory=list)
    rationale: str = ""

    @property
    def organization(self):
        return self.sheet.organization

    @property
    def program(self):
        return self.sheet.program


def _figure(cell: SurveyCell | None) -> Figure:
    return Figure(None, None, None) if cell is None else Figure(cell.count, cell.base_n, cell.pct)


def _own_answers(sheet: EvaluationSheet, survey: Survey) -> dict[tuple[str, str], str]:
    """(question code, option code) → note, entered answers first, then those read off indicators."""
    answers = {
        (a.option.question.code, a.option.code): a.note or _("入力済みの回答")
        for a in SurveyOwnAnswer.objects.filter(
            organization=sheet.organization, option__question__survey=survey
        ).select_related("option__question")
    }
    values = IndicatorValue.objects.filter(
        Q(indicator__program=sheet.program) | Q(indicator__program__parent=sheet.program),
        fiscal_year=survey.fiscal_year,
        value_type=ValueType.ACTUAL,
        value__gt=0,
    ).select_related("indicator")
    for value in values:
        for question, option, keywords in DERIVED_ANSWERS:
            if (question, option) not in answers and any(k in value.indicator.name for k in keywords):
                answers[(question, option)] = _("指標「%(name)s」%(year)s実績 %(value)s%(unit)s から") % {
                    "name": value.indicator.name,
                    "year": fy_label(survey.fiscal_year, "plain"),
                    "value": format_number(value.value, value.indicator.decimals),
                    "unit": value.indicator.unit,
                }
    return answers


def _questions(survey: Survey, size_class, own: dict) -> tuple[list[QuestionComparison], list[str]]:
    rows = SurveyRow.objects.filter(Q(is_total=True) | Q(size_class=size_class)).prefetch_related(
        Prefetch("cells", SurveyCell.objects.select_related("option"))
    )
    breakdowns = (
        SurveyBreakdown.objects.filter(question__survey=survey, key=BreakdownKey.SIZE_CLASS)
        .select_related("question")
        .prefetch_related(Prefetch("rows", rows), "question__options")
        .order_by("question__order")
    )
    comparisons, headlines = [], []
    for breakdown in breakdowns:
        question = breakdown.question
        by_row = {row.is_total: {c.option_id: c for c in row.cells.all()} for row in breakdown.rows.all()}
        lines = []
        for option in question.options.all():
            note = own.get((question.code, option.code), "")
            line = ClassLine(
                option_label=option.label,
                national=_figure(by_row.get(True, {}).get(option.pk)),
                size_class=_figure(by_row.get(False, {}).get(option.pk)),
                own=bool(note),
                own_note=note,
            )
            lines.append(line)
            if HEADLINE_OPTIONS.get(question.code) == option.code and line.size_class.pct is not None:
                headlines.append(
                    _("%(klass)s: %(pct)s%% が「%(option)s」（全体 %(national)s%%）")
                    % {
                        "klass": size_class.label,
                        "pct": format_number(line.size_class.pct, 1),
                        "option": option.label,
                        "national": format_number(line.national.pct, 1),
                    }
                )
        chart = bar_chart(
            title=f"{question.code} {question.title}",
            description=_("全体と%(klass)sの割合（%%）") % {"klass": size_class.label},
            categories=[line.option_label for line in lines],
            series=[
                Series(_("全体"), [line.national.pct for line in lines]),
                Series(size_class.label, [line.size_class.pct for line in lines]),
            ],
        )
        comparisons.append(
            QuestionComparison(question.code, question.title, question.base_condition, lines, chart)
        )
    return comparisons, headlines


def _peer_tables(sheet: EvaluationSheet) -> list[PeerTable]:
    comparisons = BenchmarkComparison.objects.filter(sheet=sheet).prefetch_related(
        Prefetch(
            "entries",
            BenchmarkEntry.objects.select_related("organization").prefetch_related(
                "metric_values__indicator"
            ),
        )
    )
    tables = []
    for comparison in comparisons:
        entries = []
        for entry in comparison.entries.all():
            org = sheet.organization if entry.is_self else entry.organization
            population = org.population if org else None
            parts = [
                PeerPart(
                    metric=part.metric,
                    value_text=part.value_text,
                    value=part.value,
                    unit=part.unit,
                    per_100k=per_100k(part.value, population) if part.unit in PER_CAPITA_UNITS else None,
                    from_indicator=part.indicator.name if part.indicator_id else "",
                )
                for part in entry.metric_values.all()
            ]
            entries.append(PeerEntry(entry=entry, population=population, parts=parts))
        tables.append(PeerTable(comparison=comparison, entries=entries))
    return tables


def program_benchmark_context(*, sheet: EvaluationSheet) -> ProgramBenchmarkContext:
    """``sheet`` comes with organization__size_class and program (select_related by the view)."""
    survey = Survey.objects.order_by("-fiscal_year").first()
    size_class = sheet.organization.size_class
    context = ProgramBenchmarkContext(
        sheet=sheet, survey=survey, size_class_label=size_class.label if size_class else ""
    )
    if survey is not None and size_class is not None and sheet.program_id:
        context.questions, context.headlines = _questions(survey, size_class, _own_answers(sheet, survey))
    context.peer_tables = _peer_tables(sheet)
    context.rationale = (
        ProgramSheet.objects.filter(sheet=sheet).values_list("benchmark_rationale", flat=True).first() or ""
    )
    return context
