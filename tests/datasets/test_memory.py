"""A prefecture-sized export streams: 100,000 value rows with bounded memory (tracemalloc)."""

import tracemalloc
from decimal import Decimal

import pytest

from datasets.selectors import DatasetScope
from datasets.services import export_write
from indicators.choices import IndicatorKind, ValueType
from indicators.models import Indicator, IndicatorValue
from tests.factories import ProgramFactory

ROWS = 100_000
YEARS = range(2020, 2026)
#: Bytes of traced memory allowed per exported row. Holding the workbook in memory costs far more:
#: an openpyxl cell alone is ~100 bytes and a value row has 19 cells (≈2 KB a row, ≈200 MB in all).
BYTES_PER_ROW = 200


@pytest.fixture
def hundred_thousand_values(db):
    program = ProgramFactory()
    per_indicator = len(YEARS) * 2
    indicators = Indicator.objects.bulk_create(
        Indicator(
            organization_id=program.organization_id,
            program=program,
            kind=IndicatorKind.OUTCOME,
            name=f"指標{i}",
            unit="件",
            order=i,
        )
        for i in range(-(-ROWS // per_indicator))
    )
    values = (
        IndicatorValue(indicator=indicator, fiscal_year=fy, value_type=value_type, value=Decimal(n % 1000))
        for n, (indicator, fy, value_type) in enumerate(
            (i, fy, t) for i in indicators for fy in YEARS for t in (ValueType.TARGET, ValueType.ACTUAL)
        )
    )
    IndicatorValue.objects.bulk_create(values, batch_size=5000)
    assert IndicatorValue.objects.count() >= ROWS
    return program


def test_100k_value_rows_export_with_bounded_memory(hundred_thousand_values, tmp_path):
    path = tmp_path / "big.xlsx"
    scope = DatasetScope(evaluation_fy=2025)
    tracemalloc.start()
    try:
        rows = export_write(scope, "xlsx", str(path), sheet="indicator_values")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows >= ROWS
    size = path.stat().st_size
    print(f"peak {peak / 1e6:.1f} MB for {rows} rows = {peak / rows:.0f} B/row; file {size / 1e6:.1f} MB")
    assert peak < rows * BYTES_PER_ROW
