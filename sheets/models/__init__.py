"""Models of the sheets app: organisations, the policy tree, programs and evaluation sheets."""

from .content import ContentVersion
from .evaluation import (
    EvaluationSheet,
    NarrativeBlock,
    ProgramSheet,
    SheetSignatory,
    SubProgramEvaluation,
    ViewpointAnswer,
    ViewpointQuestion,
)
from .initiative import (
    CheckFactor,
    ImprovementPlan,
    ImprovementReflection,
    InitiativePlanYear,
    OkinawaInitiativeSheet,
)
from .organization import ChoiceOption, ChoiceSet, Membership, Organization, OrgUnit, SizeClass
from .plans import Plan, PolicyLevel, PolicyNode, PolicyNodeItem
from .policy_management import PolicyManagementSheet
from .policy_sheet import ProgramPolicyEvaluation
from .programs import Program, ProgramPolicyLink, ProgramRelatedUnit, ProgramYear
from .workflow import AuditEvent, FiscalYear, SheetSnapshot, SheetTransition

__all__ = [
    "AuditEvent",
    "FiscalYear",
    "SheetSnapshot",
    "SheetTransition",
    "CheckFactor",
    "ContentVersion",
    "ChoiceOption",
    "ChoiceSet",
    "EvaluationSheet",
    "ImprovementPlan",
    "ImprovementReflection",
    "InitiativePlanYear",
    "Membership",
    "NarrativeBlock",
    "OkinawaInitiativeSheet",
    "OrgUnit",
    "Organization",
    "Plan",
    "PolicyLevel",
    "PolicyManagementSheet",
    "PolicyNode",
    "PolicyNodeItem",
    "Program",
    "ProgramPolicyEvaluation",
    "ProgramPolicyLink",
    "ProgramRelatedUnit",
    "ProgramSheet",
    "ProgramYear",
    "SheetSignatory",
    "SizeClass",
    "SubProgramEvaluation",
    "ViewpointAnswer",
    "ViewpointQuestion",
]
