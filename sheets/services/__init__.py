"""Writes of the sheets app (and the reads the edit page needs around them).

The 行政評価シート【個表】 is saved by one service, :func:`program_sheet_save`, from one input
dataclass, :class:`ProgramSheetInput`, that the edit forms build from their cleaned data. The same
input feeds :func:`program_sheet_derive`, the live recalculation of the edit page, which computes
with the functions the read side uses and writes nothing.
"""

from .initiative_sheet import (
    BudgetCellInput,
    InitiativeHeaderInput,
    InitiativeSheetInput,
    ReflectionInput,
    TypedRowInput,
    improvement_reflections_carry_over,
    initiative_sheet_save,
)
from .policy_management_sheet import PolicyManagementInput, policy_management_sheet_save
from .policy_sheet import (
    PolicySheetEditState,
    PolicySheetInput,
    ProgramEvaluationInput,
    SignatoryInput,
    policy_sheet_edit_state,
    policy_sheet_save,
)
from .program_sheet_edit import (
    DerivedFigures,
    ProgramSheetEditState,
    program_sheet_derive,
    program_sheet_edit_state,
)
from .program_sheet_input import (
    BLANK_VALUE,
    BenchmarkEntryInput,
    HeaderInput,
    ProgramSheetInput,
    ReferenceIndicatorInput,
    StaffingInput,
    StaleSheetError,
    SubProgramInput,
    ViewpointInput,
    column_label,
    cost_columns,
    funding_problems,
    input_warnings,
    staff_years,
    sub_program_warnings,
)
from .program_sheet_save import program_sheet_save

__all__ = [
    "BLANK_VALUE",
    "BenchmarkEntryInput",
    "DerivedFigures",
    "HeaderInput",
    "BudgetCellInput",
    "InitiativeHeaderInput",
    "InitiativeSheetInput",
    "PolicySheetEditState",
    "PolicySheetInput",
    "ProgramEvaluationInput",
    "PolicyManagementInput",
    "ProgramSheetEditState",
    "ProgramSheetInput",
    "ReferenceIndicatorInput",
    "ReflectionInput",
    "SignatoryInput",
    "StaffingInput",
    "StaleSheetError",
    "SubProgramInput",
    "TypedRowInput",
    "ViewpointInput",
    "column_label",
    "cost_columns",
    "funding_problems",
    "improvement_reflections_carry_over",
    "initiative_sheet_save",
    "input_warnings",
    "policy_management_sheet_save",
    "policy_sheet_edit_state",
    "policy_sheet_save",
    "program_sheet_derive",
    "program_sheet_edit_state",
    "program_sheet_save",
    "staff_years",
    "sub_program_warnings",
]
