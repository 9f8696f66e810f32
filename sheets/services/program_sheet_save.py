"""The 個表 save service: one atomic write of every section, refused on a stale version."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from benchmarks.models import BenchmarkComparison, BenchmarkEntry
from benchmarks.services import benchmark_entry_save
from hikikomori_eval.numbers import ParsedValue
from hikikomori_eval.wareki import fy_label
from indicators.choices import IndicatorKind, ValueType
from indicators.models import (
    CostRecord,
    FundingLine,
    Indicator,
    IndicatorValue,
    StaffAllocation,
)
from sheets import history
from sheets.choices import DIRECTION, ProgramKind, SignatoryRole
from sheets.history import records_history
from sheets.models import (
    ChoiceOption,
    EvaluationSheet,
    Organization,
    OrgUnit,
    PolicyNode,
    Program,
    ProgramPolicyLink,
    ProgramRelatedUnit,
    ProgramSheet,
    ProgramYear,
    SheetSignatory,
    SubProgramEvaluation,
    ViewpointAnswer,
    ViewpointQuestion,
)
from sheets.selectors import (
    KAMAKURA_FUNDING_ROWS,
    choice_options,
)

from .locking import lock_for_edit, mark_saved
from .program_sheet_input import (
    BLANK_VALUE,
    BenchmarkEntryInput,
    HeaderInput,
    ProgramSheetInput,
    ReferenceIndicatorInput,
    StaffingInput,
    SubProgramInput,
    ViewpointInput,
    cost_columns,
    funding_problems,
    staff_years,
)


@records_history
@transaction.atomic
def program_sheet_save(
    *, sheet: EvaluationSheet, data: ProgramSheetInput, by, expected_version: int
) -> EvaluationSheet:
    """Save every section of a 個表 at once, or nothing.

    Optimistic locking: the sheet row is locked (``select_for_update``; SQLite takes the write
    lock at BEGIN) and a save based on another version than the stored one raises
    :class:`StaleSheetError`. On success ``version`` goes up by one and ``updated_by`` is set.
    Sub-programs, reference indicators and benchmark entries missing from ``data`` are removed.
    """
    locked = lock_for_edit(sheet, expected_version, "program", "organization")
    program = locked.program
    e, s = locked.evaluation_fy, locked.subject_fy
    years = staff_years(e)

    program_years = {
        py.fiscal_year: py for py in ProgramYear.objects.filter(program=program, fiscal_year__in=years)
    }
    _check_input(locked, data, years)
    _save_header(locked, program, data.header, program_years)
    subs = _save_sub_programs(locked, program, data.sub_programs)
    _save_sub_program_years(subs, s)
    _save_sub_program_costs(subs, e)
    _save_sub_program_indicators(locked, subs, e)
    _save_sub_program_evaluations(locked, subs)
    _save_funding(program, data, e)
    _save_staffing(program, data.staffing, years, program_years)
    _save_program_years(program_years)
    _save_viewpoints(locked, data.viewpoints)
    _save_program_sheet(locked, data)
    _save_reference_indicators(locked, program, data.reference_indicators, years)
    _save_benchmarks(locked, data.benchmark_entries)

    return mark_saved(locked, by)


def _check_input(sheet: EvaluationSheet, data: ProgramSheetInput, years) -> None:
    """The rules the forms already enforce, checked again where the data is written."""
    errors = []
    own_amounts = {}
    if not data.sub_programs:  # 事業費 is then the program's own amount (not edited on this page)
        records = {
            (r.fiscal_year, r.basis): r.amount
            for r in CostRecord.objects.filter(
                program=sheet.program, fiscal_year__in=[sheet.subject_fy, sheet.evaluation_fy]
            )
        }
        own_amounts = {
            c.basis: records.get((c.fiscal_year, c.basis)) for c in cost_columns(sheet.evaluation_fy)
        }
    errors.extend(
        funding_problems(
            evaluation_fy=sheet.evaluation_fy,
            sub_programs=data.sub_programs,
            funding=data.funding,
            own_amounts=own_amounts,
        ).values()
    )
    errors.extend(_foreign_reference_problems(sheet, data))
    for fy in years:
        override = data.staffing.overrides.get(fy)
        if override is not None and not data.staffing.override_reasons.get(fy, "").strip():
            errors.append(
                _("%(year)s: 人件費を手入力する場合は、その理由を記入してください")
                % {"year": fy_label(fy, "plain")}
            )
        if override is not None and override < 0:
            errors.append(_("%(year)s: 人件費は0以上で入力してください") % {"year": fy_label(fy, "plain")})
    for row in data.sub_programs:
        if not row.has_indicator and not all(v.is_blank for v in (row.actual_s, row.target_s, row.target_e)):
            errors.append(
                _("%(row)s: 指標の値を入力する場合は、指標名を入力してください") % {"row": row.name}
            )
        if any(amount is not None and amount < 0 for amount in row.amounts.values()):
            errors.append(_("%(row)s: 金額は0以上で入力してください") % {"row": row.name})
    if errors:
        raise ValidationError(errors)


def _foreign_reference_problems(sheet: EvaluationSheet, data: ProgramSheetInput) -> list[str]:
    """Units, the policy node and the direction must belong to the sheet's organisation and year."""
    problems = []
    header = data.header
    unit_ids = {header.owner_unit_id, *header.related_unit_ids} - {None}
    if unit_ids and OrgUnit.objects.filter(
        organization_id=sheet.organization_id, pk__in=unit_ids
    ).count() != len(unit_ids):
        problems.append(_("主管課・関連課に、この団体の組織ではないものが含まれています"))
    if (
        header.policy_node_id
        and not PolicyNode.objects.filter(
            pk=header.policy_node_id, plan__organization_id=sheet.organization_id
        ).exists()
    ):
        problems.append(_("総合計画上の位置付けが、この団体の施策体系にありません"))
    if (
        data.direction_id
        and not choice_options(
            DIRECTION, organization_id=sheet.organization_id, fiscal_year=sheet.evaluation_fy
        )
        .filter(pk=data.direction_id)
        .exists()
    ):
        problems.append(_("今後の方針の選択肢が正しくありません"))
    return problems


