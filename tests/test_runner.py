"""The local runner executes real ASL on moto's interpreter: each construct the workflow relies on works."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, render_definition
from twin.stack import TemplateError

PROBE = Path(__file__).parent / "asl" / "probe.asl.json"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:{}"


class Wobble(Exception):
    pass


class RecipeSpoiled(Exception):
    pass


class Kitchen:
    """The probe's three functions, recording what they were called with."""

    def __init__(self, wobbles_per_item: int = 2) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.wobbles_per_item = wobbles_per_item
        self._attempts: dict[int, int] = {}

    def prepare(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.calls.append(("prepare", event))
        return {"items": [1, 2, 3], "waitSeconds": 3600, "mode": event.get("mode", "calm")}

    def flaky(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        item = event["item"]
        self._attempts[item] = self._attempts.get(item, 0) + 1
        self.calls.append(("flaky", item))
        if self._attempts[item] <= self.wobbles_per_item:
            raise Wobble(f"item {item} attempt {self._attempts[item]}")
        return {"value": item * 10}

    def explode(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RecipeSpoiled("the sauce curdled")

    def handlers(self) -> dict[str, Callable[[dict[str, Any], Any], Any]]:
        return {"prepare": self.prepare, "flaky": self.flaky, "explode": self.explode}


def _probe(aws: OfflineAWS, kitchen: Kitchen) -> LocalStateMachine:
    definition = render_definition(
        PROBE,
        {
            "PrepareArn": ARN.format("prepare"),
            "FlakyArn": ARN.format("flaky"),
            "ExplodeArn": ARN.format("explode"),
        },
    )
    return LocalStateMachine(aws, definition=definition, name="probe", handlers=kitchen.handlers())


@pytest.fixture
def kitchen() -> Kitchen:
    return Kitchen()


@pytest.fixture
def calm_run(aws: OfflineAWS, kitchen: Kitchen) -> Execution:
    return _probe(aws, kitchen).run({"mode": "calm"})


def test_a_calm_run_succeeds_with_every_item_processed(calm_run: Execution) -> None:
    assert calm_run.status == "SUCCEEDED"
    assert calm_run.output["results"] == [{"value": 10}, {"value": 20}, {"value": 30}]


def test_the_task_receives_the_execution_input(calm_run: Execution, kitchen: Kitchen) -> None:
    assert kitchen.calls[0] == ("prepare", {"mode": "calm"})


def test_wait_seconds_path_advances_simulated_time_not_wall_time(calm_run: Execution) -> None:
    # Given a Wait of 3600 s and retry backoffs / Then the clock moved at least an hour, the run took seconds
    assert calm_run.simulated_seconds >= 3600
    assert calm_run.wall_seconds < 60


def test_retry_attempts_a_failing_task_again_after_a_backoff(calm_run: Execution, kitchen: Kitchen) -> None:
    # Given each item fails twice with Wobble / Then each was attempted three times and the backoff
    # (10 s then 20 s) was waited in simulated time
    attempts = [item for name, item in kitchen.calls if name == "flaky"]
    assert sorted(attempts) == [1, 1, 1, 2, 2, 2, 3, 3, 3]
    assert calm_run.simulated_seconds >= 3600 + 3 * (10 + 20)


def test_map_with_max_concurrency_one_finishes_each_item_before_the_next(calm_run: Execution, kitchen: Kitchen) -> None:
    attempts = [item for name, item in kitchen.calls if name == "flaky"]
    assert attempts == [1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_retry_gives_up_after_max_attempts_with_the_error_name(aws: OfflineAWS) -> None:
    # Given an item that fails more often than MaxAttempts allows
    execution = _probe(aws, Kitchen(wobbles_per_item=5)).run({"mode": "calm"})
    # Then the execution fails with the handler's exception class name as its error
    assert execution.status == "FAILED"
    assert execution.error == "Wobble"


def test_choice_routes_and_catch_matches_a_custom_error_name_into_a_fail_state(
    aws: OfflineAWS, kitchen: Kitchen
) -> None:
    # Given mode "explode": the Choice routes to a task that raises RecipeSpoiled, which a Catch matches
    execution = _probe(aws, kitchen).run({"mode": "explode"})
    # Then the Fail state's error is reported, with the handler's message in the cause
    assert execution.status == "FAILED"
    assert execution.error == "Spoiled"
    assert json.loads(execution.cause or "{}")["errorMessage"] == "the sauce curdled"


def test_the_lambda_task_states_are_listed_with_their_functions_nested_ones_included(
    aws: OfflineAWS, kitchen: Kitchen
) -> None:
    assert _probe(aws, kitchen).task_functions() == {"Prepare": "prepare", "Flaky": "flaky", "Explode": "explode"}


def test_a_crash_after_the_handler_fails_the_task_once_its_side_effects_are_done(
    aws: OfflineAWS, kitchen: Kitchen
) -> None:
    # Given the probe, with "prepare" set to crash on its first invocation after doing its work
    machine = _probe(aws, kitchen)
    aws.lambdas.crash_after("prepare")

    # When it runs
    execution = machine.run({"mode": "calm"})

    # Then the handler ran (its side effect is there), and the execution failed with Lambda.Unknown
    assert kitchen.calls == [("prepare", {"mode": "calm"})]
    assert (execution.status, execution.error) == ("FAILED", "Lambda.Unknown")
    assert aws.world.faults.injected["lambda-crash"] == 1


def test_a_crash_is_planned_for_one_invocation_only(aws: OfflineAWS, kitchen: Kitchen) -> None:
    # Given the second invocation of "flaky" set to crash, and a Map whose Retry does not cover Lambda.Unknown
    machine = _probe(aws, Kitchen(wobbles_per_item=0))
    aws.lambdas.crash_after("flaky", invocation=2)

    # When it runs twice
    first, second = machine.run({"mode": "calm"}), machine.run({"mode": "calm"})

    # Then the first run fails at the second item, and the next run is not affected
    assert (first.status, first.error) == ("FAILED", "Lambda.Unknown")
    assert second.status == "SUCCEEDED"


def test_a_crash_needs_a_registered_function(aws: OfflineAWS) -> None:
    with pytest.raises(KeyError, match="nobody"):
        aws.lambdas.crash_after("nobody")


def test_a_placeholder_without_a_substitution_is_refused() -> None:
    with pytest.raises(TemplateError, match="ExplodeArn"):
        render_definition(PROBE, {"PrepareArn": "x", "FlakyArn": "y"})


def _distributed(tolerated: dict[str, Any]) -> str:
    return json.dumps(
        {
            "StartAt": "Chunks",
            "States": {
                "Chunks": {
                    "Type": "Map",
                    "ItemsPath": "$.items",
                    "MaxConcurrency": 1,
                    **tolerated,
                    "ItemProcessor": {
                        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "Work",
                        "States": {
                            "Work": {
                                "Type": "Task",
                                "Resource": "arn:aws:states:::lambda:invoke",
                                "Parameters": {"FunctionName": ARN.format("picky"), "Payload.$": "$"},
                                "End": True,
                            }
                        },
                    },
                    "End": True,
                }
            },
        }
    )


def _picky(event: Any, context: Any) -> dict[str, Any]:
    if event == 2:
        raise RecipeSpoiled("item 2")
    return {}


def test_a_distributed_map_fails_when_a_child_execution_fails_as_aws_documents(aws: OfflineAWS) -> None:
    # Given a Distributed Map with the default tolerance (no failure tolerated) and one failing item
    machine = LocalStateMachine(aws, definition=_distributed({}), name="dmap", handlers={"picky": _picky})
    # When it runs / Then the Map fails with States.ExceedToleratedFailureThreshold
    execution = machine.run({"items": [1, 2, 3]})
    assert (execution.status, execution.error) == ("FAILED", "States.ExceedToleratedFailureThreshold")


def test_a_distributed_map_succeeds_when_failures_stay_within_its_tolerance(aws: OfflineAWS) -> None:
    machine = LocalStateMachine(
        aws, definition=_distributed({"ToleratedFailureCount": 1}), name="dmap1", handlers={"picky": _picky}
    )
    assert machine.run({"items": [1, 2, 3]}).status == "SUCCEEDED"


def test_each_child_execution_of_a_distributed_map_keeps_a_history_of_its_own(aws: OfflineAWS) -> None:
    # Given a Distributed Map over three items, each child running one Task
    machine = LocalStateMachine(
        aws, definition=_distributed({"ToleratedFailureCount": 1}), name="dmap2", handlers={"picky": _picky}
    )
    # When it runs
    execution = machine.run({"items": [1, 2, 3]})
    # Then each child's history holds its own Task, and the parent's history holds none of them
    children = machine.child_histories(execution.arn)
    entered = [[e["stateEnteredEventDetails"]["name"] for e in h if e["type"] == "TaskStateEntered"] for h in children]
    assert entered == [["Work"], ["Work"], ["Work"]]
    assert not [e for e in machine.history(execution.arn) if e["type"] == "TaskStateEntered"]
