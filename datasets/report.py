"""The dry-run report of an import: per sheet, row and cell, what will be created, changed or rejected.

The same report is shown on the import page, printed by ``import_workbook`` and stored on the
:class:`~datasets.models.ImportJob` (as JSON) between the dry run and the confirmation.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from datasets.choices import Action

#: Entries kept in the stored report (the counts always cover every cell).
MAX_STORED_ENTRIES = 5000
BLANK_TEXT = "（空欄）"


@dataclass(frozen=True)
class ReportEntry:
    """One cell (or row, when ``column`` is blank) of the uploaded workbook and what happens to it."""

    sheet: str
    row: int | None
    column: str
    action: str
    message: str = ""
    old: str = ""
    new: str = ""
    field: str = ""

    @property
    def location(self) -> str:
        """「指標値シート 12行目 M列」 (as much of it as is known)."""
        title = self.sheet.removesuffix("シート")  # 「施策マネジメントシート」 is already a シート
        parts = [_("%(sheet)sシート") % {"sheet": title}] if self.sheet else []
        if self.row:
            parts.append(_("%(row)d行目") % {"row": self.row})
        if self.column:
            parts.append(_("%(column)s列") % {"column": self.column})
        return " ".join(parts)

    @property
    def text(self) -> str:
        """「指標値シート 12行目 M列: 数値ではありません（"七十二"）」 or 「… M列（値）: 72 → 80」."""
        where = self.location
        if self.field and self.column:
            where = f"{where}（{self.field}）"
        if self.action == Action.REJECTED:
            return f"{where}: {self.message}" if where else self.message
        change = f"{self.old or BLANK_TEXT} → {self.new or BLANK_TEXT}"
        label = Action(self.action).label
        detail = f"{label} {change}"
        if self.message:
            detail = f"{detail}（{self.message}）"
        return f"{where}: {detail}"

    @property
    def action_label(self) -> str:
        return str(Action(self.action).label)


@dataclass
class ImportReport:
    """Everything a dry run found. ``ok`` is True when nothing is rejected (the import may be confirmed)."""

    layout: str = ""
    entries: list[ReportEntry] = field(default_factory=list)
    unchanged: int = 0
    file_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    truncated: int = 0
    counts_override: dict[str, int] | None = None

    def add(self, entry: ReportEntry) -> None:
        if entry.action == Action.UNCHANGED:
            self.unchanged += 1
        else:
            self.entries.append(entry)

    def reject(self, sheet: str, row: int | None, column: str, message: str, **kwargs) -> None:
        self.entries.append(ReportEntry(sheet, row, column, Action.REJECTED, message, **kwargs))

    @property
    def rejected(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.action == Action.REJECTED]

    @property
    def changes(self) -> list[ReportEntry]:
        return [e for e in self.entries if e.action in (Action.CREATED, Action.CHANGED)]

    @property
    def counts(self) -> dict[str, int]:
        if self.counts_override is not None:
            return dict(self.counts_override)
        counted = Counter(e.action for e in self.entries)
        return {
            Action.CREATED: counted[Action.CREATED],
            Action.CHANGED: counted[Action.CHANGED],
            Action.UNCHANGED: self.unchanged,
            Action.REJECTED: counted[Action.REJECTED] + len(self.file_errors),
        }

    @property
    def ok(self) -> bool:
        return not self.file_errors and self.counts[Action.REJECTED] == 0

    @property
    def has_changes(self) -> bool:
        counts = self.counts
        return bool(counts[Action.CREATED] or counts[Action.CHANGED])

    def fingerprint(self) -> str:
        """A hash of the planned changes: equal for two dry runs that would write the same cells."""
        planned = sorted(
            (e.sheet, e.row or 0, e.column, e.action, e.old, e.new, e.field) for e in self.changes
        )
        return hashlib.sha256(json.dumps(planned, ensure_ascii=False).encode()).hexdigest()

    def summary(self) -> str:
        counts = self.counts
        return _(
            "追加 %(created)d 件、変更 %(changed)d 件、"
            "変更なし %(unchanged)d 件、取り込めない %(rejected)d 件"
        ) % {
            "created": counts[Action.CREATED],
            "changed": counts[Action.CHANGED],
            "unchanged": counts[Action.UNCHANGED],
            "rejected": counts[Action.REJECTED],
        }

    def lines(self) -> list[str]:
        """The report as text lines (the command line prints these)."""
        lines = [*self.file_errors]
        lines.extend(e.text for e in self.entries if e.action == Action.REJECTED)
        lines.extend(e.text for e in self.entries if e.action != Action.REJECTED)
        lines.extend(self.warnings)
        if self.truncated:
            lines.append(_("ほか %(count)d 件は省略しました") % {"count": self.truncated})
        lines.append(self.summary())
        return lines

    def to_dict(self) -> dict:
        rejected = self.rejected
        others = [e for e in self.entries if e.action != Action.REJECTED]
        kept = (rejected + others)[:MAX_STORED_ENTRIES]
        return {
            "layout": self.layout,
            "entries": [asdict(e) for e in kept],
            "unchanged": self.unchanged,
            "file_errors": self.file_errors,
            "warnings": self.warnings[:MAX_STORED_ENTRIES],
            "truncated": self.truncated + len(self.entries) - len(kept),
            "counts": {str(k): v for k, v in self.counts.items()},
        }

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        return cls(
            layout=data.get("layout", ""),
            entries=[ReportEntry(**e) for e in data.get("entries", [])],
            unchanged=data.get("unchanged", 0),
            file_errors=list(data.get("file_errors", [])),
            warnings=list(data.get("warnings", [])),
            truncated=data.get("truncated", 0),
            counts_override=data.get("counts"),
        )


class ImportRejected(Exception):
    """The file cannot be read at all (not an xlsx, a zip bomb, macros …): nothing is written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
