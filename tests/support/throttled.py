"""A migration whose chosen state meets AWS throttling every call of one operation, the first time it runs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from tests.support.migration import Hook, MigrationRun, seeded_organization
from twin.faults import ORCHESTRATOR_SERVICES, RateLimit
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow


def storm_from(
    aws: OfflineAWS,
    workflow: LocalStateMachine,
    state: str,
    nth: int,
    seconds: float,
    services: frozenset[str] = ORCHESTRATOR_SERVICES,
) -> list[float]:
    """From the `nth` run of `state`'s function, every call to `services` (by default every service the
    orchestrator calls, Lambda and its own DynamoDB, S3 and EventBridge included) is throttled for `seconds` of
    simulated time (a burst of the fault plan). Returns when the storm started, once it has."""
    return storm_from_function(aws, workflow.task_functions()[state], nth, seconds, services)


def storm_from_function(
    aws: OfflineAWS, name: str, nth: int, seconds: float, services: frozenset[str] = ORCHESTRATOR_SERVICES
) -> list[float]:
    """storm_from for any function of the stack (a door as much as a state), named as the stack names it."""
    function = aws.lambdas.functions[name]
    started: list[float] = []
    runs = 0

    def handler(event: dict[str, Any], context: Any) -> Any:
        nonlocal runs
        runs += 1
        if runs == nth:
            now = aws.world.clock.now()
            started.append(now)
            faults = aws.world.faults
            faults.config = replace(faults.config, throttle_bursts=((now, now + seconds),), throttled_services=services)
        return function.handler(event, context)

    aws.lambdas.register(name, replace(function, handler=handler))
    return started


# A bucket that never refills: every call it covers is throttled, however long the SDK backs off.
ALWAYS_THROTTLED = RateLimit(per_second=0.0, burst=0.0)


@dataclass(frozen=True)
class After:
    """A storm that starts right after the `nth` successful `service` call to `operation` whose parameters satisfy
    `when` (World.after_call), not when the function does."""

    service: str
    operation: str
    nth: int = 1
    when: Callable[[dict[str, Any]], bool] | None = None


def throttle_first_run(
    aws: OfflineAWS, workflow: LocalStateMachine, state: str, operation: str, after: After | None = None
) -> list[str]:
    """While `state`'s function runs for the first time, every `operation` call (`service:Operation`, as
    FaultConfig.rate_limits keys it) is throttled, from the start or from `after`: a sustained storm, not one
    refusal the SDK's retries absorb. Returns the list of runs of the function, appended to as they start
    ("throttled", then "calm")."""
    name = workflow.task_functions()[state]
    function = aws.lambdas.functions[name]
    runs: list[str] = []

    def storm_then_calm(event: dict[str, Any], context: Any) -> Any:
        faults = aws.world.faults
        calm = faults.config
        if runs:
            runs.append("calm")
            return function.handler(event, context)
        runs.append("throttled")

        def storm() -> None:
            faults.config = replace(
                faults.config, rate_limits={**faults.config.rate_limits, operation: ALWAYS_THROTTLED}
            )

        if after is None:
            storm()
        else:
            aws.world.after_call(after.service, after.operation, storm, nth=after.nth, when=after.when)
        try:
            return function.handler(event, context)
        finally:
            faults.config = calm

    aws.lambdas.register(name, replace(function, handler=storm_then_calm))
    return runs


def waited_instead_of_failing(run: MigrationRun) -> tuple[list[str], list[dict[str, Any]]]:
    """The states the execution entered, and its tasks that failed for AWS being busy (AwsThrottled)."""
    history = run.workflow.history(run.execution.arn)
    entered = [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]
    failed = [e for e in history if e["type"] == "TaskFailed" and "AwsThrottled" in json.dumps(e)]
    return entered, failed


@contextmanager
def migration_throttled_at(
    state: str, operation: str, *, name: str, before: Hook | None = None, **request_changes: Any
) -> Iterator[tuple[MigrationRun, list[str]]]:
    """A seeded organization and one migration whose `state` meets a storm of `operation` throttling its first time."""
    with (
        seeded_organization(12, 2, 1, None, before) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        runs = throttle_first_run(aws, workflow, state, operation)
        changes = {key: value(scenario) if callable(value) else value for key, value in request_changes.items()}
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(**changes), name=name)
        yield MigrationRun(aws, scenario, workflow, execution, first_call), runs
