from django.contrib import admin

from datasets.models import ExportJob, ImportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "requested_by", "evaluation_fy", "fmt", "status", "rows_done", "rows_total")
    list_filter = ("status", "fmt", "evaluation_fy")
    readonly_fields = [f.name for f in ExportJob._meta.fields]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "uploaded_by", "original_name", "layout", "status", "applied_at")
    list_filter = ("status", "layout")
    readonly_fields = [f.name for f in ImportJob._meta.fields]
