"""A Report that a storm stops half way goes on, when the state is tried again, from where it stopped: what the
consumers' accounts answered before the storm is not asked again."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at, waited_instead_of_failing


@pytest.fixture(scope="module")
def stopped_half_way() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given Report's first run reading what each consumer sees for its handoff, then meeting every
    # DescribeSpendLimits throttled for longer than its calls wait: the state is retried (AwsThrottled)
    with migration_throttled_at("Report", "sms-voice:DescribeSpendLimits", name="mig-report-storm") as outcome:
        yield outcome


def test_the_retried_report_is_written_and_the_migration_succeeds(
    stopped_half_way: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = stopped_half_way
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]
    assert run.report["outcome"] == "SUCCEEDED"


def test_no_consumer_is_asked_twice_for_the_same_thing(stopped_half_way: tuple[MigrationRun, list[str]]) -> None:
    run, _ = stopped_half_way
    function = run.workflow.task_functions()["Report"]
    # (each page of a listing is a call of its own)
    answered = Counter(
        (c.account, c.operation, json.dumps(c.params, sort_keys=True, default=str))
        for c in run.calls
        if c.caller == function and c.service == "sms-voice" and c.error is None
    )
    assert {call: count for call, count in answered.items() if count > 1} == {}


def test_the_stopped_report_waits_in_its_wait_state_instead_of_failing_its_task(
    stopped_half_way: tuple[MigrationRun, list[str]],
) -> None:
    run, _ = stopped_half_way
    entered, failed = waited_instead_of_failing(run)
    # Then the state waited (a retry it does not spend) and no Report task failed for AWS being busy
    assert "WaitForReport" in entered
    assert failed == []
