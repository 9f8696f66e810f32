"""Fixtures of the benchmarks tests."""

import pytest

from benchmarks.models import Survey


@pytest.fixture
def reference_data(db):
    """The municipality registry and the national survey, as load_demo loads them."""
    from benchmarks.demo import reference_data_load

    reference_data_load()
    return Survey.objects.get(code="national_hikikomori_2024")
