"""A quarter of an hour in which AWS throttles every RAM and End User Messaging call, in the middle of the batches:
the migration waits it out and succeeds. AWS busy is a wait, never a failure."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from twin.inspect import state_dump
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow

STORM_SECONDS = 15 * 60.0


def _storm_from_second_chunk_call(aws: OfflineAWS, workflow: LocalStateMachine) -> list[float]:
    """From AdvanceBatches' second invocation (the first batch is on its way), every RAM and End User Messaging
    call is throttled for STORM_SECONDS of simulated time. Returns when the storm started, once it has."""
    name = workflow.task_functions()["AdvanceBatches"]
    function = aws.lambdas.functions[name]
    started: list[float] = []
    calls = 0

    def handler(event: dict[str, Any], context: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            now = aws.world.clock.now()
            started.append(now)
            faults = aws.world.faults
            faults.config = replace(faults.config, throttle_bursts=((now, now + STORM_SECONDS),))
        return function.handler(event, context)

    aws.lambdas.register(name, replace(function, handler=handler))
    return started


@pytest.fixture(scope="module")
def run() -> Iterator[tuple[MigrationRun, list[float]]]:
    with (
        seeded_organization(30, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        started = _storm_from_second_chunk_call(aws, workflow)
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(), name="mig-quarter-storm")
        yield MigrationRun(aws, scenario, workflow, execution, first_call), started


def test_the_storm_really_lasted_a_quarter_of_an_hour_inside_the_batches(run: tuple[MigrationRun, list[float]]) -> None:
    migration, started = run
    # Given the storm started while the batches ran, and AWS refused calls through it
    assert started
    assert migration.aws.world.faults.injected.get("throttle", 0) > 0
    # Then the migration outlasted it
    assert migration.aws.world.clock.now() > started[0] + STORM_SECONDS


def test_the_migration_waits_the_storm_out_and_succeeds(run: tuple[MigrationRun, list[float]]) -> None:
    migration, _ = run
    assert migration.execution.status == "SUCCEEDED", migration.execution.cause


def test_every_identity_is_usable_by_every_consumer_after_the_storm(run: tuple[MigrationRun, list[float]]) -> None:
    migration, _ = run
    dump = state_dump(migration.aws)
    for line in migration.report["identities"]:
        assert line["status"] in ("VERIFIED", "REPAIRED"), line
        for consumer in migration.scenario.consumers:
            assert line["arn"] in dump["accounts"][consumer]["us-east-1"]["sharedVisible"], (consumer, line)
