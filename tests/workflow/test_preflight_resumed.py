"""A Preflight that a storm stops half way goes on, when the state is tried again, from the checks it finished."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from tests.support.throttled import ALWAYS_THROTTLED
from twin.runner import local_migration_workflow


@pytest.fixture(scope="module")
def half_checked() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given a Preflight whose first run reads the owner's tier, then meets every DescribeAccountAttributes throttled
    # from the first consumer's on, for longer than its calls wait: the state is retried (AwsThrottled)
    with (
        seeded_organization(12, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        name = workflow.task_functions()["Preflight"]
        function = aws.lambdas.functions[name]
        runs: list[str] = []

        def storm_after_the_owners_tier(event: dict[str, Any], context: Any) -> Any:
            faults = aws.world.faults
            calm = faults.config
            if runs:
                runs.append("calm")
                return function.handler(event, context)
            runs.append("throttled")

            def storm() -> None:
                limits = {**faults.config.rate_limits, "sms-voice:DescribeAccountAttributes": ALWAYS_THROTTLED}
                faults.config = replace(faults.config, rate_limits=limits)

            # The second account's first page: the owner's tier is read to its last page.
            aws.world.after_call("sms-voice", "DescribeAccountAttributes", storm, nth=2, when=_first_page)
            try:
                return function.handler(event, context)
            finally:
                faults.config = calm

        aws.lambdas.register(name, replace(function, handler=storm_after_the_owners_tier))
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
    history = run.workflow.history(run.execution.arn)
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    failed = [e for e in history if e["type"] == "TaskFailed" and "AwsThrottled" in json.dumps(e)]
    assert "WaitForPreflight" in entered
    assert failed == []
