"""Lineage (旧事業): a successor's 個表 continues its predecessors' cost, staffing and indicator history."""

import subprocess
from decimal import Decimal

import pytest

from indicators.choices import CostBasis, FundingSource, IndicatorKind, ValueType
from indicators.models import FundingLine, StaffAllocation, StaffCategory
from sheets import exports
from sheets.selectors.program_sheet import program_sheet_context
from tests.factories import (
    CostRecordFactory,
    EvaluationSheetFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    ProgramFactory,
)

pytestmark = pytest.mark.django_db


def _reference(program, name="相談件数", unit="件"):
    return IndicatorFactory(program=program, kind=IndicatorKind.REFERENCE, name=name, unit=unit)


@pytest.fixture
def successor_sheet():
    """健康相談事業 (ended FY2024) continues as 地域相談支援事業 (from FY2025); its sheet of 令和7年度."""
    old = ProgramFactory(name="健康相談事業", valid_to_fy=2024)
    new = ProgramFactory(
        organization=old.organization, owner_unit=old.owner_unit, name="地域相談支援事業", valid_from_fy=2025
    )
    new.predecessors.add(old)

    settled = CostRecordFactory(program=old, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=500)
    FundingLine.objects.create(
        cost_record=settled, source_type=FundingSource.NATIONAL_PREFECTURAL, amount=200
    )
    CostRecordFactory(program=new, fiscal_year=2025, basis=CostBasis.BUDGET, amount=650)

    category = StaffCategory.objects.create(organization=old.organization, code="regular", label="正規職員等")
    StaffAllocation.objects.create(program=old, category=category, fiscal_year=2023, fte=Decimal("1.50"))
    StaffAllocation.objects.create(program=old, category=category, fiscal_year=2024, fte=Decimal("2.00"))
    StaffAllocation.objects.create(program=new, category=category, fiscal_year=2025, fte=Decimal("2.50"))

    old_indicator = _reference(old)
    for year, value in ((2022, 30), (2023, 41), (2024, 52)):
        IndicatorValueFactory(
            indicator=old_indicator, fiscal_year=year, value_type=ValueType.ACTUAL, value=value
        )
    unrelated = _reference(old, name="訪問件数")
    IndicatorValueFactory(indicator=unrelated, fiscal_year=2024, value_type=ValueType.ACTUAL, value=999)
    own = _reference(new)
    IndicatorValueFactory(indicator=own, fiscal_year=2025, value_type=ValueType.TARGET, value=60)
    return EvaluationSheetFactory(program=new, evaluation_fy=2025)


def test_costs_staffing_and_indicators_continue_from_the_former_program(successor_sheet):
    ctx = program_sheet_context(sheet_id=successor_sheet.pk)

    assert ctx.former_program_names == "健康相談事業"
    settlement, initial, budget = ctx.project_costs
    assert (settlement, initial, budget) == (Decimal(500), None, Decimal(650))
    national = next(r for r in ctx.funding_rows if r.source_type == FundingSource.NATIONAL_PREFECTURAL)
    general = next(r for r in ctx.funding_rows if r.source_type == FundingSource.GENERAL)
    assert national.amounts[0] == 200 and general.amounts[0] == 300  # derived from the former's record
    assert any("令和6年度決算は旧事業（健康相談事業）の額です" in note for note in ctx.lineage_notes)

    (staff,) = ctx.staff_rows
    assert dict(zip(ctx.staff_years, staff.ftes, strict=True))[2023] == Decimal("1.50")
    assert dict(zip(ctx.staff_years, staff.ftes, strict=True))[2025] == Decimal("2.50")

    (reference,) = ctx.reference_indicators  # the former's other indicator is not the successor's
    actuals = dict(zip(ctx.reference_years, (c.number for c in reference.actuals), strict=True))
    targets = dict(zip(ctx.reference_years, (c.number for c in reference.targets), strict=True))
    assert (actuals[2022], actuals[2023], actuals[2024]) == (30, 41, 52)
    assert targets[2025] == 60


def test_the_programs_own_records_win_over_the_former_programs(successor_sheet):
    CostRecordFactory(
        program=successor_sheet.program, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=80
    )
    ctx = program_sheet_context(sheet_id=successor_sheet.pk)
    assert ctx.project_costs[0] == 80
    assert not any("決算は旧事業" in note for note in ctx.lineage_notes)


def test_the_printed_sheet_names_the_former_program(successor_sheet, tmp_path):
    path = tmp_path / "sheet.pdf"
    path.write_bytes(exports.sheet_export(successor_sheet, "pdf").content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    assert "旧事業名：健康相談事業" in text
    assert "500" in text


def test_lineage_keeps_the_query_count(successor_sheet, django_assert_max_num_queries):
    with django_assert_max_num_queries(30) as one_former:
        program_sheet_context(sheet_id=successor_sheet.pk)
    program = successor_sheet.program
    for n in range(3):  # a merger of four programs
        former = ProgramFactory(organization=program.organization, name=f"統合前事業{n}", valid_to_fy=2024)
        CostRecordFactory(program=former, fiscal_year=2024, basis=CostBasis.SETTLEMENT, amount=10)
        IndicatorValueFactory(indicator=_reference(former), fiscal_year=2023, value=n)
        program.predecessors.add(former)
    with django_assert_max_num_queries(len(one_former)):
        ctx = program_sheet_context(sheet_id=successor_sheet.pk)
    assert ctx.project_costs[0] == 530