def _full_clean_fields(instance) -> None:
    """Field validation of a row written in bulk, without a query per row.

    Relations are skipped (each ForeignKey check is a query; the ids come from this service's own
    lookups and the database enforces them), and so are unique and check constraints (enforced by
    the database; the rules behind them are checked in ``_check_input`` and the forms).
    """
    relations = [f.name for f in instance._meta.concrete_fields if f.is_relation]
    instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)


# ---- header, 対象・目的・意図, §2 ----------------------------------------------------------


def _save_header(sheet, program: Program, header: HeaderInput, program_years: dict[int, ProgramYear]) -> None:
    e = sheet.evaluation_fy
    if program.owner_unit_id != header.owner_unit_id:
        program.owner_unit_id = header.owner_unit_id
        _full_clean_fields(program)
        program.save(update_fields=["owner_unit"])
    _save_related_units(program, header.related_unit_ids)
    _save_evaluator(sheet, program, header)
    _save_policy_link(program, header.policy_node_id, e)

    py = program_years.get(e) or ProgramYear(program=program, fiscal_year=e)
    py.administrative_category = header.administrative_category
    py.is_priority = header.is_priority
    py.target_text = header.target_text
    py.purpose_text = header.purpose_text
    py.intended_state_text = header.intended_state_text
    program_years[e] = py


def _save_related_units(program: Program, unit_ids: Sequence[int]) -> None:
    current = list(ProgramRelatedUnit.objects.filter(program=program).order_by("order", "id"))
    current_ids = [r.org_unit_id for r in current]
    wanted = [uid for uid in current_ids if uid in unit_ids] + [
        uid for uid in unit_ids if uid not in current_ids
    ]
    if wanted == current_ids:
        return
    ProgramRelatedUnit.objects.filter(program=program).delete()
    ProgramRelatedUnit.objects.bulk_create(
        ProgramRelatedUnit(program=program, org_unit_id=uid, order=order)
        for order, uid in enumerate(wanted, start=1)
    )


def _save_evaluator(sheet, program: Program, header: HeaderInput) -> None:
    signatory = sheet.signatories.filter(role=SignatoryRole.EVALUATOR).order_by("order", "id").first()
    if not header.evaluator_title and not header.evaluator_name:
        if signatory:
            signatory.delete()
        return
    if signatory is None:
        signatory = SheetSignatory(
            sheet=sheet, role=SignatoryRole.EVALUATOR, org_unit_id=program.owner_unit_id
        )
    signatory.title = header.evaluator_title
    signatory.person_name = header.evaluator_name
    signatory.full_clean()
    signatory.save()


