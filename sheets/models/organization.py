"""Municipalities, their org units, people's roles and configurable choice lists."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from sheets.choices import OrganizationKind, OrgUnitKind, Role
from sheets.validators import validate_lg_code


class SizeClass(models.Model):
    """自治体区分: the size classes of the national survey (特別区 … 町村)."""

    code = models.SlugField(_("コード"), max_length=40, unique=True)
    label = models.CharField(_("区分"), max_length=60)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = verbose_name_plural = _("自治体区分")

    def __str__(self):
        return self.label


class Organization(models.Model):
    """地方公共団体: a municipality or prefecture, with its 全国地方公共団体コード."""

    name = models.CharField(_("団体名"), max_length=60)
    kind = models.CharField(_("種別"), max_length=20, choices=OrganizationKind.choices)
    lg_code = models.CharField(
        _("全国地方公共団体コード"), max_length=6, unique=True, validators=[validate_lg_code]
    )
    prefecture = models.ForeignKey(
        "self",
        verbose_name=_("都道府県"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="municipalities",
        limit_choices_to={"kind": OrganizationKind.PREFECTURE},
    )
    size_class = models.ForeignKey(
        SizeClass, verbose_name=_("自治体区分"), null=True, blank=True, on_delete=models.PROTECT
    )
    population = models.PositiveIntegerField(_("人口"), null=True, blank=True)

    class Meta:
        ordering = ["lg_code"]
        verbose_name = verbose_name_plural = _("団体")

    def __str__(self):
        return self.name


class OrgUnit(models.Model):
    """組織: 部 / 課 / 担当 of one organisation, as a tree."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上位組織"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField(_("種別"), max_length=20, choices=OrgUnitKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    code_prefix = models.CharField(
        _("事業番号の接頭辞"), max_length=10, blank=True, help_text=_("例: 健福（健福-17 の「健福」）")
    )
    head_title = models.CharField(
        _("所属長の職名"), max_length=40, blank=True, help_text=_("例: 生活福祉課長")
    )
    phone = models.CharField(_("電話番号"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    valid_from_fy = models.PositiveSmallIntegerField(_("設置年度"), null=True, blank=True)
    valid_to_fy = models.PositiveSmallIntegerField(_("廃止年度"), null=True, blank=True)

    class Meta:
        ordering = ["organization", "order", "name"]
        verbose_name = verbose_name_plural = _("組織（部・課）")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"], name="sheets_orgunit_unique_name_per_parent"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def department(self):
        """The 部 this unit belongs to (itself when it is one)."""
        unit = self
        while unit.parent_id and unit.kind != OrgUnitKind.DEPARTMENT:
            unit = unit.parent
        return unit


class Membership(models.Model):
    """A user's role in one organisation, optionally limited to one org unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE)
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = verbose_name_plural = _("利用者の役割")
        constraints = [
            models.UniqueConstraint(
                "user", "organization", Coalesce("org_unit", 0), "role", name="sheets_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} / {self.get_role_display()} / {self.org_unit or self.organization}"


class ChoiceSet(models.Model):
    """選択肢リスト: a configurable list of coded answers (DIRECTION, 貢献度, viewpoint answers …)."""

    key = models.CharField(_("キー"), max_length=40)
    organization = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("空欄は全団体共通"),
    )
    label = models.CharField(_("名称"), max_length=100)
    valid_from_fy = models.PositiveSmallIntegerField(_("適用開始年度"), default=2000)

    class Meta:
        ordering = ["key", "-valid_from_fy"]
        verbose_name = verbose_name_plural = _("選択肢リスト")
        constraints = [
            models.UniqueConstraint(
                "key", Coalesce("organization", 0), "valid_from_fy", name="sheets_choiceset_unique_key"
            ),
        ]

    def __str__(self):
        return f"{self.key} {self.label}"


class ChoiceOption(models.Model):
    """One coded answer of a ChoiceSet; △-1 hangs under △ through parent."""

    choice_set = models.ForeignKey(ChoiceSet, on_delete=models.CASCADE, related_name="options")
    code = models.CharField(_("コード"), max_length=20)
    label = models.CharField(_("表示名"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    category = models.CharField(_("分類"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(_("表示順"), default=0)
    observed = models.BooleanField(_("実際の様式で確認済み"), default=True)
    ratio_min = models.DecimalField(
        _("達成割合の目安（下限）"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("進捗状況など: この選択肢に対応する達成割合の下限（比率、1 = 100%）"),
    )

    class Meta:
        ordering = ["choice_set", "order", "code"]
        verbose_name = verbose_name_plural = _("選択肢")
        constraints = [
            models.UniqueConstraint(fields=["choice_set", "code"], name="sheets_choiceoption_unique_code"),
            models.CheckConstraint(condition=~Q(code=""), name="sheets_choiceoption_code_not_blank"),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"
