"""Choice lists for indicators, values and costs (docs/forms.md §1.2–1.5, §7).

Identifiers are English, labels are Japanese through gettext. The stored values
(the first element of each member) are part of the database contract: never
rename them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Polarity(models.TextChoices):
    """Which direction of an indicator is good."""

    HIGHER_IS_BETTER = "higher", _("高いほど良い")
    LOWER_IS_BETTER = "lower", _("低いほど良い")


class AchievementMethod(models.TextChoices):
    """How 達成度 / 達成率 is computed (forms.md §1.3)."""

    RATIO = "ratio", _("実績÷目標")
    INVERSE = "inverse", _("目標÷実績")
    BASELINE_RELATIVE = "baseline_relative", _("（実績−初期値）÷（目標−初期値）")
    # Raw ratio kept; the display is capped at the indicator's display_cap.
    RATIO_CAPPED = "ratio_capped", _("実績÷目標（表示上限あり）")
    BINARY = "binary", _("達成／未達成")


class CumulativeMode(models.TextChoices):
    """How values of a 累計 indicator accumulate over fiscal years (forms.md §1.4)."""

    NONE = "none", _("単年")
    PLAN_PERIOD = "plan_period", _("計画期間累計")
    LIFETIME = "lifetime", _("累計（ストック）")
    YEARLY_RESET = "yearly_reset", _("年度ごとにリセット")


class ValueType(models.TextChoices):
    """Kind of a per-year indicator value (数値区分)."""

    TARGET = "target", _("目標値")
    ACTUAL = "actual", _("実績値")
    TREND = "trend", _("成り行き値")
    PROJECTION = "projection", _("見込み値")
    PLAN_SINGLE = "plan_single", _("計画値（単年）")
    PLAN_CUMULATIVE = "plan_cumulative", _("計画値（累計）")


class ValueStatus(models.TextChoices):
    """Status of an entered value. Only OK carries a number; the others are never 0."""

    OK = "ok", _("数値")
    NOT_CONDUCTED = "not_conducted", _("未実施")
    PENDING = "pending", _("未定")
    NOT_APPLICABLE = "not_applicable", _("―")
    UNKNOWN = "unknown", _("不詳")


class IndicatorKind(models.TextChoices):
    """Role of an indicator on a sheet."""

    ACTIVITY = "activity", _("活動指標")
    OUTCOME = "outcome", _("成果指標")
    OBJECT = "object", _("対象指標")
    REFERENCE = "reference", _("参考指標")


class CostBasis(models.TextChoices):
    """Basis of a money amount."""

    SETTLEMENT = "settlement", _("決算")
    SETTLEMENT_ESTIMATE = "settlement_estimate", _("決算見込")
    INITIAL_BUDGET = "initial_budget", _("当初予算")
    BUDGET = "budget", _("予算")


class FundingSource(models.TextChoices):
    """財源内訳 lines. GENERAL (一般財源) is the only non-specific source."""

    NATIONAL_PREFECTURAL = "national_prefectural", _("国県支出金")
    NATIONAL = "national", _("国庫支出金")
    PREFECTURAL = "prefectural", _("都道府県支出金")
    LOCAL_BOND = "local_bond", _("地方債")
    OTHER_SPECIFIC = "other_specific", _("その他特定財源")
    OTHER = "other", _("その他")
    GENERAL = "general", _("一般財源")


class YearOverYear(models.TextChoices):
    """前年度比較 result (forms.md §5.3, §7.4); returned by calculations.year_over_year."""

    IMPROVED = "improved", _("向上")
    FLAT = "flat", _("横ばい")
    WORSENED = "worsened", _("低下")
