"""The export's fast paths write what the plain model reads would: tuples, chunks, per-column writers."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets import selectors
from datasets.definitions import (
    AMOUNT,
    COSTS,
    DATASET_SHEETS,
    DATE,
    DATETIME,
    FISCAL_YEAR,
    FLAG,
    FLAG_MARK,
    INDICATOR_VALUES,
    INTEGER,
    NUMBER,
    RATIO,
    TEXT,
)
from datasets.resources import RESOURCES
from datasets.selectors import DatasetScope, owner_cells
from datasets.writers import _QUERYSETS, _cell_writer, sheet_rows
from hikikomori_eval.wareki import fy_label
from indicators import costs
from indicators.choices import CostBasis, ValueType
from tests.factories import CostRecordFactory, IndicatorFactory, IndicatorValueFactory, ProgramFactory

YEARS = (2023, 2024, 2025)


@pytest.fixture
def every_demo(db):
    """Every demo: 鎌倉市, 沖縄県 (costs of budget projects, 主な財源, 実施方法) and 国立市 (施策)."""
    from sheets.demo import demo_load

    demo_load()


def _reference_cost_rows(scope: DatasetScope) -> list[list]:
    """The 事業費 rows built from model instances (select_related + prefetch), one dict per row."""
    bases = {k: str(label) for k, label in CostBasis.choices}
    names = [c.name for c in COSTS.columns]
    rows = []
    for record in selectors.cost_queryset(scope):
        if record.program_id:
            organization = record.program.organization
        elif record.budget_project_id:
            organization = record.budget_project.organization
        else:
            organization = record.policy_node.plan.organization
        cells = owner_cells(organization, record.program, record.policy_node)
        lines = {line.source_type: line.amount for line in record.funding_lines.all()}
        cells.update(
            budget_project=record.budget_project.name if record.budget_project_id else "",
            fiscal_year=record.fiscal_year,
            fiscal_year_label=fy_label(record.fiscal_year, "plain"),
            basis=bases.get(record.basis, record.basis),
            amount=record.amount,
            funding_total=costs.sum_amounts(lines.values()),
            work_hours=record.work_hours,
            personnel_cost=record.personnel_cost,
            main_funding=record.main_funding.label if record.main_funding_id else "",
            execution_method=record.execution_method.label if record.execution_method_id else "",
            **{f"funding_{source}": amount for source, amount in lines.items()},
        )
        rows.append([cells.get(name) for name in names])
    return rows


@pytest.mark.parametrize("year", YEARS)
def test_cost_rows_read_as_tuples_are_the_rows_of_the_model_instances(every_demo, year):
    scope = DatasetScope(evaluation_fy=year)
    rows = list(sheet_rows(COSTS, scope))
    assert rows == _reference_cost_rows(scope)
    assert [type(v) for row in rows for v in row] == [
        type(v) for row in _reference_cost_rows(scope) for v in row
    ]


def test_cost_rows_cover_every_kind_of_owner(every_demo):
    rows = [r for year in YEARS for r in sheet_rows(COSTS, DatasetScope(evaluation_fy=year))]
    at = {c.name: i for i, c in enumerate(COSTS.columns)}
    assert any(r[at["budget_project"]] for r in rows)  # 予算事業 (沖縄県)
    assert any(r[at["policy_code"]] and not r[at["program_code"]] for r in rows)  # 施策 (国立市)
    assert any(r[at["branch_no"]] for r in rows)  # 事務事業
    assert any(r[at["main_funding"]] for r in rows) and any(r[at["execution_method"]] for r in rows)
    assert any(r[at["funding_total"]] is not None for r in rows)


@pytest.mark.parametrize("year", YEARS)
def test_rows_do_not_depend_on_the_chunk_size(every_demo, monkeypatch, year):
    """Chunks end inside an owner's records and inside an indicator's values: nothing moves."""
    scope = DatasetScope(evaluation_fy=year)
    expected = {spec.slug: list(sheet_rows(spec, scope)) for spec in DATASET_SHEETS}
    monkeypatch.setattr(selectors, "CHUNK_SIZE", 3)
    assert {spec.slug: list(sheet_rows(spec, scope)) for spec in DATASET_SHEETS} == expected
    assert expected["costs"] and expected["indicator_values"]


@pytest.mark.parametrize("slug", sorted(RESOURCES))
def test_resource_rows_are_what_export_resource_returns(every_demo, slug):
    resource = RESOURCES[slug]()
    scope = DatasetScope(evaluation_fy=2025)
    queryset = _QUERYSETS[slug](scope)
    expected = [resource.export_resource(obj, force_native_type=True) for obj in queryset]
    assert expected
    assert list(resource.rows(queryset)) == expected


def _cost_and_value_queries(scope) -> int:
    with CaptureQueriesContext(connection) as queries:
        list(sheet_rows(COSTS, scope))
        list(sheet_rows(INDICATOR_VALUES, scope))
    return len(queries)


def test_cost_and_value_sheets_take_a_fixed_number_of_queries(db):
    """Owners, funding lines and indicators are read per chunk, never per row."""

    def add(count):
        for _ in range(count):
            program = ProgramFactory()
            record = CostRecordFactory(program=program, fiscal_year=2025, basis=CostBasis.SETTLEMENT)
            record.funding_lines.create(source_type="general", amount=Decimal(40))
            indicator = IndicatorFactory(program=program)
            IndicatorValueFactory(indicator=indicator, fiscal_year=2025, value_type=ValueType.TARGET)
            IndicatorValueFactory(indicator=indicator, fiscal_year=2025, value_type=ValueType.ACTUAL)

    scope = DatasetScope(evaluation_fy=2025)
    add(2)
    few = _cost_and_value_queries(scope)
    add(40)
    assert _cost_and_value_queries(scope) == few


class _Sheet:
    """A worksheet that records the write_* calls."""

    def __init__(self):
        self.calls = []

    def write_string(self, row, col, value, cell_format=None):
        self.calls.append(("string", value, cell_format))

    def write_number(self, row, col, value, cell_format=None):
        self.calls.append(("number", value, type(value), cell_format))

    def write_datetime(self, row, col, value, cell_format=None):
        self.calls.append(("datetime", value, cell_format))


class _Formats:
    text, amount, ratio, date, datetime = "text", "amount", "ratio", "date", "datetime"


@pytest.mark.parametrize(
    ("kind", "value", "call"),
    [
        (TEXT, "団体", ("string", "団体", "text")),
        (TEXT, 12, ("string", "12", "text")),
        (INTEGER, 3, ("number", 3, int, "text")),
        (FISCAL_YEAR, 2025, ("number", 2025, int, "text")),
        (NUMBER, Decimal("60.00"), ("number", 60, int, "text")),
        (NUMBER, Decimal("2.10"), ("number", 2.1, float, "text")),
        (NUMBER, "未実施", ("string", "未実施", "text")),
        (AMOUNT, Decimal("720"), ("number", 720, int, "amount")),
        (AMOUNT, "―", ("string", "―", "text")),
        (RATIO, Decimal("0.833"), ("number", 0.833, float, "ratio")),
        (DATE, datetime.date(2025, 6, 4), ("datetime", datetime.date(2025, 6, 4), "date")),
        (
            DATETIME,
            datetime.datetime(2025, 7, 1, 0, 30, 15, 12, tzinfo=datetime.UTC),
            ("datetime", datetime.datetime(2025, 7, 1, 9, 30, 15), "datetime"),  # noqa: DTZ001
        ),
        (FLAG, True, ("string", FLAG_MARK, "text")),
        (FLAG, False, None),
        (FLAG, "x", None),
    ],
)
def test_each_kind_of_column_writes_its_cell_type(settings, kind, value, call):
    settings.TIME_ZONE = "Asia/Tokyo"
    ws = _Sheet()
    _cell_writer(ws, kind, _Formats)(1, 0, value)
    assert ws.calls == ([call] if call else [])
    if kind == DATETIME:
        assert ws.calls[0][1].tzinfo is None  # Excel has no time zones: local wall time
