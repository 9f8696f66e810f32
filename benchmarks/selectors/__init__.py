"""Reads of the benchmarks pages; each builds the context dataclass its page (and PDF or Excel) reads."""

from benchmarks.selectors.portfolio import (
    department_portfolio_context,
    policy_portfolio_context,
    portfolio_year,
)
from benchmarks.selectors.program import ProgramBenchmarkContext, program_benchmark_context
from benchmarks.selectors.survey import (
    SurveyIndexContext,
    SurveyQuestionContext,
    survey_index_context,
    survey_question_context,
    user_size_class,
)

__all__ = [
    "department_portfolio_context",
    "policy_portfolio_context",
    "portfolio_year",
    "ProgramBenchmarkContext",
    "SurveyIndexContext",
    "SurveyQuestionContext",
    "program_benchmark_context",
    "survey_index_context",
    "survey_question_context",
    "user_size_class",
]
