"""行政評価シート（施策の方針）: the per-program rows of §3 that only the policy sheet has."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sheets.history import tracked

from .evaluation import EvaluationSheet
from .organization import ChoiceOption
from .programs import Program


class ProgramPolicyEvaluation(models.Model):
    """§3 施策の方針にひもづく事務事業とその評価結果: one linked program's 事業評価, 貢献度 and 最終評価.

    The money columns of the row are never stored here: they are rolled up from the program's own
    cost records and staffing by ``sheets.selectors.policy_sheet``.
    """

    sheet = models.ForeignKey(
        EvaluationSheet, on_delete=models.CASCADE, related_name="program_policy_evaluations"
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="policy_evaluations")
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    program_evaluation = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("事業評価"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("空欄のときは個表の今後の方針を表示します"),
    )
    contribution = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("貢献度"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    final_evaluation = models.ForeignKey(
        ChoiceOption, verbose_name=_("最終評価"), on_delete=models.PROTECT, related_name="+"
    )

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("施策の方針にひもづく事業の評価")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "program"], name="sheets_programpolicyevaluation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.program}"
