"""Models of the benchmarks app: peer comparisons, the national survey reference, publication settings."""

from benchmarks.models.comparison import (
    BenchmarkComparison,
    BenchmarkEntry,
    BenchmarkMetricValue,
    PublicationSettings,
)
from benchmarks.models.survey import (
    HearingCase,
    Survey,
    SurveyBreakdown,
    SurveyCell,
    SurveyFinding,
    SurveyIssue,
    SurveyOption,
    SurveyOwnAnswer,
    SurveyQuestion,
    SurveyRow,
)

__all__ = [
    "BenchmarkComparison",
    "BenchmarkEntry",
    "BenchmarkMetricValue",
    "HearingCase",
    "PublicationSettings",
    "Survey",
    "SurveyBreakdown",
    "SurveyCell",
    "SurveyFinding",
    "SurveyIssue",
    "SurveyOption",
    "SurveyOwnAnswer",
    "SurveyQuestion",
    "SurveyRow",
]
