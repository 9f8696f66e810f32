"""Database constraints and validators: invariants hold whatever code writes the rows."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from indicators.choices import CostBasis, ValueStatus, ValueType
from indicators.models import CostRecord, IndicatorValue
from sheets.models import Organization, ProgramYear
from sheets.validators import lg_code_check_digit, validate_lg_code
from tests.factories import CostRecordFactory, IndicatorFactory, ProgramFactory


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("131016", "千代田区"),
        ("142042", "鎌倉市"),
        ("142131", "大和市"),
        ("142166", "座間市"),
        ("472018", "那覇市"),
        ("132152", "国立市"),
        ("470007", "沖縄県"),
        ("011002", "札幌市"),
    ],
)
def test_real_lg_codes_pass_the_check_digit(code, name):
    """The check digit of real 全国地方公共団体コード validates."""
    validate_lg_code(code)
    assert lg_code_check_digit(code[:5]) == int(code[5])


@pytest.mark.parametrize("code", ["142041", "14204", "14204２", "abcdef"])
def test_wrong_lg_codes_are_refused_with_a_japanese_message(code):
    with pytest.raises(ValidationError, match="全国地方公共団体コード"):
        validate_lg_code(code)


@pytest.mark.django_db
def test_organization_full_clean_names_the_correct_check_digit():
    org = Organization(name="鎌倉市", kind="city", lg_code="142041")
    with pytest.raises(ValidationError, match="142042"):
        org.full_clean()


@pytest.mark.django_db
def test_a_status_token_is_never_stored_as_a_number():
    """未実施 is a status: a row that carries both a status and a value violates the constraint."""
    indicator = IndicatorFactory()
    IndicatorValue.objects.create(
        indicator=indicator,
        fiscal_year=2020,
        value_type=ValueType.ACTUAL,
        value=None,
        status=ValueStatus.NOT_CONDUCTED,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=indicator,
            fiscal_year=2021,
            value_type=ValueType.ACTUAL,
            value=0,
            status=ValueStatus.PENDING,
        )


@pytest.mark.django_db
def test_one_value_per_indicator_year_and_type():
    indicator = IndicatorFactory()
    IndicatorValue.objects.create(indicator=indicator, fiscal_year=2024, value_type=ValueType.ACTUAL, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.create(
            indicator=indicator, fiscal_year=2024, value_type=ValueType.ACTUAL, value=2
        )


@pytest.mark.django_db
def test_one_cost_record_per_program_year_and_basis_and_no_negative_amounts():
    record = CostRecordFactory(basis=CostBasis.SETTLEMENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostRecord.objects.create(
            program=record.program, fiscal_year=record.fiscal_year, basis=CostBasis.SETTLEMENT
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        CostRecordFactory(amount=Decimal("-1"))


@pytest.mark.django_db
def test_a_personnel_cost_override_needs_a_reason():
    program = ProgramFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgramYear.objects.create(
            program=program, fiscal_year=2024, personnel_cost_override=Decimal("72014")
        )
    ProgramYear.objects.create(
        program=program,
        fiscal_year=2024,
        personnel_cost_override=Decimal("72014"),
        personnel_override_reason="再任用職員と時間単位の会計年度任用職員を含むため",
    )
