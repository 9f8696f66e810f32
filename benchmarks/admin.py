from django.contrib import admin

from sheets.admin_scope import OrganizationScopedAdmin

from . import models


class BenchmarkEntryInline(admin.TabularInline):
    model = models.BenchmarkEntry
    fk_name = "comparison"
    extra = 0
    raw_id_fields = ["organization", "source_entry"]


@admin.register(models.BenchmarkComparison)
class BenchmarkComparisonAdmin(admin.ModelAdmin):
    list_display = ["subject_text", "sheet", "reference_fy", "topic"]
    inlines = [BenchmarkEntryInline]


class BenchmarkMetricValueInline(admin.TabularInline):
    model = models.BenchmarkMetricValue
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(models.BenchmarkEntry)
class BenchmarkEntryAdmin(admin.ModelAdmin):
    list_display = ["org_name", "comparison", "metric_label", "value_text", "is_self"]
    raw_id_fields = ["organization", "source_entry"]
    inlines = [BenchmarkMetricValueInline]


@admin.register(models.PublicationSettings)
class PublicationSettingsAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["organization", "small_count_threshold", "small_count_mode"]


@admin.register(models.SurveyOwnAnswer)
class SurveyOwnAnswerAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["organization", "option", "note"]
    list_select_related = ["organization", "option__question"]
    raw_id_fields = ["organization", "option"]


class SurveyOptionInline(admin.TabularInline):
    model = models.SurveyOption
    extra = 0


@admin.register(models.SurveyQuestion)
class SurveyQuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "answer_type", "survey"]
    list_filter = ["survey"]
    inlines = [SurveyOptionInline]


@admin.register(models.Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "fiscal_year", "responses_n", "response_rate"]


@admin.register(models.SurveyIssue)
class SurveyIssueAdmin(admin.ModelAdmin):
    list_display = ["code", "question", "text"]
