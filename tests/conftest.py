"""Fixtures shared by the whole suite."""

import pytest

from sheets.choices import FormType
from sheets.models import EvaluationSheet


@pytest.fixture(autouse=True)
def _fresh_content_cache():
    """Nothing cached under the content token outlives its test: tests roll their data back, and
    SQLite reuses ids."""
    from django.core.cache import caches

    caches["content"].clear()


@pytest.fixture
def demo(db):
    """The demo municipality (鎌倉市) with its three program sheets for 令和7年度."""
    from sheets.demo import kamakura_demo_load

    return kamakura_demo_load()


@pytest.fixture
def demo_sheet(demo):
    """The 健福-17 ひきこもり対策推進事業 sheet of 令和7年度, as printed in the published form."""
    return EvaluationSheet.objects.get(
        form_type=FormType.KAMAKURA_PROGRAM, evaluation_fy=2025, program__code="健福-17"
    )


@pytest.fixture
def login_as(client, django_user_model):
    """Log the test client in as one of the demo users (staff, evaluator, policy_owner, auditor, admin)."""

    def _login(username):
        user = django_user_model.objects.get(username=username)
        client.force_login(user)
        return user

    return _login


@pytest.fixture
def okinawa_sheets(demo):
    """The three 令和5年度 「主な取組」検証票 of 沖縄県 (施策 ③), in the order of the published sheets."""
    from sheets.demo_okinawa import okinawa_demo_load

    okinawa_demo_load()
    return list(
        EvaluationSheet.objects.filter(form_type=FormType.OKINAWA_INITIATIVE, evaluation_fy=2023).order_by(
            "program__order"
        )
    )


@pytest.fixture
def kunitachi_sheet(db):
    """The 国立市 施策マネジメントシート of 基本施策 12 (S = 令和5年度), as printed in the published form."""
    from sheets.demo_kunitachi import kunitachi_demo_load

    kunitachi_demo_load()
    return EvaluationSheet.objects.get(form_type=FormType.KUNITACHI_POLICY, evaluation_fy=2024)
