"""Forms of the 個表 edit page: number parsing, validation messages, cross-section checks."""

from decimal import Decimal

import pytest
from django import forms as djforms

from indicators.choices import ValueStatus
from sheets import services
from sheets.forms import (
    AmountField,
    FteField,
    IndicatorValueField,
    ProgramSheetEditForm,
    ViewpointForm,
)
from sheets.models import (
    ChoiceOption,
    Plan,
    PolicyLevel,
    PolicyNode,
    ProgramPolicyLink,
    ViewpointQuestion,
)


def edit_post_data(bundle: ProgramSheetEditForm) -> dict:
    """What the browser posts for an untouched edit page (management forms included)."""
    data = {}

    def add(form):
        for bound in form:
            value, widget = bound.value(), bound.field.widget
            if isinstance(widget, djforms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = "" if value is None else str(value)

    for part in bundle.parts:
        if isinstance(part, djforms.BaseFormSet):
            add(part.management_form)
            for form in part.forms:
                add(form)
        else:
            add(part)
    return data


def bound_edit_form(sheet, **changes) -> ProgramSheetEditForm:
    """The edit form of a sheet posted back with some fields changed (keys are html names)."""
    state = services.program_sheet_edit_state(sheet_id=sheet.pk)
    data = edit_post_data(ProgramSheetEditForm(state=state))
    data.update(changes)
    return ProgramSheetEditForm(state=services.program_sheet_edit_state(sheet_id=sheet.pk), data=data)


# ---- fields ---------------------------------------------------------------------------------


class TestIndicatorValueField:
    def test_full_width_digits_are_normalised_and_the_raw_text_kept(self):
        parsed = IndicatorValueField().clean("７２")
        assert parsed.value == Decimal(72)
        assert parsed.raw_text == "７２"
        assert parsed.normalized

    def test_number_with_unit_and_thousands(self):
        parsed = IndicatorValueField().clean("1,5１5件")
        assert (parsed.value, parsed.unit) == (Decimal(1515), "件")

    @pytest.mark.parametrize(
        ("text", "status"),
        [
            ("未実施", ValueStatus.NOT_CONDUCTED),
            ("未定", ValueStatus.PENDING),
            ("―", ValueStatus.NOT_APPLICABLE),
            ("－", ValueStatus.NOT_APPLICABLE),
            ("不詳", ValueStatus.UNKNOWN),
        ],
    )
    def test_status_tokens_are_statuses_never_zero(self, text, status):
        parsed = IndicatorValueField().clean(text)
        assert parsed.status == status
        assert parsed.value is None

    def test_blank_is_blank(self):
        assert IndicatorValueField().clean("  ").is_blank

    def test_non_numeric_text_gives_the_parser_message(self):
        with pytest.raises(djforms.ValidationError) as exc:
            IndicatorValueField().clean("７２人x")
        assert '数値ではありません（"７２人x"）' in exc.value.messages[0]

    def test_unknown_status_token_is_refused_with_the_accepted_tokens(self):
        with pytest.raises(djforms.ValidationError) as exc:
            IndicatorValueField().clean("不明")
        assert '数値ではありません（"不明"）' in exc.value.messages[0]
        assert "未実施" in exc.value.messages[0]

    def test_too_many_decimals(self):
        with pytest.raises(djforms.ValidationError, match="小数第2位"):
            IndicatorValueField().clean("1.234")


class TestAmountField:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("1,356", 1356), ("１，３５６", 1356), ("1356千円", 1356), ("0", 0), ("", None), ("―", None)],
    )
    def test_amounts(self, text, expected):
        assert AmountField().clean(text) == (None if expected is None else Decimal(expected))

    @pytest.mark.parametrize("text", ["-5", "△50", "▲1"])
    def test_negative_amounts_are_refused(self, text):
        with pytest.raises(djforms.ValidationError) as exc:
            AmountField().clean(text)
        assert exc.value.messages == [f'金額は0以上で入力してください（"{text}"）']

    def test_fractions_are_refused(self):
        with pytest.raises(djforms.ValidationError, match="千円単位の整数"):
            AmountField().clean("12.5")

    def test_other_units_are_refused(self):
        with pytest.raises(djforms.ValidationError, match="千円単位の金額ではありません"):
            AmountField().clean("1356円")

    def test_non_numbers_are_refused(self):
        with pytest.raises(djforms.ValidationError, match='数値ではありません（"abc"）'):
            AmountField().clean("abc")


