from django.contrib import admin

from . import models


class BenchmarkEntryInline(admin.TabularInline):
    model = models.BenchmarkEntry
    extra = 0


@admin.register(models.BenchmarkComparison)
class BenchmarkComparisonAdmin(admin.ModelAdmin):
    list_display = ["subject_text", "sheet", "reference_fy"]
    inlines = [BenchmarkEntryInline]


class BenchmarkMetricValueInline(admin.TabularInline):
    model = models.BenchmarkMetricValue
    extra = 0


@admin.register(models.BenchmarkEntry)
class BenchmarkEntryAdmin(admin.ModelAdmin):
    list_display = ["org_name", "comparison", "metric_label", "value_text", "is_self"]
    inlines = [BenchmarkMetricValueInline]
