"""Which per-sheet workbook an upload is, and the reader that turns it into ops.

Every per-sheet export writes its layout id in the workbook's custom document properties
(``layout``: ``kmk_program/1``, ``oki_initiative/1``, ``kmk_policy/1``, ``kni_policy/1``); a workbook
whose id is not one of these is not a per-sheet workbook (it may be a dataset workbook).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from datasets.choices import ImportLayout
from datasets.read_common import SheetRead, workbook_properties
from datasets.read_initiative import read_initiative_sheet
from datasets.read_policy import read_policy_sheet
from datasets.read_policy_management import read_policy_management_sheet
from datasets.read_sheet import read_program_sheet
from datasets.report import ImportReport
from sheets import workbooks, workbooks_initiative, workbooks_policy, workbooks_policy_management


@dataclass(frozen=True)
class SheetLayout:
    import_layout: str
    read: Callable[[object, ImportReport], SheetRead]


SHEET_LAYOUTS: dict[str, SheetLayout] = {
    workbooks.LAYOUT: SheetLayout(ImportLayout.PROGRAM_SHEET, read_program_sheet),
    workbooks_initiative.LAYOUT: SheetLayout(ImportLayout.INITIATIVE_SHEET, read_initiative_sheet),
    workbooks_policy.LAYOUT: SheetLayout(ImportLayout.POLICY_SHEET, read_policy_sheet),
    workbooks_policy_management.LAYOUT: SheetLayout(
        ImportLayout.POLICY_MANAGEMENT_SHEET, read_policy_management_sheet
    ),
}


def sheet_layout(wb) -> SheetLayout | None:
    """The per-sheet layout the workbook declares, or None."""
    return SHEET_LAYOUTS.get(workbook_properties(wb).get("layout"))
