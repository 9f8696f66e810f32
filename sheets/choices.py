"""Fixed vocabularies of the sheets app. Lists a city may change live in ChoiceSet instead."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    PREFECTURE = "prefecture", _("都道府県")
    DESIGNATED_CITY = "designated_city", _("指定都市")
    CORE_CITY = "core_city", _("中核市")
    SPECIAL_WARD = "special_ward", _("特別区")
    CITY = "city", _("市")
    TOWN = "town", _("町")
    VILLAGE = "village", _("村")


class OrgUnitKind(models.TextChoices):
    DEPARTMENT = "department", _("部")
    DIVISION = "division", _("課")
    SECTION = "section", _("担当")
    UNIT = "unit", _("係")


class PlanKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("総合計画")
    BASIC = "basic", _("基本計画")
    IMPLEMENTATION = "implementation", _("実施計画")
    SECTORAL = "sectoral", _("個別計画")


class ProgramKind(models.TextChoices):
    PROGRAM = "program", _("事業")
    SUB_PROGRAM = "sub_program", _("事務事業（最小事業）")
    INITIATIVE = "initiative", _("主な取組")


class AdministrativeCategory(models.TextChoices):
    """事務区分."""

    AUTONOMOUS = "jichi", _("自治事務")
    STATUTORY_ENTRUSTED = "hotei_jutaku", _("法定受託事務")


class FormType(models.TextChoices):
    KAMAKURA_PROGRAM = "kmk_program", _("行政評価シート【個表】")
    KAMAKURA_POLICY = "kmk_policy", _("行政評価シート（施策の方針）")
    OKINAWA_INITIATIVE = "oki_initiative", _("「主な取組」検証票")
    KUNITACHI_POLICY = "kni_policy", _("施策マネジメントシート")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("作成中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    APPROVED = "approved", _("承認済")
    PUBLISHED = "published", _("公開")


class SignatoryRole(models.TextChoices):
    EVALUATOR = "evaluator", _("評価者")
    LEAD = "lead", _("施策統括課長")


class Role(models.TextChoices):
    STAFF = "staff", _("担当者")
    EVALUATOR = "evaluator", _("評価者（課長・部長）")
    POLICY_OWNER = "policy_owner", _("施策統括")
    AUDITOR = "auditor", _("監査・行政経営")
    ADMINISTRATOR = "administrator", _("管理者")


# Keys of the ChoiceSets every installation starts with (fixtures/choices.json).
DIRECTION = "DIRECTION"
CONTRIBUTION = "KMK_CONTRIB"
# 沖縄県「主な取組」検証票 (fixtures/choices.json). OKI_PROGRESS options carry ratio_min (V-STATUS bands).
OKI_PROGRESS = "OKI_PROGRESS"
OKI_CHECK_TYPE = "OKI_CHECK_TYPE"
OKI_ACTION_TYPE = "OKI_ACTION_TYPE"
OKI_MAIN_FUNDING = "OKI_MAIN_FUNDING"
OKI_EXECUTION_METHOD = "OKI_EXECUTION_METHOD"
# 国立市 施策マネジメントシート (fixtures/choices.json). KNI_GOAL_GRADE and KNI_TREND_GRADE options carry
# ratio_min: the lower bound of the score that suggests the grade (sheets.selectors.policy_management_sheet).
KNI_GOAL_GRADE = "KNI_GOAL_GRADE"
KNI_TREND_GRADE = "KNI_TREND_GRADE"
KNI_OVERALL_GRADE = "KNI_OVERALL_GRADE"
