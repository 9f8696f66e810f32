"""factory_boy factories for behaviour tests; reference data comes from fixtures/, never from here."""

from decimal import Decimal

import factory

from indicators.choices import CostBasis, IndicatorKind, ValueType
from indicators.models import CostRecord, Indicator, IndicatorValue
from sheets.choices import FormType, OrganizationKind, OrgUnitKind, ProgramKind
from sheets.models import EvaluationSheet, Organization, OrgUnit, Program
from sheets.validators import lg_code_check_digit


def _lg_code(n: int) -> str:
    first_five = f"{90000 + n:05d}"
    return first_five + str(lg_code_check_digit(first_five))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"テスト市{n}")
    kind = OrganizationKind.CITY
    lg_code = factory.Sequence(_lg_code)


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    organization = factory.SubFactory(OrganizationFactory)
    kind = OrgUnitKind.DIVISION
    name = factory.Sequence(lambda n: f"テスト課{n}")


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    organization = factory.SubFactory(OrganizationFactory)
    kind = ProgramKind.PROGRAM
    code = factory.Sequence(lambda n: f"試-{n}")
    name = factory.Sequence(lambda n: f"テスト事業{n}")
    owner_unit = factory.SubFactory(OrgUnitFactory, organization=factory.SelfAttribute("..organization"))


class SubProgramFactory(ProgramFactory):
    kind = ProgramKind.SUB_PROGRAM
    code = ""
    parent = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("parent.organization")
    owner_unit = factory.SelfAttribute("parent.owner_unit")
    branch_no = factory.Sequence(lambda n: n + 1)
    order = factory.SelfAttribute("branch_no")


class EvaluationSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EvaluationSheet

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    form_type = FormType.KAMAKURA_PROGRAM
    evaluation_fy = 2025


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    program = factory.SubFactory(ProgramFactory)
    organization = factory.SelfAttribute("program.organization")
    kind = IndicatorKind.ACTIVITY
    name = factory.Sequence(lambda n: f"指標{n}")
    unit = "人"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    fiscal_year = 2024
    value_type = ValueType.ACTUAL
    value = Decimal("10")


class CostRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostRecord

    program = factory.SubFactory(ProgramFactory)
    fiscal_year = 2024
    basis = CostBasis.SETTLEMENT
    amount = Decimal("100")


def add_sub_programs(program: Program, count: int, *, subject_fy: int = 2024) -> list[Program]:
    """Sub-programs with an indicator, values and costs each, so that every row has every kind of cell."""
    subs = []
    for _ in range(count):
        sub = SubProgramFactory(parent=program)
        indicator = IndicatorFactory(program=sub)
        IndicatorValueFactory(
            indicator=indicator, fiscal_year=subject_fy, value_type=ValueType.ACTUAL, value=5
        )
        IndicatorValueFactory(
            indicator=indicator, fiscal_year=subject_fy, value_type=ValueType.TARGET, value=8
        )
        CostRecordFactory(program=sub, fiscal_year=subject_fy, basis=CostBasis.SETTLEMENT, amount=10)
        CostRecordFactory(program=sub, fiscal_year=subject_fy + 1, basis=CostBasis.BUDGET, amount=12)
        subs.append(sub)
    return subs
