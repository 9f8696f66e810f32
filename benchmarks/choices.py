"""Fixed vocabularies of the benchmarks app (stored values are a database contract: never rename them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerType(models.TextChoices):
    """回答形式 of a survey question."""

    SINGLE = "sa", _("単一回答（SA）")
    MULTIPLE = "ma", _("複数回答（MA）")
    SINGLE_GRID = "sa_grid", _("単一回答・窓口ごと（SA）")
    MULTIPLE_GRID = "ma_grid", _("複数回答・窓口ごと（MA）")
    FREE_CODED = "fa_coded", _("自由記述（まとめ）")
    ABSENT = "absent", _("報告書に掲載なし")


class BreakdownKey(models.TextChoices):
    """The axis a crosstab of the survey breaks its respondents down by."""

    SIZE_CLASS = "size_class", _("自治体区分")
    Q1_STATUS = "q1_status", _("ひきこもり支援推進事業の実施状況（Q1）")
    Q2_STATUS = "q2_status", _("重層的支援体制整備事業の実施状況（Q2）")
    Q2_WITHIN_Q1_NON = "q2_within_q1_non", _("推進事業未実施自治体 × 重層的支援体制整備事業の実施状況")
    Q3_STATUS = "q3_status", _("相談窓口の設定状況（Q3）")
    WINDOW_TYPE = "window_type", _("相談窓口の種類（Q6）")
    WINDOW_STAGE = "window_stage", _("相談窓口の種類（Q6）× 支援段階")


class SmallCountMode(models.TextChoices):
    """How published outputs show a count below the threshold."""

    SUPPRESS = "suppress", _("秘匿（X と表示）")
    BAND = "band", _("区間表示（「5未満」など）")
