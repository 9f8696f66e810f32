"""The synthetic installation of the benchmarks (sheets.scale_data), at a tiny size."""

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from indicators.models import CostRecord, FundingLine, IndicatorValue
from sheets import exports
from sheets.choices import FormType, SheetStatus
from sheets.models import EvaluationSheet, Organization, Program
from sheets.scale_data import ScaleSpec, generate, municipality_codes
from sheets.validators import validate_lg_code

TINY = ScaleSpec(municipalities=2, programs_per=3, years=3, seed=7)


def _digest() -> str:
    rows = [
        *IndicatorValue.objects.order_by(
            "indicator__program__code", "indicator__name", "fiscal_year", "value_type"
        ).values_list("indicator__program__organization__lg_code", "indicator__name", "fiscal_year", "value"),
        *CostRecord.objects.filter(program__isnull=False)
        .order_by("program__organization__lg_code", "program__name", "fiscal_year", "basis")
        .values_list("program__organization__lg_code", "program__name", "fiscal_year", "basis", "amount"),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_codes_are_valid_and_never_real_local_numbers():
    codes = municipality_codes(1741, prefectures=47)
    assert len(set(codes)) == 1741
    for code in codes[:60] + codes[-60:]:
        validate_lg_code(code)
        assert code[2] == "9"


def test_tiny_installation_has_every_part(db):
    assert generate(TINY, log=lambda _: None) == 2
    assert Organization.objects.filter(lg_code__in=municipality_codes(2)).count() == 2
    assert Program.objects.filter(kind="program").count() == 6
    assert Program.objects.filter(kind="sub_program").count() >= 6
    program_sheets = EvaluationSheet.objects.filter(form_type=FormType.KAMAKURA_PROGRAM)
    assert program_sheets.count() == 2 * 3 * 3  # municipalities × programs × years
    current = program_sheets.filter(evaluation_fy=2025)
    assert set(current.values_list("status", flat=True)) == {SheetStatus.DRAFT}
    assert set(current.values_list("version", flat=True)) == {2}  # saved once through program_sheet_save
    assert not program_sheets.filter(evaluation_fy__lt=2025, locked_at__isnull=True).exists()
    assert EvaluationSheet.objects.filter(form_type=FormType.KAMAKURA_POLICY, version=2).count() == 2 * 24
    assert FundingLine.objects.exists()

    for sheet in current:
        ctx = exports.sheet_context(sheet)
        assert ctx.warnings == []  # Σ 財源内訳 = 事業費 in every column
        assert ctx.project_costs[0] is not None and ctx.sub_rows and ctx.reference_indicators
        assert ctx.sheet.program_sheet.activities_summary


def test_only_missing_is_idempotent_and_plain_rerun_refuses(db):
    generate(TINY, log=lambda _: None)
    before = _digest()
    assert generate(TINY, only_missing=True, log=lambda _: None) == 0
    assert _digest() == before
    with pytest.raises(ValueError, match="--only-missing"):
        generate(TINY, log=lambda _: None)
    assert generate(ScaleSpec(municipalities=3, programs_per=3, years=3, seed=7), only_missing=True) == 1


def test_same_seed_gives_the_same_data(db):
    digests = []
    for _ in range(2):
        with transaction.atomic():
            generate(ScaleSpec(municipalities=1, programs_per=2, years=2, seed=3), log=lambda _: None)
            digests.append(_digest())
            transaction.set_rollback(True)
    assert digests[0] == digests[1]


def test_command_prints_progress_in_japanese(db):
    out = StringIO()
    args = ["--municipalities", "1", "--programs-per", "2", "--years", "2", "--no-policy-sheets"]
    call_command("generate_scale_data", *args, stdout=out)
    assert "1団体を作成しました" in out.getvalue()
    assert "1/1" in out.getvalue()
    call_command("generate_scale_data", *args, "--only-missing", stdout=out)
    assert "0団体を作成しました" in out.getvalue()
    with pytest.raises(CommandError, match="作成済み"):
        call_command("generate_scale_data", *args, stdout=out)