def _save_policy_link(program: Program, policy_node_id: int | None, fiscal_year: int) -> None:
    links = list(ProgramPolicyLink.objects.filter(program=program, fiscal_year=fiscal_year))
    primary = next((link for link in links if link.is_primary), None)
    if policy_node_id is None:
        if primary:
            primary.delete()
        return
    if primary and primary.policy_node_id == policy_node_id:
        return
    # A secondary link to the node now chosen gives way to the primary one.
    for link in links:
        if not link.is_primary and link.policy_node_id == policy_node_id:
            link.delete()
    if primary is None:
        primary = ProgramPolicyLink(program=program, fiscal_year=fiscal_year, is_primary=True)
    primary.policy_node_id = policy_node_id
    _full_clean_fields(primary)
    primary.save()


def _save_program_years(program_years: dict[int, ProgramYear]) -> None:
    for py in program_years.values():
        py.full_clean()
        py.save()


# ---- §3 sub-programs and 5(1) ---------------------------------------------------------------


@dataclass
class _SubRow:
    """A §3 row paired with the Program it is saved to."""

    data: SubProgramInput
    program: Program


def _save_sub_programs(sheet, program: Program, rows: Sequence[SubProgramInput]) -> list[_SubRow]:
    """Create, update, reorder and remove the 事務事業 of the program; rows keep the input order."""
    s, e = sheet.subject_fy, sheet.evaluation_fy
    existing = {
        sub.pk: sub
        for sub in Program.objects.filter(parent=program, kind=ProgramKind.SUB_PROGRAM).active_in_any([s, e])
    }
    unknown = {row.sub_program_id for row in rows if row.sub_program_id} - existing.keys()
    if unknown:
        raise ValidationError(
            _("この事業に属さない事務事業の行があります。画面を開き直してください。"), code="unknown_row"
        )

    result, to_update, to_create = [], [], []
    for order, row in enumerate(rows, start=1):
        sub = existing.get(row.sub_program_id) if row.sub_program_id else None
        if sub is None:
            sub = Program(
                organization_id=program.organization_id,
                kind=ProgramKind.SUB_PROGRAM,
                parent=program,
                owner_unit_id=program.owner_unit_id,
                valid_from_fy=s,
            )
            to_create.append(sub)
        elif (sub.name, sub.branch_no, sub.order) != (row.name, row.branch_no, order):
            to_update.append(sub)
        sub.name, sub.branch_no, sub.order = row.name, row.branch_no, order
        _full_clean_fields(sub)
        result.append(_SubRow(row, sub))
    history.bulk_create(Program, to_create)
    history.bulk_update(Program, to_update, ["name", "branch_no", "order"])
    kept = {r.program.pk for r in result}
    _remove_sub_programs([sub for pk, sub in existing.items() if pk not in kept], subject_fy=s)
    return result


def _remove_sub_programs(subs: list[Program], *, subject_fy: int) -> None:
    """A removed row ends the 事務事業 before S when earlier years hold its data, else deletes it."""
    if not subs:
        return
    ids = [sub.pk for sub in subs]
    with_history = (
        set(
            CostRecord.objects.filter(program_id__in=ids, fiscal_year__lt=subject_fy).values_list(
                "program_id", flat=True
            )
        )
        | set(
            IndicatorValue.objects.filter(
                indicator__program_id__in=ids, fiscal_year__lt=subject_fy
            ).values_list("indicator__program_id", flat=True)
        )
        | set(
            ProgramYear.objects.filter(program_id__in=ids, fiscal_year__lt=subject_fy).values_list(
                "program_id", flat=True
            )
        )
    )
    ended = [
        sub
        for sub in subs
        if sub.pk in with_history and (sub.valid_from_fy is None or sub.valid_from_fy < subject_fy)
    ]
    for sub in ended:
        sub.valid_to_fy = subject_fy - 1
    history.bulk_update(Program, ended, ["valid_to_fy"])
    Program.objects.filter(pk__in=set(ids) - {sub.pk for sub in ended}).delete()


