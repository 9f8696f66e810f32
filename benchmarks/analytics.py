"""Trends and portfolio analytics (pandas): target vs actual over the years per program, and per
department or policy the cost by program, the distributions of directions and achievement, and the
year-over-year change. Figures come from the one formula each (indicators.calculations / costs);
pandas only pivots, groups and counts them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
from django.db.models import Q
from django.utils.translation import gettext as _

from benchmarks.calculations import percent
from benchmarks.charts import Series, bar_chart, line_chart
from hikikomori_eval.wareki import fy_label
from indicators import calculations, costs
from indicators.choices import ValueType
from indicators.models import Indicator
from indicators.selectors import IndicatorSeries, RateCell, ValueCell, indicator_series_for, rate_cell
from sheets.choices import FormType, ProgramKind
from sheets.models import EvaluationSheet, Program
from sheets.selectors.policy_sheet import program_costs as policy_program_costs

RATE_DECIMALS = 1
#: Achievement bands of the portfolio (lower bound as a ratio; polarity is already in the ratio).
ACHIEVEMENT_BANDS = {"100%以上": Decimal(1), "80%以上100%未満": Decimal("0.8"), "80%未満": Decimal(0)}
NO_RATIO = "算定不可"
NO_DIRECTION = "未評価"


# ---- per program: target vs actual over the years ------------------------------------------


def values_frame(series: list[IndicatorSeries]) -> pd.DataFrame:
    """One row per (indicator id, fiscal year) with the target and actual IndicatorValue objects."""
    records = [
        {"indicator": s.indicator.pk, "fiscal_year": fy, "value_type": vt, "value": value}
        for s in series
        for (fy, vt), value in s.values.items()
        if vt in (ValueType.TARGET, ValueType.ACTUAL)
    ]
    if not records:
        return pd.DataFrame(columns=["indicator", "fiscal_year", ValueType.TARGET, ValueType.ACTUAL])
    frame = pd.DataFrame.from_records(records).set_index(["indicator", "fiscal_year", "value_type"])
    return frame["value"].unstack("value_type").reset_index()


@dataclass
class TrendYear:
    fiscal_year: int
    label: str
    target: ValueCell
    actual: ValueCell
    rate: RateCell


@dataclass
class IndicatorTrend:
    indicator: Indicator
    owner_name: str
    years: list[TrendYear]
    chart: str


@dataclass
class ProgramTrendContext:
    sheet: EvaluationSheet
    indicators: list[IndicatorTrend] = field(default_factory=list)

    @property
    def program(self):
        return self.sheet.program


def program_trend_context(*, sheet: EvaluationSheet) -> ProgramTrendContext:
    """Every indicator of the program and its sub-programs, over the years that have a target or an
    actual up to the evaluation year; the achievement rate with the indicator's own method."""
    indicators = Indicator.objects.filter(
        Q(program_id=sheet.program_id) | Q(program__parent_id=sheet.program_id)
    )
    series = indicator_series_for(
        indicators.select_related("program").order_by("program__order", "order", "pk")
    )
    frame = values_frame(series)
    context = ProgramTrendContext(sheet=sheet)
    for s in series:
        ind = s.indicator
        own = frame[(frame["indicator"] == ind.pk) & (frame["fiscal_year"] <= sheet.evaluation_fy)]
        if own.empty:
            continue
        fys = list(range(int(own["fiscal_year"].min()), int(own["fiscal_year"].max()) + 1))
        years = [
            TrendYear(
                fiscal_year=fy,
                label=fy_label(fy, "short"),
                target=s.cell(fy, ValueType.TARGET),
                actual=s.cell(fy, ValueType.ACTUAL),
                rate=s.achievement(fy, decimals=RATE_DECIMALS),
            )
            for fy in fys
        ]
        unit = ind.unit
        chart = line_chart(
            title=_("%(name)s の目標値と実績値") % {"name": ind.name},
            description=_("%(first)s〜%(last)s の目標値（破線・白抜きの四角）と実績値（実線・黒丸）%(unit)s")
            % {"first": years[0].label, "last": years[-1].label, "unit": f"（{unit}）" if unit else ""},
            x_labels=[y.label for y in years],
            series=[
                Series(_("目標値"), [y.target.number for y in years], decimals=ind.decimals),
                Series(_("実績値"), [y.actual.number for y in years], decimals=ind.decimals),
            ],
            unit=unit,
        )
        context.indicators.append(
            IndicatorTrend(indicator=ind, owner_name=ind.program.name, years=years, chart=chart)
        )
    return context


# ---- per department or policy: the portfolio ------------------------------------------------


@dataclass
class PortfolioRow:
    program: Program
    sheet_id: int | None
    direction: str
    project_cost: Decimal | None
    personnel_cost: Decimal | None
    total_cost: Decimal | None
    previous_total: Decimal | None
    change: Decimal | None
    change_pct: Decimal | None
    achieved: int
    rated: int


@dataclass
class Distribution:
    label: str
    counts: list[tuple[str, int]]
    chart: str


@dataclass
class PortfolioContext:
    title: str
    evaluation_fy: int
    subject_fy: int
    rows: list[PortfolioRow]
    total: Decimal | None
    previous_total: Decimal | None
    distributions: list[Distribution]
    cost_chart: str

    @property
    def s_label(self) -> str:
        return fy_label(self.subject_fy, "long")

    @property
    def previous_label(self) -> str:
        return fy_label(self.subject_fy - 1, "long")


