"""Evaluation sheets: the base every form shares, and the parts of the 個表 (program sheet)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sheets.choices import FormType, SheetStatus, SignatoryRole
from sheets.history import tracked

from .organization import ChoiceOption, ChoiceSet, Organization, OrgUnit
from .plans import PolicyNode
from .programs import Program


class EvaluationSheetQuerySet(models.QuerySet):
    def for_year(self, evaluation_fy: int):
        return self.filter(evaluation_fy=evaluation_fy)

    def of_form(self, form_type: str):
        return self.filter(form_type=form_type)

    def editable(self):
        return self.filter(status__in=[SheetStatus.DRAFT, SheetStatus.RETURNED], locked_at__isnull=True)


class EvaluationSheet(models.Model):
    """評価シート: one form about one program or policy node in one evaluation year (E)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sheets")
    form_type = models.CharField(_("様式"), max_length=20, choices=FormType.choices)
    evaluation_fy = models.PositiveSmallIntegerField(_("評価年度"))
    program = models.ForeignKey(
        Program,
        verbose_name=_("評価対象事業"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sheets",
    )
    policy_node = models.ForeignKey(
        PolicyNode,
        verbose_name=_("評価対象の施策"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sheets",
    )
    sheet_date = models.DateField(_("作成日"), null=True, blank=True)
    status = models.CharField(
        _("状態"), max_length=20, choices=SheetStatus.choices, default=SheetStatus.DRAFT
    )
    locked_at = models.DateTimeField(_("確定日時"), null=True, blank=True)
    frozen_values = models.JSONField(_("確定時の計算値"), null=True, blank=True)
    # Optimistic locking: a save based on an older version is refused, never silently applied.
    version = models.PositiveIntegerField(_("版"), default=1)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = tracked()

    objects = EvaluationSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-evaluation_fy", "form_type", "program__code", "id"]
        verbose_name = verbose_name_plural = _("評価シート")
        constraints = [
            models.CheckConstraint(
                condition=Q(program__isnull=False, policy_node__isnull=True)
                | Q(program__isnull=True, policy_node__isnull=False),
                name="sheets_evaluationsheet_one_subject",
            ),
            models.UniqueConstraint(
                fields=["form_type", "evaluation_fy", "program"],
                condition=Q(program__isnull=False),
                name="sheets_evaluationsheet_unique_program_sheet",
            ),
            models.UniqueConstraint(
                fields=["form_type", "evaluation_fy", "policy_node"],
                condition=Q(policy_node__isnull=False),
                name="sheets_evaluationsheet_unique_policy_sheet",
            ),
        ]

    def __str__(self):
        return f"{self.evaluation_fy} {self.get_form_type_display()} {self.program or self.policy_node}"

    @property
    def subject(self):
        """The program or policy node the sheet evaluates."""
        return self.program or self.policy_node

    @property
    def owner_unit(self):
        """主管課: the program's owner, or the policy node's 施策統括課."""
        return self.program.owner_unit if self.program_id else self.policy_node.lead_unit

    @property
    def subject_fy(self) -> int:
        """S: the year whose results the sheet evaluates."""
        return self.evaluation_fy - 1

    @property
    def is_editable(self) -> bool:
        return self.locked_at is None and self.status in (SheetStatus.DRAFT, SheetStatus.RETURNED)


class SheetSignatory(models.Model):
    """評価者 (or 施策統括課長) printed on a sheet; a policy sheet has one per department."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="signatories")
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT)
    role = models.CharField(
        _("役割"), max_length=20, choices=SignatoryRole.choices, default=SignatoryRole.EVALUATOR
    )
    title = models.CharField(_("職名"), max_length=60)
    person_name = models.CharField(_("氏名"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("評価者")

    def __str__(self):
        return f"{self.title}　{self.person_name}"


class NarrativeBlock(models.Model):
    """A free-text block of a sheet, keyed by section (× department, × sub-program, × column)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="narratives")
    section_key = models.CharField(_("欄"), max_length=40)
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT)
    sub_program = models.ForeignKey(Program, null=True, blank=True, on_delete=models.CASCADE)
    column_key = models.CharField(_("列"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField(_("記述"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["sheet", "section_key", "order", "id"]
        verbose_name = verbose_name_plural = _("記述欄")
        constraints = [
            models.UniqueConstraint(
                "sheet",
                "section_key",
                Coalesce("org_unit", 0),
                Coalesce("sub_program", 0),
                "column_key",
                name="sheets_narrativeblock_unique_slot",
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.section_key}"


class ProgramSheet(models.Model):
    """行政評価シート【個表】: the parts of the program sheet that no other form has."""

    sheet = models.OneToOneField(EvaluationSheet, on_delete=models.CASCADE, related_name="program_sheet")
    activities_summary = models.TextField(_("前年度に実施した事業の概要"), blank=True)
    direction = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("今後の方針"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    direction_text = models.TextField(_("【今後の方針】"), blank=True)
    benchmark_rationale = models.TextField(_("当該事業実施に伴う他市比較に関する考え方"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = verbose_name_plural = _("個表の記載事項")

    def __str__(self):
        return str(self.sheet)


class SubProgramEvaluation(models.Model):
    """5(1) 最小事業評価: the three texts about one sub-program."""

    sheet = models.ForeignKey(
        EvaluationSheet, on_delete=models.CASCADE, related_name="sub_program_evaluations"
    )
    sub_program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="evaluations")
    indicator_analysis = models.TextField(_("指標分析の推移、目標未達の理由"), blank=True)
    contribution_validity = models.TextField(
        _("上位施策にどう寄与したか、構成する事業としての妥当性"), blank=True
    )
    issues_improvements = models.TextField(_("事業実施上の課題、改善点"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = verbose_name_plural = _("最小事業評価")
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "sub_program"], name="sheets_subprogramevaluation_unique"
            ),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.sub_program}"


class ViewpointQuestion(models.Model):
    """5(2) 視点別評価 question, answered from its choice set (versioned by fiscal year)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="viewpoint_questions"
    )
    viewpoint = models.CharField(_("視点"), max_length=20)
    key = models.SlugField(_("キー"), max_length=40)
    text = models.CharField(_("設問"), max_length=200)
    choice_set = models.ForeignKey(ChoiceSet, null=True, blank=True, on_delete=models.PROTECT)
    order = models.PositiveSmallIntegerField(default=0)
    valid_from_fy = models.PositiveSmallIntegerField(_("適用開始年度"), default=2000)
    free_text_required_for = models.CharField(
        _("自由記述が必要な選択肢"),
        max_length=20,
        blank=True,
        help_text=_("例: 協働実施済（1）の場合にパートナーの記入を求める"),
    )

    class Meta:
        ordering = ["organization", "order"]
        verbose_name = verbose_name_plural = _("視点別評価の設問")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "key", "valid_from_fy"], name="sheets_viewpointquestion_unique"
            ),
        ]

    def __str__(self):
        return f"{self.viewpoint}: {self.text}"


class ViewpointAnswer(models.Model):
    """The answer a sheet gives to one viewpoint question."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="viewpoint_answers")
    question = models.ForeignKey(ViewpointQuestion, on_delete=models.PROTECT)
    option = models.ForeignKey(
        ChoiceOption, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    free_text = models.TextField(_("記述"), blank=True)

    history = tracked()

    class Meta:
        verbose_name = verbose_name_plural = _("視点別評価の回答")
        constraints = [
            models.UniqueConstraint(fields=["sheet", "question"], name="sheets_viewpointanswer_unique"),
        ]

    def __str__(self):
        return f"{self.sheet_id} {self.question.key}"
