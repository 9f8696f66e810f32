"""Forms of the 行政評価シート【個表】 edit page.

One Django form or formset per section of the printed form (``sections``), validated together by
:class:`ProgramSheetEditForm` (``program_sheet``), which starts from the sheet's current values,
checks the rules that span sections, builds the service input and lays out the derived figures.
Numbers are typed as text so that status tokens (未実施, 未定, ―) and full-width digits are accepted
(``fields``).
"""

from .fields import AmountField, FteField, IndicatorValueField
from .initiative_sheet import InitiativeSheetEditForm
from .policy_management_sheet import PolicyManagementSheetEditForm
from .policy_sheet import PolicySheetEditForm, SignatoryForm
from .program_sheet import DerivedItem, ProgramSheetEditForm
from .sections import (
    BenchmarkEntryForm,
    FundingForm,
    HeaderForm,
    ReferenceIndicatorForm,
    StaffingForm,
    SubProgramForm,
    ViewpointForm,
)

__all__ = [
    "AmountField",
    "BenchmarkEntryForm",
    "DerivedItem",
    "FteField",
    "FundingForm",
    "HeaderForm",
    "IndicatorValueField",
    "InitiativeSheetEditForm",
    "PolicyManagementSheetEditForm",
    "PolicySheetEditForm",
    "ProgramSheetEditForm",
    "ReferenceIndicatorForm",
    "SignatoryForm",
    "StaffingForm",
    "SubProgramForm",
    "ViewpointForm",
]
