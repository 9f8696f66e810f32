"""Concurrent editors never overwrite each other: one save per version wins, the others are refused.

Runs against the configured database (SQLite in the first pass of ``.ci/run``, PostgreSQL in the second),
with real threads, each on its own connection, released together by a barrier.
"""

import threading

import pytest
from django.db import connection

from sheets.models import EvaluationSheet, PolicyManagementSheet
from sheets.services import PolicyManagementInput, StaleSheetError, policy_management_sheet_save

EDITORS = 8


def _input(text: str) -> PolicyManagementInput:
    return PolicyManagementInput(
        lead_title="福祉総務課長",
        lead_person="国立 一郎",
        goal_grade_id=None,
        goal_grade_reason="",
        trend_grade_id=None,
        trend_grade_reason="",
        grade_background=text,
        overall_grade_id=None,
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_saves_of_one_version_keep_exactly_one(django_user_model):
    from sheets.demo_kunitachi import kunitachi_demo_load

    kunitachi_demo_load()
    sheet = EvaluationSheet.objects.get(form_type="kni_policy")
    user = django_user_model.objects.get(username="kni_staff")
    version = sheet.version
    barrier = threading.Barrier(EDITORS)
    outcomes: dict[int, str] = {}

    def edit(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            policy_management_sheet_save(
                sheet=sheet, data=_input(f"編集者{n}の記述"), by=user, expected_version=version
            )
            outcomes[n] = "saved"
        except StaleSheetError:
            outcomes[n] = "stale"
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(EDITORS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    saved = [n for n, outcome in outcomes.items() if outcome == "saved"]
    assert sorted(outcomes.values()) == ["saved"] + ["stale"] * (EDITORS - 1), outcomes
    sheet.refresh_from_db()
    assert sheet.version == version + 1
    # No lost update: what is stored is exactly the one save that was accepted.
    assert PolicyManagementSheet.objects.get(sheet=sheet).grade_background == f"編集者{saved[0]}の記述"