class TestFteField:
    def test_one_decimal_full_width(self):
        assert FteField().clean("２．１") == Decimal("2.1")

    def test_blank_and_dash_are_none(self):
        assert FteField().clean("") is None
        assert FteField().clean("―") is None

    @pytest.mark.parametrize(
        ("text", "message"), [("0.25", "小数第1位"), ("-1", "0以上"), ("未定", "数値で")]
    )
    def test_refused(self, text, message):
        with pytest.raises(djforms.ValidationError, match=message):
            FteField().clean(text)


# ---- the whole page -------------------------------------------------------------------------


@pytest.mark.django_db
class TestProgramSheetEditForm:
    def test_untouched_form_is_valid_and_gives_the_stored_values(self, demo_sheet):
        form = bound_edit_form(demo_sheet)
        assert form.is_valid(), form.error_summary()
        data = form.to_input()
        state = services.program_sheet_edit_state(sheet_id=demo_sheet.pk)
        assert data.sub_programs == state.data.sub_programs
        assert data.funding == state.data.funding
        assert data.staffing.ftes == state.data.staffing.ftes
        assert data.viewpoints == state.data.viewpoints
        assert data.benchmark_entries == state.data.benchmark_entries

    def test_funding_mismatch_names_the_column(self, demo_sheet):
        # 国県支出金 678 + 一般財源 622 = 1,300 ≠ 事業費の合計 1,356 (令和6年度決算)
        form = bound_edit_form(demo_sheet, **{"funding-settlement__general": "622"})
        assert not form.is_valid()
        message = "令和6年度決算: 財源内訳の合計 1,300 千円が事業費の合計 1,356 千円と一致しません"
        assert form.funding.errors["settlement__general"] == [message]
        assert any(item.message == message for item in form.error_summary())

    def test_blank_general_revenue_is_derived_and_adds_up(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"funding-settlement__general": ""})
        assert form.is_valid()
        derived = form.derived()
        assert derived.general_revenues["settlement"] == Decimal(678)
        assert derived.funded_totals["settlement"] == Decimal(1356)

    def test_specific_sources_above_the_project_cost(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"funding-budget__local_bond": "800"})
        assert not form.is_valid()
        assert form.funding.errors["budget__general"] == [
            "令和7年度予算: 特定財源の合計 1,497 千円が事業費の合計 1,397 千円を上回っています"
        ]

    def test_funding_is_checked_per_column_while_another_column_has_an_unreadable_amount(self, demo_sheet):
        form = bound_edit_form(
            demo_sheet, **{"sub-1-amount_settlement": "-5", "funding-initial_budget__general": "900"}
        )
        assert not form.is_valid()
        assert "settlement__general" not in form.funding.errors  # checked once -5 is fixed
        assert form.funding.errors["initial_budget__general"] == [
            "令和6年度当初: 財源内訳の合計 1,813 千円が事業費の合計 1,830 千円と一致しません"
        ]

    def test_a_field_in_error_shows_no_warning(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-actual_s": "７２人x"})
        assert not form.is_valid()
        assert form.layout() and form.sub_programs.forms[0].warning_items["actual_s"].value == []

    def test_negative_amount_in_a_row(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-1-amount_settlement": "-49"})
        assert not form.is_valid()
        assert form.sub_programs.forms[1].errors["amount_settlement"] == [
            '金額は0以上で入力してください（"-49"）'
        ]

    def test_values_without_an_indicator_name(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-1-actual_s": "5"})
        assert not form.is_valid()
        assert "指標名を入力してください" in form.sub_programs.forms[1].errors["indicator_name"][0]

    def test_duplicate_branch_numbers(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-1-branch_no": "1"})
        assert not form.is_valid()
        assert "枝番 1 が" in form.sub_programs.forms[1].errors["branch_no"][0]

    def test_deleted_row_is_not_validated_nor_counted(self, demo_sheet):
        form = bound_edit_form(
            demo_sheet,
            **{"sub-1-DELETE": "on", "sub-1-amount_settlement": "-1", "funding-settlement__general": "629"},
        )
        assert form.is_valid(), form.error_summary()
        assert [row.name for row in form.to_input().sub_programs] == [
            "ひきこもり家庭等相談支援事業",
            "ひきこもり周知啓発等事業",
            "一般事務経費",
            "居場所事業",
        ]

    def test_order_field_reorders_rows(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-ORDER": "9"})
        assert form.is_valid()
        assert form.to_input().sub_programs[-1].name == "ひきこもり家庭等相談支援事業"

    def test_added_empty_row_is_ignored_and_a_filled_one_is_kept(self, demo_sheet):
        form = bound_edit_form(
            demo_sheet,
            **{
                "sub-TOTAL_FORMS": "7",
                "sub-5-ORDER": "6",
                "sub-6-ORDER": "7",
                "sub-6-branch_no": "６",
                "sub-6-name": "新規事業",
            },
        )
        assert form.is_valid(), form.error_summary()
        rows = form.to_input().sub_programs
        assert len(rows) == 6
        assert (rows[-1].sub_program_id, rows[-1].branch_no, rows[-1].name) == (None, 6, "新規事業")

    def test_override_needs_a_reason(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"staff-override_2024": "20000"})
        assert not form.is_valid()
        assert form.staffing.errors["reason_2024"] == [
            "人件費を手入力する場合は、その理由を記入してください。"
        ]

    def test_override_with_a_reason_replaces_the_computed_personnel_cost(self, demo_sheet):
        form = bound_edit_form(
            demo_sheet, **{"staff-override_2024": "20,000", "staff-reason_2024": "再任用職員を含むため"}
        )
        assert form.is_valid()
        assert form.derived().personnel_costs[2024] == Decimal(20000)

    def test_policy_node_of_an_ended_plan_stays_selected(self, demo_sheet):
        old_plan = Plan.objects.create(
            organization=demo_sheet.organization, name="旧基本計画", kind="basic", start_fy=2014, end_fy=2019
        )
        level = PolicyLevel.objects.create(plan=old_plan, depth=1, label="施策の方針")
        old_node = PolicyNode.objects.create(plan=old_plan, level=level, code="9-(9)-⑨", name="旧施策")
        ProgramPolicyLink.objects.filter(program=demo_sheet.program, fiscal_year=2025).update(
            policy_node=old_node
        )
        form = bound_edit_form(demo_sheet)
        assert form.is_valid()
        assert form.to_input().header.policy_node_id == old_node.pk

    def test_target_without_actual_is_a_warning_not_an_error(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-actual_s": ""})
        assert form.is_valid()
        assert form.derived().row_warnings[0]["actual_s"] == ["令和6年度の実績値が未入力です"]

    def test_status_token_gives_a_blank_rate(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-actual_s": "未実施"})
        assert form.is_valid()
        assert form.derived().achievements[0].text == ""

    def test_recalculation_uses_the_typed_values(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-actual_s": "６６", "sub-1-amount_settlement": "100"})
        derived = form.derived()
        assert derived.achievements[0].text == "92%"
        assert derived.project_costs["settlement"] == Decimal(1407)

    def test_recalculation_tolerates_errors_elsewhere(self, demo_sheet):
        form = bound_edit_form(demo_sheet, **{"sub-0-actual_s": "66", "sub-2-actual_s": "７２人x"})
        derived = form.derived()
        assert derived.achievements[0].text == "92%"
        assert derived.achievements[2].text == ""


@pytest.mark.django_db
class TestViewpoints:
    def _form(self, demo_sheet, **changes):
        return bound_edit_form(demo_sheet, **changes).viewpoints

    def _field(self, key):
        return ViewpointForm.field_name(ViewpointQuestion.objects.get(key=key))

    def test_children_are_grouped_under_their_parent(self, demo_sheet):
        form = bound_edit_form(demo_sheet).viewpoints
        choices = form.fields[self._field("fairness")].choices
        groups = [label for label, value in choices if isinstance(value, list)]
        assert groups == ["△　負担未導入"]

    def test_a_parent_with_children_cannot_be_the_answer(self, demo_sheet):
        parent = ChoiceOption.objects.get(choice_set__key="KMK_VP_FAIRNESS", code="△")
        form = self._form(demo_sheet, **{f"vp-{self._field('fairness')}": str(parent.pk)})
        assert not form.is_valid()
        assert form.errors[self._field("fairness")] == [
            "「△ 負担未導入」を選んだ場合は、その下の選択肢（△-1 など）から選んでください。"
        ]

    def test_partner_required_when_collaboration_is_done(self, demo_sheet):
        done = ChoiceOption.objects.get(choice_set__key="KMK_VP_COLLABORATION", code="1")
        form = self._form(demo_sheet, **{f"vp-{self._field('collaboration')}": str(done.pk)})
        assert not form.is_valid()
        assert "この欄を記入してください" in form.errors[self._field("collaboration_partner")][0]

        form = self._form(
            demo_sheet,
            **{
                f"vp-{self._field('collaboration')}": str(done.pk),
                f"vp-{self._field('collaboration_partner')}": "NPO法人○○",
            },
        )
        assert form.is_valid()