def _save_sub_program_years(subs: list[_SubRow], subject_fy: int) -> None:
    """実施した主な事業（主な経費等） lives on the sub-program's ProgramYear of S."""
    existing = {
        py.program_id: py
        for py in ProgramYear.objects.filter(program__in=[r.program for r in subs], fiscal_year=subject_fy)
    }
    to_create, to_update = [], []
    for row in subs:
        py = existing.get(row.program.pk)
        if py is None:
            if row.data.main_expenses:
                to_create.append(
                    ProgramYear(
                        program=row.program, fiscal_year=subject_fy, main_expenses=row.data.main_expenses
                    )
                )
        elif py.main_expenses != row.data.main_expenses:
            py.main_expenses = row.data.main_expenses
            to_update.append(py)
    for py in [*to_create, *to_update]:
        _full_clean_fields(py)
    history.bulk_create(ProgramYear, to_create)
    history.bulk_update(ProgramYear, to_update, ["main_expenses"])


def _save_sub_program_costs(subs: list[_SubRow], evaluation_fy: int) -> None:
    """事業費 of each sub-program per column (a blank amount stays blank, never 0)."""
    columns = cost_columns(evaluation_fy)
    existing = {
        (r.program_id, r.fiscal_year, r.basis): r
        for r in CostRecord.objects.filter(
            program__in=[row.program for row in subs], fiscal_year__in={c.fiscal_year for c in columns}
        )
    }
    to_create, to_update = [], []
    for row in subs:
        for column in columns:
            amount = row.data.amounts.get(column.basis)
            record = existing.get((row.program.pk, column.fiscal_year, column.basis))
            if record is None:
                if amount is not None:
                    to_create.append(
                        CostRecord(
                            program=row.program,
                            fiscal_year=column.fiscal_year,
                            basis=column.basis,
                            amount=amount,
                        )
                    )
            elif record.amount != amount:
                record.amount = amount
                to_update.append(record)
    for record in [*to_create, *to_update]:
        _full_clean_fields(record)
    history.bulk_create(CostRecord, to_create)
    history.bulk_update(CostRecord, to_update, ["amount"])


def _save_sub_program_indicators(sheet, subs: list[_SubRow], evaluation_fy: int) -> None:
    """The activity indicator of each row (blank name = none) and its S actual/target, E target."""
    s = evaluation_fy - 1
    first: dict[int, Indicator] = {}
    for indicator in Indicator.objects.filter(
        program__in=[row.program for row in subs], kind=IndicatorKind.ACTIVITY
    ).order_by("order", "id"):
        first.setdefault(indicator.program_id, indicator)
    to_create, to_update, to_delete = [], [], []
    wanted_rows = []
    for row in subs:
        indicator = first.get(row.program.pk)
        if not row.data.has_indicator:
            if indicator:
                to_delete.append(indicator.pk)
            continue
        name, unit = row.data.indicator_name.strip(), row.data.indicator_unit.strip()
        if indicator is None:
            indicator = Indicator(
                organization_id=sheet.organization_id,
                program=row.program,
                kind=IndicatorKind.ACTIVITY,
                order=1,
            )
            to_create.append(indicator)
        elif (indicator.name, indicator.unit) != (name, unit):
            to_update.append(indicator)
        indicator.name, indicator.unit = name, unit
        _full_clean_fields(indicator)
        wanted_rows.append((indicator, row.data))
    Indicator.objects.filter(pk__in=to_delete).delete()
    history.bulk_create(Indicator, to_create)
    history.bulk_update(Indicator, to_update, ["name", "unit"])
    _sync_values(
        {
            indicator.pk: {
                (s, ValueType.ACTUAL): data.actual_s,
                (s, ValueType.TARGET): data.target_s,
                (evaluation_fy, ValueType.TARGET): data.target_e,
            }
            for indicator, data in wanted_rows
        }
    )


