"""Preflight under a storm of throttling waits and tries again: AWS busy is never "cannot be reached"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at


@pytest.fixture(scope="module")
def stormy() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given every DescribeAccountAttributes throttled while Preflight first runs (the tier of every account)
    with migration_throttled_at("Preflight", "sms-voice:DescribeAccountAttributes", name="mig-storm-1") as outcome:
        yield outcome


def test_a_throttled_preflight_is_run_again_and_the_migration_succeeds(
    stormy: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = stormy
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]


def test_no_account_is_reported_unreachable_or_warned_about(stormy: tuple[MigrationRun, list[str]]) -> None:
    run, _ = stormy
    assert not any("cannot be reached" in warning for warning in run.report["warnings"])
