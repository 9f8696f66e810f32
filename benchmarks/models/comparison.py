"""他市比較・ベンチマーク: peer comparisons printed on a program sheet, and publication settings."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from benchmarks.choices import SmallCountMode
from indicators.models import Indicator
from sheets.history import tracked
from sheets.models import EvaluationSheet, Organization


class BenchmarkComparison(models.Model):
    """比較事項: one comparison table of a sheet (e.g. 居場所利用実績, 令和6年度実績)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="benchmark_comparisons")
    subject_text = models.CharField(_("比較事項"), max_length=200)
    topic = models.SlugField(
        _("比較項目キー"),
        max_length=60,
        blank=True,
        help_text=_("他団体の同じ比較事項と対応付けるキー（空欄なら比較事項の文言で対応付けます）"),
    )
    reference_fy = models.PositiveSmallIntegerField(_("比較年度"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = tracked()

    class Meta:
        ordering = ["sheet", "order", "id"]
        verbose_name = verbose_name_plural = _("他市比較")

    def __str__(self):
        return self.subject_text


class BenchmarkEntry(models.Model):
    """団体 column of a comparison: the metric label and the value as the city reported it."""

    comparison = models.ForeignKey(BenchmarkComparison, on_delete=models.CASCADE, related_name="entries")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT)
    org_name = models.CharField(_("団体名"), max_length=60)
    is_self = models.BooleanField(_("自団体"), default=False)
    metric_label = models.CharField(_("他市実績（項目）"), max_length=200)
    value_text = models.CharField(_("他市実績（値）"), max_length=200)
    source_entry = models.ForeignKey(
        "self",
        verbose_name=_("転記元（同じシステム内の他団体の値）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = tracked()

    class Meta:
        ordering = ["comparison", "order", "id"]
        verbose_name = verbose_name_plural = _("他市比較の団体")
        constraints = [
            models.UniqueConstraint(
                fields=["comparison"], condition=Q(is_self=True), name="benchmarks_entry_one_self_row"
            ),
        ]

    def __str__(self):
        return f"{self.org_name} {self.value_text}"


class BenchmarkMetricValue(models.Model):
    """One part of an entry's value (13人 of 13人/84人/56回), parsed; the raw text stays on the entry."""

    entry = models.ForeignKey(BenchmarkEntry, on_delete=models.CASCADE, related_name="metric_values")
    metric = models.CharField(_("項目"), max_length=100)
    value = models.DecimalField(_("値"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    value_text = models.CharField(_("値（文字）"), max_length=60, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("自団体の指標"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="benchmark_parts",
        help_text=_("自団体の行: この指標の比較年度の実績値で自動更新します"),
    )
    order = models.PositiveSmallIntegerField(default=0)

    history = tracked()

    class Meta:
        ordering = ["entry", "order"]
        verbose_name = verbose_name_plural = _("他市比較の値")

    def __str__(self):
        return f"{self.metric} {self.value_text}"


class PublicationSettings(models.Model):
    """公表時の少数値の扱い: counts below the threshold are suppressed or banded in published outputs."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="publication_settings"
    )
    small_count_threshold = models.PositiveSmallIntegerField(
        _("少数とみなす件数（未満）"),
        default=5,
        help_text=_("この値未満の件数（1以上）を公表資料で秘匿します"),
    )
    small_count_mode = models.CharField(
        _("少数値の表示"), max_length=10, choices=SmallCountMode.choices, default=SmallCountMode.SUPPRESS
    )

    class Meta:
        verbose_name = verbose_name_plural = _("公表時の少数値の扱い")
        constraints = [
            models.CheckConstraint(
                condition=Q(small_count_threshold__gte=1), name="benchmarks_publication_threshold_positive"
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.small_count_threshold}"
