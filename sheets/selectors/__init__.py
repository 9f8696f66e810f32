"""What the screens read. The page, the PDF and the Excel export of a sheet share one context per form.

- :mod:`.common`: the sheet list, choice lists, checkbox rows.
- :mod:`.program_sheet`: 行政評価シート【個表】 (Kamakura, form 000).
- :mod:`.initiative_sheet`: 「主な取組」検証票 (Okinawa, form 001).
- :mod:`.policy_sheet`: 行政評価シート（施策の方針） (Kamakura, form 002).
- :mod:`.policy_management_sheet`: 施策マネジメントシート (Kunitachi, form 004).
"""

from .common import Check, choice_options, personnel_costs_for, sheet_list, sheet_years
from .initiative_sheet import (
    InitiativeSheetContext,
    budget_totals,
    cumulative_problem,
    indicator_rows,
    initiative_policy_nodes,
    initiative_sheet_context,
    outcome_indicator_options,
    progress_status_problem,
)
from .policy_management_sheet import PolicyManagementContext, policy_management_context
from .policy_sheet import PolicySheetContext, policy_sheet_context
from .program_sheet import (
    KAMAKURA_FUNDING_ROWS,
    REFERENCE_RATE_DECIMALS,
    SECTION3_RATE_DECIMALS,
    STAFFING_WINDOW,
    CostColumn,
    FundingRow,
    ProgramSheetContext,
    ReferenceIndicator,
    StaffRow,
    SubProgramRow,
    ViewpointRow,
    program_sheet_context,
)

__all__ = [
    "KAMAKURA_FUNDING_ROWS",
    "REFERENCE_RATE_DECIMALS",
    "SECTION3_RATE_DECIMALS",
    "STAFFING_WINDOW",
    "Check",
    "CostColumn",
    "FundingRow",
    "InitiativeSheetContext",
    "PolicyManagementContext",
    "PolicySheetContext",
    "ProgramSheetContext",
    "ReferenceIndicator",
    "StaffRow",
    "SubProgramRow",
    "ViewpointRow",
    "budget_totals",
    "choice_options",
    "cumulative_problem",
    "indicator_rows",
    "initiative_policy_nodes",
    "initiative_sheet_context",
    "outcome_indicator_options",
    "personnel_costs_for",
    "policy_management_context",
    "policy_sheet_context",
    "program_sheet_context",
    "progress_status_problem",
    "sheet_list",
    "sheet_years",
]
