from django.contrib import admin

from . import models
from .admin_scope import OrganizationScopedAdmin, ScopedStackedInline, ScopedTabularInline


class OrgUnitInline(ScopedTabularInline):
    model = models.OrgUnit
    fk_name = "organization"
    extra = 0


@admin.register(models.Organization)
class OrganizationAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    # A municipality edits its own record, but neither adds nor removes organisations nor changes
    # what identifies and classifies it.
    organization_field = "pk"
    municipal_add = municipal_delete = False
    municipal_readonly_fields = ("lg_code", "kind", "prefecture", "size_class")
    list_display = ["lg_code", "name", "kind", "prefecture", "size_class", "population"]
    list_filter = ["kind", "size_class"]
    search_fields = ["name", "lg_code"]
    inlines = [OrgUnitInline]


@admin.register(models.SizeClass)
class SizeClassAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "label"]


@admin.register(models.OrgUnit)
class OrgUnitAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "parent", "code_prefix", "head_title"]
    list_filter = ["organization", "kind"]
    search_fields = ["name"]


@admin.register(models.Membership)
class MembershipAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["user", "organization", "org_unit", "role"]
    list_filter = ["organization", "role"]


class ChoiceOptionInline(ScopedTabularInline):
    model = models.ChoiceOption
    extra = 0


@admin.register(models.ChoiceSet)
class ChoiceSetAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    # Rows without an organisation are shared by everyone: readable, not editable (see admin_scope).
    list_display = ["key", "label", "organization", "valid_from_fy"]
    inlines = [ChoiceOptionInline]


class PolicyLevelInline(ScopedTabularInline):
    model = models.PolicyLevel
    extra = 0


@admin.register(models.Plan)
class PlanAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "start_fy", "end_fy"]
    inlines = [PolicyLevelInline]


class PolicyNodeItemInline(ScopedTabularInline):
    model = models.PolicyNodeItem
    extra = 0


@admin.register(models.PolicyNode)
class PolicyNodeAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    organization_field = "plan__organization"
    list_display = ["code", "name", "level", "plan", "parent"]
    list_filter = ["plan", "level"]
    search_fields = ["code", "name"]
    inlines = [PolicyNodeItemInline]


class ProgramYearInline(ScopedStackedInline):
    model = models.ProgramYear
    extra = 0
    raw_id_fields = ["outcome_indicator"]


class InitiativePlanYearInline(ScopedTabularInline):
    model = models.InitiativePlanYear
    extra = 0


class ProgramRelatedUnitInline(ScopedTabularInline):
    model = models.ProgramRelatedUnit
    extra = 0


class ProgramPolicyLinkInline(ScopedTabularInline):
    model = models.ProgramPolicyLink
    extra = 0


@admin.register(models.Program)
class ProgramAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "owner_unit", "valid_from_fy", "valid_to_fy"]
    list_filter = ["organization", "kind"]
    search_fields = ["code", "name"]
    inlines = [ProgramYearInline, ProgramRelatedUnitInline, ProgramPolicyLinkInline, InitiativePlanYearInline]


class SheetSignatoryInline(ScopedTabularInline):
    model = models.SheetSignatory
    extra = 0


class NarrativeBlockInline(ScopedStackedInline):
    model = models.NarrativeBlock
    extra = 0


class ProgramSheetInline(ScopedStackedInline):
    model = models.ProgramSheet
    extra = 0


class ViewpointAnswerInline(ScopedTabularInline):
    model = models.ViewpointAnswer
    extra = 0


class SubProgramEvaluationInline(ScopedStackedInline):
    model = models.SubProgramEvaluation
    extra = 0


class ProgramPolicyEvaluationInline(ScopedTabularInline):
    model = models.ProgramPolicyEvaluation
    extra = 0
    raw_id_fields = ["program"]


class PolicyManagementSheetInline(ScopedStackedInline):
    model = models.PolicyManagementSheet
    extra = 0


class InitiativeSheetInline(ScopedStackedInline):
    model = models.OkinawaInitiativeSheet
    extra = 0


class CheckFactorInline(ScopedTabularInline):
    model = models.CheckFactor
    extra = 0


class ImprovementPlanInline(ScopedTabularInline):
    model = models.ImprovementPlan
    extra = 0
    fk_name = "sheet"


class ImprovementReflectionInline(ScopedTabularInline):
    model = models.ImprovementReflection
    extra = 0
    raw_id_fields = ["source_plan"]


@admin.register(models.EvaluationSheet)
class EvaluationSheetAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    # Sheet data is edited on the app's own pages (workflow, locking, history): read-only here.
    municipal_add = municipal_change = municipal_delete = False
    list_display = ["evaluation_fy", "form_type", "program", "policy_node", "status", "locked_at", "version"]
    list_filter = ["evaluation_fy", "form_type", "status", "organization"]
    readonly_fields = ["version", "updated_at", "updated_by", "frozen_values"]
    inlines = [
        ProgramSheetInline,
        SheetSignatoryInline,
        SubProgramEvaluationInline,
        ViewpointAnswerInline,
        NarrativeBlockInline,
        ProgramPolicyEvaluationInline,
        PolicyManagementSheetInline,
        InitiativeSheetInline,
        ImprovementReflectionInline,
        CheckFactorInline,
        ImprovementPlanInline,
    ]


@admin.register(models.ViewpointQuestion)
class ViewpointQuestionAdmin(OrganizationScopedAdmin, admin.ModelAdmin):
    list_display = ["order", "viewpoint", "text", "choice_set", "organization", "valid_from_fy"]
    list_filter = ["organization"]
