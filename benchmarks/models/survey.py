"""The national survey reference (seed 003, docs/forms.md §8): questions, crosstabs and the report's notes.

Cells keep the printed figures and their source line; corrected cells carry ``derived`` and the printed
value next to the corrected one, so the report's own inconsistencies stay visible (forms.md §6.5).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from benchmarks.choices import AnswerType, BreakdownKey
from sheets.models import Organization, SizeClass


class Survey(models.Model):
    """全国調査: one national reference survey, loaded from fixtures/survey/."""

    code = models.SlugField(_("コード"), max_length=60, unique=True)
    title = models.CharField(_("調査名"), max_length=200)
    title_note = models.CharField(_("調査名の注記"), max_length=200, blank=True)
    fiscal_year = models.PositiveSmallIntegerField(_("調査年度"))
    population_n = models.PositiveIntegerField(_("調査対象数"))
    population_text = models.CharField(_("調査対象"), max_length=200, blank=True)
    responses_n = models.PositiveIntegerField(_("有効回答数"))
    response_rate = models.DecimalField(_("回収率（%）"), max_digits=4, decimal_places=1)
    fielded_from = models.DateField(_("発送日"), null=True, blank=True)
    fielded_to = models.DateField(_("回答受付の最終日"), null=True, blank=True)
    channel = models.CharField(_("回答方法"), max_length=200, blank=True)
    conventions = models.JSONField(_("集計上の注意"), default=list, blank=True)
    source_file = models.CharField(_("出典ファイル"), max_length=200, blank=True)
    src_lines = models.JSONField(_("出典行"), default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("全国調査")

    def __str__(self):
        return self.title


class SurveyIssue(models.Model):
    """報告書の不整合: a data-quality problem of the report itself, shown as a note, never silently fixed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="issues")
    code = models.CharField(_("番号"), max_length=20)
    text = models.TextField(_("内容"))
    src_lines = models.JSONField(_("出典行"), default=list, blank=True)
    question = models.ForeignKey(
        "SurveyQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="issues"
    )

    class Meta:
        ordering = ["survey", "code"]
        verbose_name = verbose_name_plural = _("調査報告書の不整合")
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="benchmarks_issue_unique")]

    def __str__(self):
        return self.code


class SurveyQuestion(models.Model):
    """設問 (Q1 … Q19); questions the report leaves out are kept with answer_type ``absent``."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    code = models.CharField(_("設問番号"), max_length=10)
    title = models.TextField(_("設問"), blank=True)
    answer_type = models.CharField(_("回答形式"), max_length=10, choices=AnswerType.choices)
    base_condition = models.CharField(_("回答対象"), max_length=200, blank=True)
    base_n = models.PositiveIntegerField(_("回答数（全体）"), null=True, blank=True)
    stages = models.JSONField(_("段階（窓口×段階の設問）"), default=list, blank=True)
    note = models.TextField(_("注記"), blank=True)
    src_lines = models.JSONField(_("出典行"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order"]
        verbose_name = verbose_name_plural = _("調査の設問")
        constraints = [models.UniqueConstraint(fields=["survey", "code"], name="benchmarks_question_unique")]

    def __str__(self):
        return f"{self.code} {self.title}"


class SurveyOption(models.Model):
    """選択肢 of a question, labelled as the report's tables print it."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("コード"), max_length=10)
    label = models.CharField(_("選択肢"), max_length=300)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order"]
        verbose_name = verbose_name_plural = _("調査の選択肢")
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="benchmarks_option_unique")]

    def __str__(self):
        return self.label


