from django.contrib import admin

from . import models


class OrgUnitInline(admin.TabularInline):
    model = models.OrgUnit
    fk_name = "organization"
    extra = 0


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["lg_code", "name", "kind", "prefecture", "size_class", "population"]
    list_filter = ["kind", "size_class"]
    search_fields = ["name", "lg_code"]
    inlines = [OrgUnitInline]


@admin.register(models.SizeClass)
class SizeClassAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "label"]


@admin.register(models.OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "organization", "parent", "code_prefix", "head_title"]
    list_filter = ["organization", "kind"]
    search_fields = ["name"]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "org_unit", "role"]
    list_filter = ["organization", "role"]


class ChoiceOptionInline(admin.TabularInline):
    model = models.ChoiceOption
    extra = 0


@admin.register(models.ChoiceSet)
class ChoiceSetAdmin(admin.ModelAdmin):
    list_display = ["key", "label", "organization", "valid_from_fy"]
    inlines = [ChoiceOptionInline]


class PolicyLevelInline(admin.TabularInline):
    model = models.PolicyLevel
    extra = 0


@admin.register(models.Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "start_fy", "end_fy"]
    inlines = [PolicyLevelInline]


class PolicyNodeItemInline(admin.TabularInline):
    model = models.PolicyNodeItem
    extra = 0


@admin.register(models.PolicyNode)
class PolicyNodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "plan", "parent"]
    list_filter = ["plan", "level"]
    search_fields = ["code", "name"]
    inlines = [PolicyNodeItemInline]


class ProgramYearInline(admin.StackedInline):
    model = models.ProgramYear
    extra = 0
    raw_id_fields = ["outcome_indicator"]


class InitiativePlanYearInline(admin.TabularInline):
    model = models.InitiativePlanYear
    extra = 0


class ProgramRelatedUnitInline(admin.TabularInline):
    model = models.ProgramRelatedUnit
    extra = 0


class ProgramPolicyLinkInline(admin.TabularInline):
    model = models.ProgramPolicyLink
    extra = 0


@admin.register(models.Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "owner_unit", "valid_from_fy", "valid_to_fy"]
    list_filter = ["organization", "kind"]
    search_fields = ["code", "name"]
    inlines = [ProgramYearInline, ProgramRelatedUnitInline, ProgramPolicyLinkInline, InitiativePlanYearInline]


class SheetSignatoryInline(admin.TabularInline):
    model = models.SheetSignatory
    extra = 0


class NarrativeBlockInline(admin.StackedInline):
    model = models.NarrativeBlock
    extra = 0


class ProgramSheetInline(admin.StackedInline):
    model = models.ProgramSheet
    extra = 0


class ViewpointAnswerInline(admin.TabularInline):
    model = models.ViewpointAnswer
    extra = 0


class SubProgramEvaluationInline(admin.StackedInline):
    model = models.SubProgramEvaluation
    extra = 0


class ProgramPolicyEvaluationInline(admin.TabularInline):
    model = models.ProgramPolicyEvaluation
    extra = 0
    raw_id_fields = ["program"]


class PolicyManagementSheetInline(admin.StackedInline):
    model = models.PolicyManagementSheet
    extra = 0


class InitiativeSheetInline(admin.StackedInline):
    model = models.OkinawaInitiativeSheet
    extra = 0


class CheckFactorInline(admin.TabularInline):
    model = models.CheckFactor
    extra = 0


class ImprovementPlanInline(admin.TabularInline):
    model = models.ImprovementPlan
    extra = 0
    fk_name = "sheet"


class ImprovementReflectionInline(admin.TabularInline):
    model = models.ImprovementReflection
    extra = 0
    raw_id_fields = ["source_plan"]


@admin.register(models.EvaluationSheet)
class EvaluationSheetAdmin(admin.ModelAdmin):
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
class ViewpointQuestionAdmin(admin.ModelAdmin):
    list_display = ["order", "viewpoint", "text", "choice_set", "organization", "valid_from_fy"]
    list_filter = ["organization"]
