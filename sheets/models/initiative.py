"""「主な取組」検証票 (Okinawa, form 001): the PDCA parts of the initiative sheet (forms.md §3)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sheets.history import tracked

from .evaluation import EvaluationSheet
from .organization import ChoiceOption
from .programs import Program


class OkinawaInitiativeSheet(models.Model):
    """「主な取組」検証票: the parts of the initiative sheet that no other form has (2 Do)."""

    sheet = models.OneToOneField(EvaluationSheet, on_delete=models.CASCADE, related_name="initiative_sheet")
    activity_overview = models.TextField(_("活動概要"), blank=True)
    activity_done = models.TextField(_("S年度活動内容"), blank=True)
    activity_plan = models.TextField(_("S+1年度活動計画"), blank=True)
    progress_status = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("進捗状況"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status_basis = models.TextField(_("進捗状況の判定根拠、要因及び取組の効果"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = verbose_name_plural = _("検証票の記載事項")

    def __str__(self):
        return str(self.sheet)


class InitiativePlanYear(models.Model):
    """主な取組（アクティビティ）の年度別計画: the plan text of an initiative for one plan year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="plan_years")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    plan_text = models.TextField(_("年度別計画"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["program", "fiscal_year"]
        verbose_name = verbose_name_plural = _("主な取組の年度別計画")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "fiscal_year"], name="sheets_initiativeplanyear_unique"
            ),
        ]

    def __str__(self):
        return f"{self.program} {self.fiscal_year}"


class CheckFactor(models.Model):
    """3 取組の検証（Check）: one factor with its 類型 (OKI_CHECK_TYPE, with its category)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="check_factors")
    factor_type = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("類型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("内容"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("取組の検証")

    def __str__(self):
        return f"{self.sheet_id} {self.order}"


class ImprovementPlan(models.Model):
    """4 取組の改善案（Action）: one plan for target_fy (S+1); next year's sheet reflects on it in 2 (2)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="improvement_plans")
    plan_type = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("類型"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content = models.TextField(_("内容"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    target_fy = models.PositiveSmallIntegerField(_("対象年度"))
    related_factor = models.ForeignKey(
        CheckFactor,
        verbose_name=_("対応する検証"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvement_plans",
    )

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("取組の改善案")

    def __str__(self):
        return f"{self.sheet_id} {self.order}"


class ImprovementReflection(models.Model):
    """2 (2) これまでの改善案の反映状況: last year's improvement plan (snapshot) and how it was reflected."""

    sheet = models.ForeignKey(
        EvaluationSheet, on_delete=models.CASCADE, related_name="improvement_reflections"
    )
    source_plan = models.ForeignKey(
        ImprovementPlan,
        verbose_name=_("前年度の改善案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reflections",
    )
    plan_text = models.TextField(_("取組改善案"), blank=True)
    reflection_text = models.TextField(_("反映状況"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("改善案の反映状況")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "source_plan"],
                condition=Q(source_plan__isnull=False),
                name="sheets_improvementreflection_unique_source",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.order}"
