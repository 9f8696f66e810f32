"""Loads the national survey reference (fixtures/survey/) and checks that its crosstabs reconcile.

Natural keys throughout (survey code, question code, option code, breakdown key), so loading twice
changes nothing; the municipality's own answers point at options, which therefore keep their rows.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from benchmarks.calculations import parts_mismatch, pct_matches
from benchmarks.models import (
    HearingCase,
    Survey,
    SurveyBreakdown,
    SurveyCell,
    SurveyFinding,
    SurveyIssue,
    SurveyOption,
    SurveyQuestion,
    SurveyRow,
)
from sheets.models import SizeClass

SURVEY_FILE = Path(settings.BASE_DIR) / "fixtures" / "survey" / "national_hikikomori_2024.json"
SURVEY_CODE = "national_hikikomori_2024"

_QUESTION_FIELDS = (
    "title",
    "answer_type",
    "base_condition",
    "base_n",
    "stages",
    "note",
    "src_lines",
    "order",
)
_SURVEY_FIELDS = (
    "title",
    "title_note",
    "fiscal_year",
    "population_n",
    "population_text",
    "responses_n",
    "channel",
    "conventions",
    "source_file",
    "src_lines",
)


def _survey(spec: dict) -> Survey:
    defaults = {name: spec[name] for name in _SURVEY_FIELDS}
    defaults["response_rate"] = Decimal(str(spec["response_rate"]))
    defaults["fielded_from"] = datetime.date.fromisoformat(spec["fielded_from"])
    defaults["fielded_to"] = datetime.date.fromisoformat(spec["fielded_to"])
    return Survey.objects.update_or_create(code=spec["code"], defaults=defaults)[0]


def _rows(breakdown: SurveyBreakdown, specs: list[dict], options, issues, size_classes) -> None:
    """Rows and cells are rebuilt: nothing else points at them."""
    breakdown.rows.all().delete()
    rows = SurveyRow.objects.bulk_create(
        SurveyRow(
            breakdown=breakdown,
            label=spec["label"],
            is_total=spec["is_total"],
            size_class=size_classes.get(spec["size_class"]),
            src_lines=spec["src_lines"],
            order=order,
        )
        for order, spec in enumerate(specs, start=1)
    )
    SurveyCell.objects.bulk_create(
        SurveyCell(
            row=row,
            option=options[cell["option"]],
            stage=cell["stage"],
            base_n=cell["base_n"],
            base_n_printed=cell.get("base_n_printed"),
            count=cell["count"],
            count_printed=cell.get("count_printed"),
            pct=None if cell["pct"] is None else Decimal(str(cell["pct"])),
            derived=cell.get("derived", False),
            issue=issues.get(cell.get("issue")),
            src_line=cell["src_line"],
        )
        for row, spec in zip(rows, specs, strict=True)
        for cell in spec["cells"]
    )


@transaction.atomic
def survey_load(path: Path = SURVEY_FILE) -> Survey:
    """Load (or refresh) the survey, its questions, options, crosstabs, findings, notes and hearing cases."""
    data = json.loads(path.read_text(encoding="utf-8"))
    survey = _survey(data["survey"])
    issues = {
        spec["code"]: SurveyIssue.objects.update_or_create(
            survey=survey, code=spec["code"], defaults={"text": spec["text"], "src_lines": spec["src_lines"]}
        )[0]
        for spec in data["issues"]
    }
    questions, options = {}, {}
    for spec in data["questions"]:
        question = SurveyQuestion.objects.update_or_create(
            survey=survey, code=spec["code"], defaults={name: spec[name] for name in _QUESTION_FIELDS}
        )[0]
        questions[question.code] = question
        options[question.code] = {
            option["code"]: SurveyOption.objects.update_or_create(
                question=question, code=option["code"], defaults={"label": option["label"], "order": order}
            )[0]
            for order, option in enumerate(spec["options"], start=1)
        }
        question.options.exclude(code__in=options[question.code]).delete()
    for spec in data["issues"]:
        issue = issues[spec["code"]]
        issue.question = questions.get(spec["question"])
        issue.save(update_fields=["question"])
    size_classes = {s.code: s for s in SizeClass.objects.all()}
    for order, spec in enumerate(data["breakdowns"], start=1):
        breakdown = SurveyBreakdown.objects.update_or_create(
            question=questions[spec["question"]],
            key=spec["key"],
            defaults={
                "title": spec["title"],
                "note": spec["note"],
                "issue": issues.get(spec["issue"]),
                "order": order,
            },
        )[0]
        _rows(breakdown, spec["rows"], options[spec["question"]], issues, size_classes)
    for order, spec in enumerate(data["findings"], start=1):
        SurveyFinding.objects.update_or_create(
            survey=survey,
            order=order,
            defaults={
                "statement": spec["statement"],
                "value": spec["value"],
                "src_line": spec["src_line"],
                "question": questions.get(spec["question"]),
                "issue": issues.get(spec["issue"]),
            },
        )
    for spec in data["hearing_cases"]:
        defaults = {k: v for k, v in spec.items() if k not in ("no", "issue")}
        HearingCase.objects.update_or_create(
            survey=survey, no=spec["no"], defaults={**defaults, "issue": issues.get(spec["issue"])}
        )
    return survey


@dataclass
class Reconciliation:
    """What does not add up in one crosstab: sums of sub-rows and printed percentages."""

    breakdown: SurveyBreakdown
    sum_mismatches: dict = field(default_factory=dict)  # (option code, stage) or "base" → (total, Σ)
    pct_mismatches: list[SurveyCell] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.sum_mismatches and not self.pct_mismatches


def breakdown_reconciliation(breakdown: SurveyBreakdown, *, printed: bool = False) -> Reconciliation:
    """Check a crosstab whose rows and cells are prefetched (``rows__cells__option``).

    ``printed=True`` checks the figures as printed (count_printed, base_n_printed) instead of the
    corrected ones, which shows where the report itself does not add up.
    """
    result = Reconciliation(breakdown=breakdown)
    rows = list(breakdown.rows.all())

    def figures(row):
        out = {}
        for cell in row.cells.all():
            count = cell.count_printed if printed and cell.count_printed is not None else cell.count
            out[(cell.option.code, cell.stage)] = count
            out.setdefault(("base", cell.stage), cell.base_n)
        return out

    totals = [row for row in rows if row.is_total]
    if totals:
        parts = [figures(row) for row in rows if not row.is_total]
        result.sum_mismatches = parts_mismatch(figures(totals[0]), parts)
    for row in rows:
        for cell in row.cells.all():
            count = cell.count_printed if printed and cell.count_printed is not None else cell.count
            base = cell.base_n_printed if printed and cell.base_n_printed is not None else cell.base_n
            if pct_matches(count, base, cell.pct) is False:
                result.pct_mismatches.append(cell)
    return result


__all__ = ["SURVEY_CODE", "SURVEY_FILE", "Reconciliation", "breakdown_reconciliation", "survey_load"]
