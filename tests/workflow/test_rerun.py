"""A crash mid-run loses nothing: a re-run continues from the ledger and never associates twice; a re-run of
a finished migration changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.migration import mutating_calls
from twin.inspect import state_dump
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed


@dataclass
class Reruns:
    aws: OfflineAWS
    scenario: Scenario
    crashed: Execution
    resumed: Execution
    repeated: Execution
    resumed_from: int
    repeated_from: int


class Crash(Exception):
    """The Lambda dies after RAM accepted the call, before the ledger heard of it."""


@pytest.fixture(scope="module")
def reruns() -> Iterator[Reruns]:
    with OfflineAWS() as aws:
        scenario = seed(aws, identities=30, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            request = scenario.request(migrationId="mig-crash-1")
            crashed = _run_with_crash(workflow, request)
            resumed_from = len(aws.world.calls)
            resumed = workflow.run(request, name="mig-crash-1-rerun")
            repeated_from = len(aws.world.calls)
            repeated = workflow.run(request, name="mig-crash-1-again")
            yield Reruns(aws, scenario, crashed, resumed, repeated, resumed_from, repeated_from)


def _run_with_crash(workflow: LocalStateMachine, request: dict[str, Any]) -> Execution:
    from eum_share.dal import ram  # the module the deployed functions use

    original = ram.associate
    crashes = []

    def associate_then_crash(*args: Any, **kwargs: Any) -> Any:
        answer = original(*args, **kwargs)
        if kwargs.get("resources") and not crashes:
            crashes.append(answer)
            raise Crash("the function died after RAM accepted the association")
        return answer

    ram.associate = associate_then_crash  # type: ignore[assignment]
    try:
        return workflow.run(request, name="mig-crash-1-first")
    finally:
        ram.associate = original  # type: ignore[assignment]


def test_the_crash_fails_the_first_execution(reruns: Reruns) -> None:
    assert (reruns.crashed.status, reruns.crashed.error) == ("FAILED", "MigrationStepFailed")
    assert (reruns.crashed.cause or "").startswith("States.ExceedToleratedFailureThreshold")


def test_the_re_run_completes_every_identity(reruns: Reruns) -> None:
    assert reruns.resumed.status == "SUCCEEDED", reruns.resumed.cause
    assert reruns.resumed.output["failed"] == 0


def test_the_re_run_repeats_the_interrupted_association_with_the_same_token(reruns: Reruns) -> None:
    associations = [
        c for c in reruns.aws.world.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")
    ]
    first = associations[0]
    repeated = [c for c in associations[1:] if c.params["resourceArns"] == first.params["resourceArns"]]
    assert [c.params["clientToken"] for c in repeated] == [first.params["clientToken"]]


def test_no_resource_is_associated_twice(reruns: Reruns) -> None:
    shares = state_dump(reruns.aws)["accounts"][reruns.scenario.owner]["us-east-1"]["ram"]["shares"]
    [share] = shares
    entities = [r["entity"] for r in share["resources"]]
    assert len(entities) == len(set(entities))
    assert all(r["status"] == "ASSOCIATED" for r in share["resources"])


def test_a_re_run_after_success_changes_nothing(reruns: Reruns) -> None:
    assert reruns.repeated.status == "SUCCEEDED"
    assert mutating_calls(reruns.aws.world.calls[reruns.repeated_from :]) == []