class SurveyBreakdown(models.Model):
    """One printed crosstab: a question broken down by size class, program status or window type."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="breakdowns")
    key = models.CharField(_("集計軸"), max_length=20, choices=BreakdownKey.choices)
    title = models.CharField(_("表題"), max_length=300)
    note = models.TextField(_("注記"), blank=True)
    issue = models.ForeignKey(SurveyIssue, null=True, blank=True, on_delete=models.SET_NULL)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order"]
        verbose_name = verbose_name_plural = _("調査のクロス集計")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="benchmarks_breakdown_unique")
        ]

    def __str__(self):
        return f"{self.question.code} × {self.get_key_display()}"


class SurveyRow(models.Model):
    """A row of a crosstab: 全体 (the total) or one group such as a size class."""

    breakdown = models.ForeignKey(SurveyBreakdown, on_delete=models.CASCADE, related_name="rows")
    label = models.CharField(_("区分"), max_length=200)
    is_total = models.BooleanField(_("全体の行"), default=False)
    size_class = models.ForeignKey(SizeClass, null=True, blank=True, on_delete=models.PROTECT)
    src_lines = models.JSONField(_("出典行"), default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["breakdown", "order"]
        verbose_name = verbose_name_plural = _("クロス集計の行")
        constraints = [
            models.UniqueConstraint(fields=["breakdown", "order"], name="benchmarks_row_unique_order")
        ]

    def __str__(self):
        return self.label


class SurveyCell(models.Model):
    """件数 and ％ of one option in one row (and stage): the base, the printed figures, the source line."""

    row = models.ForeignKey(SurveyRow, on_delete=models.CASCADE, related_name="cells")
    option = models.ForeignKey(SurveyOption, on_delete=models.CASCADE, related_name="cells")
    stage = models.PositiveSmallIntegerField(_("段階"), default=0, help_text=_("窓口×段階の設問のみ（1〜）"))
    base_n = models.PositiveIntegerField(_("基数"))
    base_n_printed = models.PositiveIntegerField(
        _("印刷された基数"), null=True, blank=True, help_text=_("報告書の印刷値が基数と異なる場合のみ")
    )
    count = models.PositiveIntegerField(_("件数"), null=True, blank=True)
    count_printed = models.PositiveIntegerField(
        _("印刷された件数"), null=True, blank=True, help_text=_("報告書の印刷値を補正した場合のみ")
    )
    pct = models.DecimalField(_("％"), max_digits=4, decimal_places=1, null=True, blank=True)
    derived = models.BooleanField(_("補正値"), default=False)
    issue = models.ForeignKey(SurveyIssue, null=True, blank=True, on_delete=models.SET_NULL)
    src_line = models.PositiveIntegerField(_("出典行"), null=True, blank=True)

    class Meta:
        ordering = ["row", "stage", "option__order"]
        verbose_name = verbose_name_plural = _("クロス集計の値")
        constraints = [
            models.UniqueConstraint(fields=["row", "option", "stage"], name="benchmarks_cell_unique")
        ]

    def __str__(self):
        return f"{self.row} {self.option} {self.count}"


class SurveyFinding(models.Model):
    """A figure the report's text states (8割を超える, 79.1% …), with its line; flagged when it misleads."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="findings")
    statement = models.TextField(_("記述"))
    value = models.JSONField(_("値"), null=True, blank=True)
    src_line = models.PositiveIntegerField(_("出典行"))
    question = models.ForeignKey(SurveyQuestion, null=True, blank=True, on_delete=models.SET_NULL)
    issue = models.ForeignKey(SurveyIssue, null=True, blank=True, on_delete=models.SET_NULL)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["survey", "order"]
        verbose_name = verbose_name_plural = _("調査報告書の記述")

    def __str__(self):
        return self.statement


class HearingCase(models.Model):
    """ヒアリング調査の自治体 (14 anonymous municipalities of the report's hearing part)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="hearing_cases")
    no = models.PositiveSmallIntegerField(_("番号"))
    size_label = models.CharField(_("自治体区分"), max_length=60)
    region = models.CharField(_("地域"), max_length=20)
    suishin = models.CharField(_("推進事業"), max_length=60, blank=True)
    juso = models.CharField(_("重層的支援体制整備事業"), max_length=60, blank=True)
    window = models.CharField(_("窓口"), max_length=100, blank=True)
    handling = models.CharField(_("対応"), max_length=60, blank=True)
    annual_cases = models.PositiveIntegerField(_("年間相談件数"), null=True, blank=True)
    cases_note = models.CharField(_("相談件数の注記"), max_length=200, blank=True)
    method_mix = models.CharField(_("相談方法"), max_length=200, blank=True)
    client_mix = models.JSONField(_("相談者"), null=True, blank=True)
    issue = models.ForeignKey(SurveyIssue, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["survey", "no"]
        verbose_name = verbose_name_plural = _("ヒアリング調査の自治体")
        constraints = [models.UniqueConstraint(fields=["survey", "no"], name="benchmarks_hearing_unique")]

    def __str__(self):
        return f"{self.no} {self.size_label}"


class SurveyOwnAnswer(models.Model):
    """The municipality's own answer to a survey question (one row per chosen option), to show beside
    the national figures; entered by an administrator, or as the municipality answered the survey."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="survey_answers")
    option = models.ForeignKey(SurveyOption, on_delete=models.CASCADE, related_name="own_answers")
    note = models.CharField(_("根拠・注記"), max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = _("自団体の回答")
        constraints = [
            models.UniqueConstraint(fields=["organization", "option"], name="benchmarks_own_answer_unique")
        ]

    def __str__(self):
        return f"{self.organization} {self.option}"
