"""A Preflight that a storm stops half way goes on, when the state is tried again, from the checks it finished."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from tests.support.throttled import After, throttle_first_run, waited_instead_of_failing
from twin.runner import local_migration_workflow


@pytest.fixture(scope="module")
def half_checked() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given a Preflight whose first run reads the owner's tier, then meets every DescribeAccountAttributes throttled
    # from the first consumer's on, for longer than its calls wait: the state is retried (AwsThrottled)
    with (
        seeded_organization(12, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        # The second account's first page: the owner's tier is read to its last page.
        second_account = After("sms-voice", "DescribeAccountAttributes", nth=2, when=_first_page)
        runs = throttle_first_run(aws, workflow, "Preflight", "sms-voice:DescribeAccountAttributes", second_account)
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(), name="mig-storm-2")
        yield MigrationRun(aws, scenario, workflow, execution, first_call), runs


def _first_page(params: dict[str, Any]) -> bool:
    return "NextToken" not in params


def test_a_retried_preflight_goes_on_from_the_checks_it_finished(
    half_checked: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = half_checked
    # When the state is tried again, AWS calm / Then the migration succeeds, and the owner's tier was read once
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]
    preflight = run.workflow.task_functions()["Preflight"]
    owners_tier_reads = [
        c
        for c in run.calls
        if c.caller == preflight
        and c.account == run.scenario.owner
        and c.operation == "DescribeAccountAttributes"
        and c.error is None
        and _first_page(c.params)
    ]
    assert len(owners_tier_reads) == 1


def test_the_stopped_preflight_waits_in_its_wait_state_instead_of_failing_its_task(
    half_checked: tuple[MigrationRun, list[str]],
) -> None:
    run, _ = half_checked
    entered, failed = waited_instead_of_failing(run)
    assert "WaitForPreflight" in entered
    assert failed == []
