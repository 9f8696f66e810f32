"""Fixtures shared by the sheets tests."""

import pytest


@pytest.fixture(scope="module")
def all_demos(django_db_setup, django_db_blocker):
    """Every demo loaded once for the module (each test still runs in its own rolled-back transaction)."""
    from django.core.management import call_command

    from sheets.demo import demo_load

    with django_db_blocker.unblock():
        demo_load()
        yield
        call_command("flush", interactive=False, verbosity=0)
