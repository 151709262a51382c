"""Each rollback or restore started gets an execution name of its own."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eum_share.logic.rollback_open import rollback_request
from eum_share_cli import launch, rollback


def test_two_rollbacks_started_in_the_same_second_get_different_execution_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a clock that stands still, as it does for two starts within one second
    monkeypatch.setattr(rollback, "utc_now", lambda: datetime(2026, 12, 7, 3, 32, 35, tzinfo=UTC))
    request = rollback_request({"migrationId": "cli-rollback", "mode": "ROLLBACK"})
    # When two rollbacks of the same migration are named
    first, second = rollback.execution_name(request), rollback.execution_name(request)
    # Then the names differ (Step Functions refuses a second execution of one name), each fits Step Functions' limit
    assert first != second
    assert first.startswith("rollback-cli-rollback-20261207033235-")
    assert max(len(first), len(second)) <= launch.NAME_LIMIT


def test_a_long_migration_id_still_gives_a_name_within_the_limit() -> None:
    # Given a migration ID of the longest length a request allows
    request = rollback_request({"migrationId": "m" * 80, "mode": "RESTORE"})
    # Then its restore's execution name is cut to Step Functions' 80 characters
    assert len(rollback.execution_name(request)) == launch.NAME_LIMIT
