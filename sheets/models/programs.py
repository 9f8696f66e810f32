"""Programs (事業), sub-programs (事務事業) and initiatives, with per-year attributes."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sheets.choices import AdministrativeCategory, ProgramKind
from sheets.history import tracked

from .organization import Organization, OrgUnit
from .plans import PolicyNode


class ProgramQuerySet(models.QuerySet):
    def programs(self):
        return self.filter(kind=ProgramKind.PROGRAM)

    def active_in(self, fiscal_year: int):
        """Programs that exist in the fiscal year (open-ended at either side)."""
        return self.filter(
            Q(valid_from_fy__isnull=True) | Q(valid_from_fy__lte=fiscal_year),
            Q(valid_to_fy__isnull=True) | Q(valid_to_fy__gte=fiscal_year),
        )

    def active_in_any(self, fiscal_years):
        """Programs that exist in at least one of the fiscal years."""
        first, last = min(fiscal_years), max(fiscal_years)
        return self.filter(
            Q(valid_from_fy__isnull=True) | Q(valid_from_fy__lte=last),
            Q(valid_to_fy__isnull=True) | Q(valid_to_fy__gte=first),
        )


class Program(models.Model):
    """事業 / 事務事業 / 主な取組: one node of the program tree of an organisation."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="programs")
    kind = models.CharField(
        _("種別"), max_length=20, choices=ProgramKind.choices, default=ProgramKind.PROGRAM
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位事業"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("事業番号"), max_length=20, blank=True)
    name = models.CharField(_("事業名"), max_length=200)
    branch_no = models.PositiveSmallIntegerField(_("枝番"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    owner_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("主管課"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_programs",
    )
    related_units = models.ManyToManyField(
        OrgUnit,
        verbose_name=_("関連課"),
        blank=True,
        through="ProgramRelatedUnit",
        related_name="related_programs",
    )
    valid_from_fy = models.PositiveSmallIntegerField(_("開始年度"), null=True, blank=True)
    valid_to_fy = models.PositiveSmallIntegerField(_("終了年度"), null=True, blank=True)
    predecessors = models.ManyToManyField(
        "self", verbose_name=_("旧事業"), symmetrical=False, blank=True, related_name="successors"
    )

    history = tracked()

    objects = ProgramQuerySet.as_manager()

    class Meta:
        ordering = ["organization", "code", "order", "id"]
        verbose_name = verbose_name_plural = _("事業")
        constraints = [
            models.UniqueConstraint(
                "organization",
                "code",
                Coalesce("valid_from_fy", 0),
                condition=Q(kind="program"),
                name="sheets_program_unique_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="sub_program", parent__isnull=False) | ~Q(kind="sub_program"),
                name="sheets_program_sub_program_has_parent",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    def is_active_in(self, fiscal_year: int) -> bool:
        """The in-memory twin of ``Program.objects.active_in``."""
        return (self.valid_from_fy is None or self.valid_from_fy <= fiscal_year) and (
            self.valid_to_fy is None or self.valid_to_fy >= fiscal_year
        )


class ProgramRelatedUnit(models.Model):
    """関連課 in the order the sheet prints them."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE)
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["program", "org_unit"], name="sheets_programrelatedunit_unique"),
        ]

    def __str__(self):
        return f"{self.program} / {self.org_unit}"


class ProgramYear(models.Model):
    """A program's attributes for one fiscal year (事務区分, 重点, 対象・目的・意図 …)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="years")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    administrative_category = models.CharField(
        _("事務区分"),
        max_length=20,
        choices=AdministrativeCategory.choices,
        default=AdministrativeCategory.AUTONOMOUS,
    )
    is_priority = models.BooleanField(_("重点事業"), default=False)
    main_expenses = models.TextField(_("実施した主な事業（主な経費等）"), blank=True)
    target_text = models.TextField(_("対象（誰・何を）"), blank=True)
    purpose_text = models.TextField(_("目的（何のために）"), blank=True)
    intended_state_text = models.TextField(_("意図（どのような状態にしたいか）"), blank=True)
    # 「主な取組」検証票 (form 001): 取組内容, 実施主体, 関連URL and 対応する成果指標 of an initiative.
    content_text = models.TextField(_("取組内容"), blank=True)
    implementing_body = models.CharField(
        _("実施主体"), max_length=40, blank=True, help_text=_("例: 県、市町村、民間、県・市町村")
    )
    related_url = models.URLField(_("関連URL"), blank=True)
    outcome_indicator = models.ForeignKey(
        "indicators.Indicator",
        verbose_name=_("対応する成果指標"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    personnel_cost_override = models.DecimalField(
        _("人件費（手入力）"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_("職員数×単価で計算できない場合のみ。理由の記入が必要です。"),
    )
    personnel_override_reason = models.TextField(_("人件費を手入力する理由"), blank=True)

    history = tracked()

    class Meta:
        ordering = ["program", "fiscal_year"]
        verbose_name = verbose_name_plural = _("事業の年度別情報")
        constraints = [
            models.UniqueConstraint(fields=["program", "fiscal_year"], name="sheets_programyear_unique"),
            models.CheckConstraint(
                condition=Q(personnel_cost_override__isnull=True) | ~Q(personnel_override_reason=""),
                name="sheets_programyear_override_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(personnel_cost_override__isnull=True) | Q(personnel_cost_override__gte=0),
                name="sheets_programyear_override_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.program} {self.fiscal_year}"


class ProgramPolicyLink(models.Model):
    """総合計画上の位置付け: the policy node a program serves in one fiscal year."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="policy_links")
    policy_node = models.ForeignKey(PolicyNode, on_delete=models.PROTECT, related_name="program_links")
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    is_primary = models.BooleanField(_("主たる位置付け"), default=True)

    history = tracked()

    class Meta:
        ordering = ["fiscal_year", "-is_primary"]
        verbose_name = verbose_name_plural = _("総合計画上の位置付け")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "policy_node", "fiscal_year"], name="sheets_programpolicylink_unique"
            ),
            models.UniqueConstraint(
                fields=["program", "fiscal_year"],
                condition=Q(is_primary=True),
                name="sheets_programpolicylink_one_primary",
            ),
        ]

    def __str__(self):
        return f"{self.program} → {self.policy_node} ({self.fiscal_year})"
