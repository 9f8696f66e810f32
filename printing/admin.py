from django.contrib import admin

from printing.models import PrintJob


@admin.register(PrintJob)
class PrintJobAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "organization",
        "department",
        "evaluation_fy",
        "fmt",
        "status",
        "done",
        "total",
    ]
    list_filter = ["status", "fmt", "evaluation_fy"]
    readonly_fields = ["sheet_ids", "result", "error"]
