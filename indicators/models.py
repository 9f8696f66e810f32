"""Indicators with their yearly values, and the money and staff behind each program."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from indicators.choices import (
    AchievementMethod,
    CostBasis,
    CumulativeMode,
    FundingSource,
    IndicatorKind,
    Polarity,
    ValueStatus,
    ValueType,
)
from sheets.history import tracked
from sheets.models import ChoiceOption, Organization, PolicyNode, Program

AMOUNT = {"max_digits": 14, "decimal_places": 0}


class Indicator(models.Model):
    """指標: activity, outcome, object or reference indicator of a program or a policy node."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="indicators")
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    policy_node = models.ForeignKey(
        PolicyNode, null=True, blank=True, on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位指標"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="components",
    )
    kind = models.CharField(_("種別"), max_length=20, choices=IndicatorKind.choices)
    slot = models.CharField(_("記号"), max_length=10, blank=True, help_text=_("ア–エ、①… など"))
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    decimals = models.PositiveSmallIntegerField(_("小数点以下の桁数"), default=0)
    polarity = models.CharField(
        _("方向"), max_length=10, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER
    )
    achievement_method = models.CharField(
        _("達成度の算定方法"),
        max_length=20,
        choices=AchievementMethod.choices,
        default=AchievementMethod.RATIO,
    )
    display_cap = models.DecimalField(
        _("表示上限（比率）"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("例: 1 = 100% で表示を打ち止め（元の比率は保持）"),
    )
    cumulative_mode = models.CharField(
        _("累計の扱い"), max_length=20, choices=CumulativeMode.choices, default=CumulativeMode.NONE
    )
    cumulative_start_fy = models.PositiveSmallIntegerField(_("累計開始年度"), null=True, blank=True)
    baseline_value = models.DecimalField(_("初期値"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_label = models.CharField(_("初期値の時点"), max_length=40, blank=True)
    source_text = models.CharField(_("出典"), max_length=200, blank=True)
    rationale = models.TextField(_("指標設定理由"), blank=True)
    description = models.TextField(_("指標の説明"), blank=True)
    plan_tag = models.CharField(_("計画上の位置付け"), max_length=100, blank=True)
    remark = models.TextField(_("備考"), blank=True)
    revision_note = models.TextField(_("見直しの検討"), blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = tracked()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = verbose_name_plural = _("指標")
        constraints = [
            models.CheckConstraint(
                condition=Q(program__isnull=False, policy_node__isnull=True)
                | Q(program__isnull=True, policy_node__isnull=False),
                name="indicators_indicator_one_owner",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name


class IndicatorValue(models.Model):
    """One value of an indicator in one fiscal year: a number, or a status such as 未実施 / 未定."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    value_type = models.CharField(_("値の種類"), max_length=20, choices=ValueType.choices)
    value = models.DecimalField(_("値"), max_digits=14, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("状態"), max_length=20, choices=ValueStatus.choices, default=ValueStatus.OK)
    provisional = models.BooleanField(_("暫定値"), default=False)
    raw_text = models.CharField(_("入力どおりの値"), max_length=60, blank=True)
    note = models.CharField(_("注記"), max_length=200, blank=True)

    history = tracked()

    class Meta:
        ordering = ["indicator", "fiscal_year", "value_type"]
        verbose_name = verbose_name_plural = _("指標の値")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "value_type"], name="indicators_indicatorvalue_unique"
            ),
            # A status token is never stored as a number (未実施 is not 0), and a number has status ok.
            models.CheckConstraint(
                condition=Q(status="ok", value__isnull=False) | (~Q(status="ok") & Q(value__isnull=True)),
                name="indicators_indicatorvalue_value_xor_status",
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year} {self.value_type}"


class BudgetProject(models.Model):
    """予算事業: a budget line that may fund several programs or initiatives (counted once)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="budget_projects")
    name = models.CharField(_("予算事業名"), max_length=200)
    budget_code = models.CharField(_("予算コード"), max_length=40, blank=True)
    programs = models.ManyToManyField(Program, blank=True, related_name="budget_projects")

    class Meta:
        verbose_name = verbose_name_plural = _("予算事業")

    def __str__(self):
        return self.name


class CostRecordQuerySet(models.QuerySet):
    def for_years(self, fiscal_years):
        return self.filter(fiscal_year__in=list(fiscal_years))


class CostRecord(models.Model):
    """事業費 of one owner, fiscal year and basis (決算 / 決算見込 / 当初 / 予算), with its funding lines."""

    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.CASCADE, related_name="costs"
    )
    budget_project = models.ForeignKey(
        BudgetProject, null=True, blank=True, on_delete=models.CASCADE, related_name="costs"
    )
    policy_node = models.ForeignKey(
        PolicyNode, null=True, blank=True, on_delete=models.CASCADE, related_name="costs"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    basis = models.CharField(_("区分"), max_length=20, choices=CostBasis.choices)
    amount = models.DecimalField(
        _("事業費（千円）"),
        **AMOUNT,
        null=True,
        blank=True,
        help_text=_("事務事業を持つ事業では空欄（事務事業の合計が事業費になります）"),
    )
    work_hours = models.DecimalField(
        _("延べ業務時間"), max_digits=10, decimal_places=0, null=True, blank=True
    )
    personnel_cost = models.DecimalField(
        _("人件費（千円・時間から算定しない場合）"), **AMOUNT, null=True, blank=True
    )
    main_funding = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("主な財源"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    execution_method = models.ForeignKey(
        ChoiceOption,
        verbose_name=_("実施方法"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    history = tracked()

    objects = CostRecordQuerySet.as_manager()

    class Meta:
        ordering = ["fiscal_year", "basis"]
        verbose_name = verbose_name_plural = _("事業費")
        constraints = [
            models.CheckConstraint(
                condition=Q(program__isnull=False, budget_project__isnull=True, policy_node__isnull=True)
                | Q(program__isnull=True, budget_project__isnull=False, policy_node__isnull=True)
                | Q(program__isnull=True, budget_project__isnull=True, policy_node__isnull=False),
                name="indicators_costrecord_one_owner",
            ),
            models.UniqueConstraint(
                fields=["program", "fiscal_year", "basis"],
                condition=Q(program__isnull=False),
                name="indicators_costrecord_unique_program",
            ),
            models.UniqueConstraint(
                fields=["budget_project", "fiscal_year", "basis"],
                condition=Q(budget_project__isnull=False),
                name="indicators_costrecord_unique_budget_project",
            ),
            models.UniqueConstraint(
                fields=["policy_node", "fiscal_year", "basis"],
                condition=Q(policy_node__isnull=False),
                name="indicators_costrecord_unique_policy_node",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="indicators_costrecord_amount_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.program or self.budget_project or self.policy_node} {self.fiscal_year} {self.basis}"


class FundingLine(models.Model):
    """財源内訳: one funding source of a cost record (国県支出金, 地方債, 一般財源 …)."""

    cost_record = models.ForeignKey(CostRecord, on_delete=models.CASCADE, related_name="funding_lines")
    source_type = models.CharField(_("財源"), max_length=30, choices=FundingSource.choices)
    amount = models.DecimalField(_("金額（千円）"), **AMOUNT)

    history = tracked()

    class Meta:
        ordering = ["cost_record", "source_type"]
        verbose_name = verbose_name_plural = _("財源内訳")
        constraints = [
            models.UniqueConstraint(
                fields=["cost_record", "source_type"], name="indicators_fundingline_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="indicators_fundingline_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.get_source_type_display()} {self.amount}"


class StaffCategory(models.Model):
    """職員区分: 正規職員等, 会計年度任用職員, 再任用 … of one organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="staff_categories")
    code = models.SlugField(_("コード"), max_length=40)
    label = models.CharField(_("区分"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["organization", "order"]
        verbose_name = verbose_name_plural = _("職員区分")
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="indicators_staffcategory_unique"),
        ]

    def __str__(self):
        return self.label


class StaffAllocation(models.Model):
    """この事業に関わる職員数: FTE of one category on a program at 4月1日 of a fiscal year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="staff_allocations")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    category = models.ForeignKey(StaffCategory, on_delete=models.PROTECT)
    fte = models.DecimalField(_("人数（人工）"), max_digits=5, decimal_places=2)

    history = tracked()

    class Meta:
        ordering = ["program", "fiscal_year", "category__order"]
        verbose_name = verbose_name_plural = _("職員数")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "fiscal_year", "category"], name="indicators_staffallocation_unique"
            ),
            models.CheckConstraint(
                condition=Q(fte__gte=0), name="indicators_staffallocation_fte_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.program} {self.fiscal_year} {self.category} {self.fte}"


class PersonnelUnitCost(models.Model):
    """人件費単価: 千円 per FTE (or 円 per hour) of a staff category in a fiscal year."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="personnel_unit_costs"
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    category = models.ForeignKey(StaffCategory, null=True, blank=True, on_delete=models.PROTECT)
    per_fte = models.DecimalField(
        _("1人あたり（千円）"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    per_hour = models.DecimalField(
        _("1時間あたり（円）"), max_digits=10, decimal_places=0, null=True, blank=True
    )

    history = tracked()

    class Meta:
        ordering = ["organization", "fiscal_year", "category__order"]
        verbose_name = verbose_name_plural = _("人件費単価")
        constraints = [
            # Coalesce: a rate without a category (per hour) is unique too, on SQLite as on PostgreSQL.
            models.UniqueConstraint(
                "organization",
                "fiscal_year",
                Coalesce("category", 0),
                name="indicators_personnelunitcost_unique",
            ),
            models.CheckConstraint(
                condition=Q(per_fte__isnull=False) | Q(per_hour__isnull=False),
                name="indicators_personnelunitcost_has_rate",
            ),
            models.CheckConstraint(
                condition=(Q(per_fte__isnull=True) | Q(per_fte__gte=0))
                & (Q(per_hour__isnull=True) | Q(per_hour__gte=0)),
                name="indicators_personnelunitcost_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.fiscal_year} {self.category}"


__all__ = [
    "BudgetProject",
    "CostRecord",
    "FundingLine",
    "Indicator",
    "IndicatorValue",
    "PersonnelUnitCost",
    "StaffAllocation",
    "StaffCategory",
]
