"""Fixtures of the dataset tests: media files go to a temporary folder."""

import io

import pytest
from openpyxl import load_workbook

from datasets.selectors import DatasetScope
from datasets.services import COMMAND_LINE_USER, export_write


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def export_bytes():
    """The dataset of an evaluation year as xlsx bytes (all organisations)."""

    def _export(year=2025, **scope):
        out = io.BytesIO()
        export_write(DatasetScope(evaluation_fy=year, **scope), "xlsx", out)
        return out.getvalue()

    return _export


@pytest.fixture
def open_xlsx():
    def _open(content: bytes, **kwargs):
        return load_workbook(io.BytesIO(content), **kwargs)

    return _open


@pytest.fixture
def cli_user():
    return COMMAND_LINE_USER


def table_snapshot():
    """Every indicator value, cost record and funding line as plain tuples (to diff before/after)."""
    from indicators.models import CostRecord, FundingLine, IndicatorValue

    return {
        "values": {
            (v.indicator_id, v.fiscal_year, v.value_type): (v.value, v.status, v.provisional, v.note)
            for v in IndicatorValue.objects.all()
        },
        "costs": {
            (c.program_id, c.policy_node_id, c.fiscal_year, c.basis): (
                c.amount,
                c.work_hours,
                c.personnel_cost,
            )
            for c in CostRecord.objects.all()
        },
        "lines": {(line.cost_record_id, line.source_type): line.amount for line in FundingLine.objects.all()},
    }


def diff(before: dict, after: dict) -> dict:
    """{table: {key: (old, new)}} of the rows that differ."""
    changed = {}
    for table in before:
        keys = set(before[table]) | set(after[table])
        rows = {
            k: (before[table].get(k), after[table].get(k))
            for k in keys
            if before[table].get(k) != after[table].get(k)
        }
        if rows:
            changed[table] = rows
    return changed


def find_row(ws, **match) -> int:
    """The row number of the first data row whose cells (by header) equal ``match``."""
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        values = {h: c.value for h, c in zip(headers, row, strict=False)}
        if all(values.get(k) == v for k, v in match.items()):
            return row[0].row
    raise AssertionError(f"no row {match}")


def column_letter(ws, header: str) -> str:
    from openpyxl.utils import get_column_letter

    headers = [c.value for c in ws[1]]
    return get_column_letter(headers.index(header) + 1)


def save_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
