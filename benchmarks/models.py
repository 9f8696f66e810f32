"""他市比較・ベンチマーク: peer comparisons printed on a program sheet."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sheets.models import EvaluationSheet, Organization


class BenchmarkComparison(models.Model):
    """比較事項: one comparison table of a sheet (e.g. 居場所利用実績, 令和6年度実績)."""

    sheet = models.ForeignKey(EvaluationSheet, on_delete=models.CASCADE, related_name="benchmark_comparisons")
    subject_text = models.CharField(_("比較事項"), max_length=200)
    reference_fy = models.PositiveSmallIntegerField(_("比較年度"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

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
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["comparison", "order", "id"]
        verbose_name = verbose_name_plural = _("他市比較の団体")

    def __str__(self):
        return f"{self.org_name} {self.value_text}"


class BenchmarkMetricValue(models.Model):
    """One part of an entry's value (13人 of 13人/84人/56回), parsed; the raw text stays on the entry."""

    entry = models.ForeignKey(BenchmarkEntry, on_delete=models.CASCADE, related_name="metric_values")
    metric = models.CharField(_("項目"), max_length=100)
    value = models.DecimalField(_("値"), max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField(_("単位"), max_length=20, blank=True)
    value_text = models.CharField(_("値（文字）"), max_length=60, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["entry", "order"]
        verbose_name = verbose_name_plural = _("他市比較の値")

    def __str__(self):
        return f"{self.metric} {self.value_text}"
