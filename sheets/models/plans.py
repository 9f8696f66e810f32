"""Plans and the policy tree (分野 > 施策の方針, 政策 > 基本施策 > 展開方向, …)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hikikomori_eval.numbers import normalize_width
from sheets.choices import PlanKind

from .organization import Organization, OrgUnit


class Plan(models.Model):
    """計画: 総合計画, 基本計画, 実施計画 … with its period."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="plans")
    name = models.CharField(_("計画名"), max_length=120)
    kind = models.CharField(_("種別"), max_length=20, choices=PlanKind.choices)
    start_fy = models.PositiveSmallIntegerField(_("開始年度"))
    end_fy = models.PositiveSmallIntegerField(_("終了年度"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["organization", "-start_fy"]
        verbose_name = verbose_name_plural = _("計画")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_fy__lte=models.F("end_fy")), name="sheets_plan_start_before_end"
            ),
        ]

    def __str__(self):
        return self.name


class PolicyLevel(models.Model):
    """One level of a plan's policy tree, with the city's own name for it (分野, 施策の方針 …)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="levels")
    depth = models.PositiveSmallIntegerField(_("階層"))
    label = models.CharField(_("階層名"), max_length=40)

    class Meta:
        ordering = ["plan", "depth"]
        verbose_name = verbose_name_plural = _("施策体系の階層")
        constraints = [
            models.UniqueConstraint(fields=["plan", "depth"], name="sheets_policylevel_unique_depth"),
        ]

    def __str__(self):
        return self.label


class PolicyNode(models.Model):
    """施策体系の項目: one node of the policy tree at a configured level."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level = models.ForeignKey(PolicyLevel, on_delete=models.PROTECT)
    code_raw = models.CharField(_("番号（入力どおり）"), max_length=30, blank=True)
    code = models.CharField(_("番号"), max_length=30, blank=True)
    name = models.CharField(_("名称"), max_length=200)
    vision_text = models.TextField(_("目標とするまちの姿"), blank=True)
    purpose_text = models.TextField(_("目的"), blank=True)
    direction_text = models.TextField(_("施策の方向"), blank=True)
    target_items = models.JSONField(_("対象"), default=list, blank=True)
    means_items = models.JSONField(_("手段"), default=list, blank=True)
    lead_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("施策統括課"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_policy_nodes",
    )
    related_units = models.ManyToManyField(
        OrgUnit, verbose_name=_("主な関係課"), blank=True, related_name="related_policy_nodes"
    )
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["plan", "order", "code"]
        verbose_name = verbose_name_plural = _("施策体系の項目")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"], condition=~models.Q(code=""), name="sheets_policynode_unique_code"
            ),
        ]

    def __str__(self):
        return f"{self.code}　{self.name}" if self.code else self.name

    def clean(self):
        # Codes arrive as ４-(1)-① as often as 4-(1)-①: keep what was typed, key on the normal form.
        if self.code_raw and not self.code:
            self.code = normalize_width(self.code_raw)
        self.code = normalize_width(self.code)


class PolicyNodeItem(models.Model):
    """施策の概要の主な取組 (1)…(n): belongs to the plan, not to a year."""

    policy_node = models.ForeignKey(PolicyNode, on_delete=models.CASCADE, related_name="items")
    no = models.PositiveSmallIntegerField(_("番号"))
    title = models.CharField(_("見出し"), max_length=200)
    description = models.TextField(_("説明"), blank=True)

    class Meta:
        ordering = ["policy_node", "no"]
        verbose_name = verbose_name_plural = _("施策の主な取組")
        constraints = [
            models.UniqueConstraint(fields=["policy_node", "no"], name="sheets_policynodeitem_unique_no"),
        ]

    def __str__(self):
        return f"({self.no}) {self.title}"
