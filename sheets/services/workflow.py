"""The review workflow of every sheet form: 作成中 → 提出済 → (差戻し → 提出済) → 承認済 → 公開.

Each transition is one atomic service call, refused unless the user may take it now; it bumps the
sheet's version (an editor still holding the page gets the stale-version refusal) and records who,
when and why in SheetTransition.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sheets.choices import SheetStatus, SignatoryRole
from sheets.history import records_history
from sheets.models import EvaluationSheet, SheetSignatory, SheetTransition
from sheets.names import person_name
from sheets.permissions import can_edit_sheet, can_review_sheet, evaluator_unit_over, is_administrator


class Action(models.TextChoices):
    SUBMIT = "submit", gettext_lazy("提出する")
    RETURN = "return", gettext_lazy("差し戻す")
    APPROVE = "approve", gettext_lazy("承認する")
    PUBLISH = "publish", gettext_lazy("公開する")
    REOPEN = "reopen", gettext_lazy("承認を取り消して再開する")


@dataclass(frozen=True)
class Rule:
    sources: frozenset[str]
    target: str
    needs_comment: bool


RULES = {
    Action.SUBMIT: Rule(frozenset({SheetStatus.DRAFT, SheetStatus.RETURNED}), SheetStatus.SUBMITTED, False),
    Action.RETURN: Rule(frozenset({SheetStatus.SUBMITTED}), SheetStatus.RETURNED, True),
    Action.APPROVE: Rule(frozenset({SheetStatus.SUBMITTED}), SheetStatus.APPROVED, False),
    Action.PUBLISH: Rule(frozenset({SheetStatus.APPROVED}), SheetStatus.PUBLISHED, False),
    Action.REOPEN: Rule(frozenset({SheetStatus.APPROVED, SheetStatus.PUBLISHED}), SheetStatus.RETURNED, True),
}


def _may(user, sheet: EvaluationSheet, action: Action) -> bool:
    if action == Action.SUBMIT:
        return can_edit_sheet(user, sheet)
    if action in (Action.RETURN, Action.APPROVE):
        return can_review_sheet(user, sheet)
    if action == Action.REOPEN and sheet.status == SheetStatus.APPROVED:
        return can_review_sheet(user, sheet)
    # Publishing, and taking a published sheet back, are the administrator's.
    return is_administrator(user, sheet.organization_id)


def allowed_actions(user, sheet: EvaluationSheet) -> list[Action]:
    """The transitions the user may take on the sheet now (the buttons the page offers)."""
    if sheet.locked_at is not None:
        return []
    return [a for a, rule in RULES.items() if sheet.status in rule.sources and _may(user, sheet, a)]


@records_history
@transaction.atomic
def sheet_transition(*, sheet: EvaluationSheet, action: str, by, comment: str = "") -> EvaluationSheet:
    """Move the sheet to the action's status, or refuse with a Japanese message and change nothing."""
    action = Action(action)
    rule = RULES[action]
    locked = (
        EvaluationSheet.objects.select_for_update(of=("self",))
        .select_related("organization", "program__owner_unit__parent", "policy_node__lead_unit__parent")
        .get(pk=sheet.pk)
    )
    if locked.locked_at is not None:
        raise ValidationError(_("この年度は確定済みのため、状態を変更できません。"), code="year_locked")
    if locked.status not in rule.sources:
        raise ValidationError(
            _("「%(status)s」のシートに「%(action)s」操作はできません。")
            % {"status": locked.get_status_display(), "action": action.label},
            code="status",
        )
    if not _may(by, locked, action):
        raise PermissionDenied(_("この操作を行う権限がありません。"))
    comment = comment.strip()
    if rule.needs_comment and not comment:
        raise ValidationError({"comment": _("%(action)s理由を入力してください。") % {"action": action.label}})
    SheetTransition.objects.create(
        sheet=locked, action=action, from_status=locked.status, to_status=rule.target, by=by, comment=comment
    )
    locked.status = rule.target
    locked.version += 1
    locked.updated_by = by
    locked.save(update_fields=["status", "version", "updated_by", "updated_at"])
    if action == Action.APPROVE:
        sign_as_evaluator(locked, by)
    return locked


def sign_as_evaluator(sheet: EvaluationSheet, by) -> SheetSignatory | None:
    """The approving 課長 / 部長 becomes the sheet's 評価者 for their unit (職名 from the unit).

    An administrator approving on someone's behalf signs nothing: the 評価者 stays as entered.
    """
    unit = evaluator_unit_over(by, sheet)
    if unit is None:
        return None
    title = unit.head_title or f"{unit.name}長"
    evaluators = SheetSignatory.objects.filter(sheet=sheet, role=SignatoryRole.EVALUATOR)
    signatory = (
        evaluators.filter(org_unit=unit).first()
        or evaluators.filter(org_unit__isnull=True, title=title).first()
        or SheetSignatory(sheet=sheet, role=SignatoryRole.EVALUATOR, order=evaluators.count() + 1)
    )
    signatory.org_unit = unit
    signatory.title = title
    signatory.person_name = person_name(by, "　")  # 氏名 as the forms print it
    signatory.save()
    return signatory


__all__ = ["RULES", "Action", "allowed_actions", "sheet_transition", "sign_as_evaluator"]
