"""施策マネジメントシート (Kunitachi, form 004): the grades and their reasons that only this form has.

Everything else the sheet prints lives elsewhere: the policy tree (対象, 目的, 展開方向 with 目的 and
手段), the indicators and their yearly values, the costs of the linked programs, and the narrative
blocks of §5–§7 (NarrativeBlock, section keys ``004.*``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sheets.history import tracked

from .evaluation import EvaluationSheet
from .organization import ChoiceOption


def _grade(verbose_name):
    return models.ForeignKey(
        ChoiceOption,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )


class PolicyManagementSheet(models.Model):
    """§4 評価 (A–E) of the outcome indicators, §4(3) and §6(2) 総合評価.

    The suggested grades of §4(1)(2) are computed from the data (``sheets.selectors``), never
    stored; what is stored is the grade the evaluator chose and, when it is two or more steps
    away from the suggestion, why.
    """

    sheet = models.OneToOneField(
        EvaluationSheet, on_delete=models.CASCADE, related_name="policy_management_sheet"
    )
    goal_grade = _grade(_("施策全体の成果実績目標達成度"))
    goal_grade_reason = models.TextField(_("目標達成度を提案と変えた理由"), blank=True)
    trend_grade = _grade(_("時系列比較（過去3ヶ年の比較）"))
    trend_grade_reason = models.TextField(_("時系列比較を提案と変えた理由"), blank=True)
    grade_background = models.TextField(_("上記（1）（2）の理由・背景として考えられること"), blank=True)
    overall_grade = _grade(_("施策の総合評価"))

    history = tracked()

    class Meta:
        verbose_name = verbose_name_plural = _("施策マネジメントシートの評価")

    def __str__(self):
        return str(self.sheet)
