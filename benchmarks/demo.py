"""Reference data every installation gets: the municipality registry and the national survey."""

from __future__ import annotations

from django.db import transaction

from benchmarks.registry import registry_load
from benchmarks.survey import survey_load


@transaction.atomic
def reference_data_load() -> None:
    """Load (or refresh) the registry first: the survey's size-class rows point at its SizeClass rows."""
    registry_load()
    survey_load()


__all__ = ["reference_data_load"]
