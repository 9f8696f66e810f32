from django.contrib import admin

from sheets.admin_scope import OrganizationScopedAdmin, ScopedTabularInline

from . import models


class IndicatorValueInline(ScopedTabularInline):
    model = models.IndicatorValue
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "unit", "kind", "program", "policy_node", "polarity", "achievement_method"]
    list_filter = ["organization", "kind", "polarity", "achievement_method", "cumulative_mode"]
    search_fields = ["name"]
    inlines = [IndicatorValueInline]


class FundingLineInline(ScopedTabularInline):
    model = models.FundingLine
    extra = 0


@admin.register(models.CostRecord)
class CostRecordAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    # One of three owners is set (a database constraint), each leading to the organisation.
    organization_field = (
        "program__organization",
        "budget_project__organization",
        "policy_node__plan__organization",
    )
    list_display = ["__str__", "fiscal_year", "basis", "amount", "personnel_cost", "work_hours"]
    list_filter = ["fiscal_year", "basis"]
    inlines = [FundingLineInline]


@admin.register(models.BudgetProject)
class BudgetProjectAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "budget_code", "organization"]
    filter_horizontal = ["programs"]


@admin.register(models.StaffCategory)
class StaffCategoryAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["order", "code", "label", "organization"]


@admin.register(models.StaffAllocation)
class StaffAllocationAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    organization_field = "program__organization"
    list_display = ["program", "fiscal_year", "category", "fte"]
    list_filter = ["fiscal_year", "category"]


@admin.register(models.PersonnelUnitCost)
class PersonnelUnitCostAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["organization", "fiscal_year", "category", "per_fte", "per_hour"]
    list_filter = ["organization", "fiscal_year"]