def _achievement_bands(programs, subject_fy) -> pd.DataFrame:
    """One row per indicator with a ratio (or not) in the subject year, with its program and band."""
    indicators = Indicator.objects.filter(Q(program__in=programs) | Q(program__parent__in=programs))
    records = []
    for s in indicator_series_for(indicators.select_related("program")):
        ind = s.indicator
        ratio = rate_cell(
            ind,
            target=s.number(subject_fy, ValueType.TARGET),
            actual=s.number(subject_fy, ValueType.ACTUAL),
            decimals=RATE_DECIMALS,
        ).raw
        if ratio is None and s.number(subject_fy, ValueType.ACTUAL) is None:
            continue  # no figure for the year at all: not part of the distribution
        band = calculations.band_for_ratio(ratio, ACHIEVEMENT_BANDS) or NO_RATIO
        records.append({"program": ind.program.parent_id or ind.program_id, "band": band})
    return pd.DataFrame.from_records(records, columns=["program", "band"])


def _distribution(label: str, values: pd.Series, order: list[str], unit: str) -> Distribution:
    counts = values.value_counts()
    pairs = [(name, int(counts.get(name, 0))) for name in order]
    pairs += [(name, int(n)) for name, n in counts.items() if name not in order]
    chart = bar_chart(
        title=label,
        description=_("%(label)s（件数）") % {"label": label},
        categories=[name for name, _n in pairs],
        series=[Series(_("件数"), [n for _name, n in pairs], decimals=0)],
        unit=unit,
        max_value=None,
    )
    return Distribution(label=label, counts=pairs, chart=chart)


def portfolio_context(
    *, title: str, programs, evaluation_fy: int, direction_order: list[str]
) -> PortfolioContext:
    """Cost by program (S 決算 and S−1), direction and achievement distributions, change over the year."""
    programs = list(programs.filter(kind=ProgramKind.PROGRAM).select_related("owner_unit").order_by("code"))
    subject_fy = evaluation_fy - 1
    program_costs, _years = policy_program_costs(programs, [subject_fy - 1, subject_fy], evaluation_fy)
    sheets = {
        sheet.program_id: sheet
        for sheet in EvaluationSheet.objects.filter(
            form_type=FormType.KAMAKURA_PROGRAM, evaluation_fy=evaluation_fy, program__in=programs
        ).select_related("program_sheet__direction")
    }
    bands = _achievement_bands(programs, subject_fy)
    achieved = bands[bands["band"] == "100%以上"].groupby("program").size()
    rated = bands[bands["band"] != NO_RATIO].groupby("program").size()
    rows = []
    for program in programs:
        sheet = sheets.get(program.pk)
        direction = getattr(getattr(sheet, "program_sheet", None), "direction", None)
        project, personnel = program_costs[(program.pk, subject_fy)]
        previous = costs.total_cost(
            project_cost=program_costs[(program.pk, subject_fy - 1)][0],
            personnel_cost=program_costs[(program.pk, subject_fy - 1)][1],
        )
        total = costs.total_cost(project_cost=project, personnel_cost=personnel)
        change = None if total is None or previous is None else total - previous
        rows.append(
            PortfolioRow(
                program=program,
                sheet_id=sheet.pk if sheet else None,
                direction=direction.label if direction else NO_DIRECTION,
                project_cost=project,
                personnel_cost=personnel,
                total_cost=total,
                previous_total=previous,
                change=change,
                change_pct=percent(change, previous) if previous else None,
                achieved=int(achieved.get(program.pk, 0)),
                rated=int(rated.get(program.pk, 0)),
            )
        )
    frame = pd.DataFrame({"direction": [r.direction for r in rows]}, dtype="object")
    distributions = [
        _distribution(
            _("今後の方針（総合評価）の分布"), frame["direction"], [*direction_order, NO_DIRECTION], "件"
        ),
        _distribution(_("指標の達成度の分布"), bands["band"], [*ACHIEVEMENT_BANDS, NO_RATIO], "件"),
    ]
    cost_chart = bar_chart(
        title=_("事業別の総事業費（千円）"),
        description=_("%(prev)s と %(s)s の総事業費（事業費＋人件費、決算）")
        % {"prev": fy_label(subject_fy - 1, "long"), "s": fy_label(subject_fy, "long")},
        categories=[f"{r.program.code} {r.program.name}" for r in rows],
        series=[
            Series(fy_label(subject_fy - 1, "long"), [r.previous_total for r in rows], decimals=0),
            Series(fy_label(subject_fy, "long"), [r.total_cost for r in rows], decimals=0),
        ],
        unit="",
        max_value=None,
    )
    return PortfolioContext(
        title=title,
        evaluation_fy=evaluation_fy,
        subject_fy=subject_fy,
        rows=rows,
        total=costs.sum_amounts(r.total_cost for r in rows),
        previous_total=costs.sum_amounts(r.previous_total for r in rows),
        distributions=distributions,
        cost_chart=cost_chart,
    )


__all__ = [
    "PortfolioContext",
    "ProgramTrendContext",
    "portfolio_context",
    "program_trend_context",
    "values_frame",
]