def _sync_values(wanted: Mapping[int, Mapping[tuple[int, str], ParsedValue]]) -> None:
    """Write the given (fiscal year, value type) cells of indicators; a blank cell deletes the value.

    A status token (未実施, 未定, ―) is stored as its status with no number, never as 0.
    """
    if not wanted:
        return
    years = {fy for cells in wanted.values() for fy, _ in cells}
    existing = {
        (v.indicator_id, v.fiscal_year, v.value_type): v
        for v in IndicatorValue.objects.filter(indicator_id__in=list(wanted), fiscal_year__in=years)
    }
    to_create, to_update, to_delete = [], [], []
    for indicator_id, cells in wanted.items():
        for (fy, value_type), parsed in cells.items():
            current = existing.get((indicator_id, fy, value_type))
            if parsed.is_blank:
                if current:
                    to_delete.append(current.pk)
                continue
            fields = {
                "value": parsed.value,
                "status": parsed.status,
                "raw_text": parsed.raw_text,
                "provisional": parsed.provisional,
            }
            if current is None:
                current = IndicatorValue(
                    indicator_id=indicator_id, fiscal_year=fy, value_type=value_type, **fields
                )
                to_create.append(current)
            elif any(getattr(current, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(current, k, v)
                to_update.append(current)
            _full_clean_fields(current)
    IndicatorValue.objects.filter(pk__in=to_delete).delete()
    history.bulk_create(IndicatorValue, to_create)
    history.bulk_update(IndicatorValue, to_update, ["value", "status", "raw_text", "provisional"])


def _save_sub_program_evaluations(sheet, subs: list[_SubRow]) -> None:
    """5(1) 最小事業評価: one row per sub-program of the sheet; rows of removed sub-programs go."""
    existing = {ev.sub_program_id: ev for ev in SubProgramEvaluation.objects.filter(sheet=sheet)}
    text_fields = ["indicator_analysis", "contribution_validity", "issues_improvements"]
    to_create, to_update = [], []
    for row in subs:
        texts = {name: getattr(row.data, name) for name in text_fields}
        evaluation = existing.pop(row.program.pk, None)
        if evaluation is None:
            if any(texts.values()):
                to_create.append(SubProgramEvaluation(sheet=sheet, sub_program=row.program, **texts))
        elif any(getattr(evaluation, k) != v for k, v in texts.items()):
            for k, v in texts.items():
                setattr(evaluation, k, v)
            to_update.append(evaluation)
    for evaluation in [*to_create, *to_update]:
        _full_clean_fields(evaluation)
    history.bulk_create(SubProgramEvaluation, to_create)
    history.bulk_update(SubProgramEvaluation, to_update, text_fields)
    SubProgramEvaluation.objects.filter(pk__in=[ev.pk for ev in existing.values()]).delete()


# ---- §3 footer: 財源内訳 --------------------------------------------------------------------


def _save_funding(program: Program, data: ProgramSheetInput, evaluation_fy: int) -> None:
    """Funding lines of the program per column; a blank 一般財源 is stored blank (derived when shown)."""
    columns = cost_columns(evaluation_fy)
    records = {
        (r.fiscal_year, r.basis): r
        for r in CostRecord.objects.filter(program=program, fiscal_year__in={c.fiscal_year for c in columns})
    }
    for column in columns:
        lines = data.funding.get(column.basis, {})
        if (column.fiscal_year, column.basis) not in records and any(v is not None for v in lines.values()):
            record = CostRecord(program=program, fiscal_year=column.fiscal_year, basis=column.basis)
            _full_clean_fields(record)
            record.save()
            records[(column.fiscal_year, column.basis)] = record
    existing = {
        (line.cost_record_id, line.source_type): line
        for line in FundingLine.objects.filter(
            cost_record__in=list(records.values()), source_type__in=KAMAKURA_FUNDING_ROWS
        )
    }
    to_create, to_update, to_delete = [], [], []
    for column in columns:
        record = records.get((column.fiscal_year, column.basis))
        if record is None:
            continue
        for source in KAMAKURA_FUNDING_ROWS:
            amount = data.funding.get(column.basis, {}).get(source)
            line = existing.get((record.pk, source))
            if amount is None:
                if line:
                    to_delete.append(line.pk)
            elif line is None:
                to_create.append(FundingLine(cost_record=record, source_type=source, amount=amount))
            elif line.amount != amount:
                line.amount = amount
                to_update.append(line)
    for line in [*to_create, *to_update]:
        _full_clean_fields(line)
    FundingLine.objects.filter(pk__in=to_delete).delete()
    history.bulk_create(FundingLine, to_create)
    history.bulk_update(FundingLine, to_update, ["amount"])


# ---- §4 staffing and 人件費 override -------------------------------------------------------


def _save_staffing(
    program: Program, staffing: StaffingInput, years, program_years: dict[int, ProgramYear]
) -> None:
    existing = {
        (a.fiscal_year, a.category_id): a
        for a in StaffAllocation.objects.filter(program=program, fiscal_year__in=years)
    }
    to_create, to_update, to_delete = [], [], []
    for (fy, category_id), fte in staffing.ftes.items():
        if fy not in years:
            continue
        allocation = existing.get((fy, category_id))
        if fte is None:
            if allocation:
                to_delete.append(allocation.pk)
        elif allocation is None:
            to_create.append(
                StaffAllocation(program=program, fiscal_year=fy, category_id=category_id, fte=fte)
            )
        elif allocation.fte != fte:
            allocation.fte = fte
            to_update.append(allocation)
    for allocation in [*to_create, *to_update]:
        _full_clean_fields(allocation)
    StaffAllocation.objects.filter(pk__in=to_delete).delete()
    history.bulk_create(StaffAllocation, to_create)
    history.bulk_update(StaffAllocation, to_update, ["fte"])

    for fy in years:
        override = staffing.overrides.get(fy)
        reason = staffing.override_reasons.get(fy, "").strip()
        py = program_years.get(fy)
        if py is None and override is None and not reason:
            continue
        py = py or ProgramYear(program=program, fiscal_year=fy)
        py.personnel_cost_override = override
        py.personnel_override_reason = reason
        program_years[fy] = py


# ---- 5(2) 視点別評価, 5(3) 総合評価, 【参考】 texts --------------------------------------------


def _save_viewpoints(sheet, answers: Sequence[ViewpointInput]) -> None:
    questions = {
        q.pk: q
        for q in ViewpointQuestion.objects.filter(
            organization_id=sheet.organization_id, pk__in=[a.question_id for a in answers]
        )
    }
    options = _options_with_children([a.option_id for a in answers if a.option_id])
    existing = {a.question_id: a for a in ViewpointAnswer.objects.filter(sheet=sheet)}
    to_create, to_update = [], []
    for answer in answers:
        question = questions.get(answer.question_id)
        if question is None:
            raise ValidationError(
                _("視点別評価の設問が見つかりません。画面を開き直してください。"), code="unknown_question"
            )
        option = options.get(answer.option_id) if answer.option_id else None
        if answer.option_id and (option is None or option.choice_set_id != question.choice_set_id):
            raise ValidationError(
                _("「%(question)s」の選択肢が正しくありません。") % {"question": question.text},
                code="invalid_option",
            )
        if option is not None and option.has_children:
            raise ValidationError(
                _("「%(question)s」: 「%(code)s %(label)s」の下の選択肢から選んでください。")
                % {"question": question.text, "code": option.code, "label": option.label}
            )
        current = existing.get(question.pk)
        if current is None:
            to_create.append(
                ViewpointAnswer(sheet=sheet, question=question, option=option, free_text=answer.free_text)
            )
        elif (current.option_id, current.free_text) != (answer.option_id, answer.free_text):
            current.option_id, current.free_text = answer.option_id, answer.free_text
            to_update.append(current)
    history.bulk_create(ViewpointAnswer, to_create)
    history.bulk_update(ViewpointAnswer, to_update, ["option", "free_text"])


def _options_with_children(option_ids: Iterable[int]) -> dict[int, ChoiceOption]:
    """Options by id, each with ``has_children`` set (a parent such as △ cannot be the answer)."""
    ids = list(option_ids)
    if not ids:
        return {}
    parents = set(ChoiceOption.objects.filter(parent_id__in=ids).values_list("parent_id", flat=True))
    options = {o.pk: o for o in ChoiceOption.objects.filter(pk__in=ids)}
    for option in options.values():
        option.has_children = option.pk in parents
    return options


def _save_program_sheet(sheet, data: ProgramSheetInput) -> None:
    program_sheet = ProgramSheet.objects.filter(sheet=sheet).first() or ProgramSheet(sheet=sheet)
    program_sheet.activities_summary = data.header.activities_summary
    program_sheet.direction_id = data.direction_id
    program_sheet.direction_text = data.direction_text
    program_sheet.benchmark_rationale = data.benchmark_rationale
    program_sheet.full_clean()
    program_sheet.save()


# ---- 【参考】 reference indicators ---------------------------------------------------------


def _save_reference_indicators(
    sheet, program: Program, rows: Sequence[ReferenceIndicatorInput], years
) -> None:
    existing = {
        ind.pk: ind for ind in Indicator.objects.filter(program=program, kind=IndicatorKind.REFERENCE)
    }
    unknown = {row.indicator_id for row in rows if row.indicator_id} - existing.keys()
    if unknown:
        raise ValidationError(
            _("この事業に属さない参考指標の行があります。画面を開き直してください。"), code="unknown_row"
        )
    to_create, to_update, saved = [], [], []
    for order, row in enumerate(rows, start=1):
        indicator = existing.pop(row.indicator_id, None) if row.indicator_id else None
        values = (row.name.strip(), row.unit.strip(), row.rationale, order)
        if indicator is None:
            indicator = Indicator(
                organization_id=sheet.organization_id,
                program=program,
                kind=IndicatorKind.REFERENCE,
                decimals=1,
            )
            to_create.append(indicator)
        elif (indicator.name, indicator.unit, indicator.rationale, indicator.order) != values:
            to_update.append(indicator)
        indicator.name, indicator.unit, indicator.rationale, indicator.order = values
        _full_clean_fields(indicator)
        saved.append((indicator, row))
    Indicator.objects.filter(pk__in=list(existing)).delete()
    history.bulk_create(Indicator, to_create)
    history.bulk_update(Indicator, to_update, ["name", "unit", "rationale", "order"])
    _sync_values(
        {
            indicator.pk: {
                **{(fy, ValueType.TARGET): row.targets.get(fy, BLANK_VALUE) for fy in years},
                **{(fy, ValueType.ACTUAL): row.actuals.get(fy, BLANK_VALUE) for fy in years},
            }
            for indicator, row in saved
        }
    )


# ---- 他市比較・ベンチマーク -----------------------------------------------------------------


def _save_benchmarks(sheet, entries: Sequence[BenchmarkEntryInput]) -> None:
    """Group the entries into comparisons by 比較事項 and save each changed entry through
    ``benchmark_entry_save`` (which keeps the raw text and rebuilds the parsed parts)."""
    comparisons = list(
        BenchmarkComparison.objects.filter(sheet=sheet).prefetch_related("entries").order_by("order", "id")
    )
    current_entries = {entry.pk: entry for c in comparisons for entry in c.entries.all()}
    unknown = {e.entry_id for e in entries if e.entry_id} - current_entries.keys()
    if unknown:
        raise ValidationError(
            _("このシートに属さない他市比較の行があります。画面を開き直してください。"), code="unknown_row"
        )

    by_subject: dict[str, BenchmarkComparison] = {}
    for comparison in comparisons:
        by_subject.setdefault(comparison.subject_text, comparison)
    subjects = list(dict.fromkeys(e.subject_text.strip() for e in entries))
    used = []
    for order, subject in enumerate(subjects, start=1):
        comparison = by_subject.get(subject) or BenchmarkComparison(
            sheet=sheet, subject_text=subject, reference_fy=sheet.subject_fy
        )
        if comparison.pk is None or comparison.order != order:
            comparison.order = order
            comparison.full_clean()
            comparison.save()
        used.append(comparison)
    comparison_of = {c.subject_text: c for c in used}

    names = {e.org_name.strip() for e in entries if not e.is_self}
    organizations = {o.name: o for o in Organization.objects.filter(name__in=names)}
    positions: dict[int, int] = defaultdict(int)
    for item in entries:
        comparison = comparison_of[item.subject_text.strip()]
        positions[comparison.pk] += 1
        entry = current_entries.pop(item.entry_id, None) if item.entry_id else None
        entry = entry or BenchmarkEntry()
        organization = sheet.organization if item.is_self else organizations.get(item.org_name.strip())
        wanted = {
            "comparison_id": comparison.pk,
            "organization_id": organization.pk if organization else None,
            "org_name": item.org_name.strip(),
            "is_self": item.is_self,
            "metric_label": item.metric_label.strip(),
            "value_text": item.value_text.strip(),
            "order": positions[comparison.pk],
        }
        if entry.pk is None or any(getattr(entry, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(entry, k, v)
            benchmark_entry_save(entry=entry)
    BenchmarkEntry.objects.filter(pk__in=list(current_entries)).delete()
    BenchmarkComparison.objects.filter(sheet=sheet).exclude(pk__in=[c.pk for c in used]).delete()
