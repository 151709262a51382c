"""Every ASL file agrees with template.yaml: placeholders, substitutions and state targets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.asl_contract import dangling_targets, placeholders, unreachable_states
from twin.cfn import load_template, resources_of_type
from twin.offline import OfflineAWS
from twin.runner import lambda_tasks
from twin.stack import ROOT, LocalStack

TEMPLATE = load_template(ROOT / "template.yaml")
MACHINES = resources_of_type(TEMPLATE, "AWS::Serverless::StateMachine")
ASL_FILES = sorted((ROOT / "statemachine").glob("*.asl.json"))


def _machine_for(asl: Path) -> dict[str, object]:
    for resource in MACHINES.values():
        if (ROOT / str(resource["Properties"]["DefinitionUri"])).resolve() == asl.resolve():
            return resource["Properties"]
    raise AssertionError(f"{asl.name} is not the DefinitionUri of any state machine in template.yaml")


def test_every_state_machine_of_the_template_has_its_asl_file() -> None:
    # Given template.yaml's state machines / Then each DefinitionUri exists in statemachine/
    for name, resource in MACHINES.items():
        assert (ROOT / resource["Properties"]["DefinitionUri"]).is_file(), name


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_placeholders_and_substitutions_match_both_ways(asl: Path) -> None:
    # Given an ASL file and its state machine's DefinitionSubstitutions
    substitutions = set(_machine_for(asl).get("DefinitionSubstitutions", {}))  # type: ignore[arg-type]
    # Then every ${X} has a substitution and every substitution is used
    assert placeholders(asl.read_text()) == substitutions


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_every_target_names_a_state_inside_map_and_parallel_too(asl: Path) -> None:
    assert dangling_targets(json.loads(asl.read_text())) == []


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_every_state_is_reachable(asl: Path) -> None:
    assert unreachable_states(json.loads(asl.read_text())) == []


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_substitutions_resolve_to_resources_of_the_template(asl: Path, aws: OfflineAWS) -> None:
    # Given the offline deployment of template.yaml / When substitutions are resolved / Then all are ARNs
    stack = LocalStack(aws)
    resolved = stack.resolve(_machine_for(asl).get("DefinitionSubstitutions", {}))
    assert all(str(value).startswith("arn:aws:") for value in resolved.values()), resolved


# Task states that need not retry AwsThrottled, and why. Every other state's function can meet a throttled AWS call,
# and a throttled call is a wait, never a failure: the state retries it with backoff and jitter.
NOT_RETRYING_THROTTLING: dict[str, str] = {}
# The longest burst of throttling (every call refused) a migration must wait through, in seconds.
LONGEST_BURST = 15 * 60


def _state(definition: dict[str, Any], name: str) -> dict[str, Any]:
    def find(states: dict[str, Any]) -> dict[str, Any] | None:
        for key, state in states.items():
            if key == name:
                return state
            for nested in [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]:
                found = find(nested["States"]) if nested else None
                if found is not None:
                    return found
        return None

    return find(definition["States"]) or {}


def _retried_errors(definition: dict[str, Any], name: str) -> set[str]:
    return {error for retry in _state(definition, name).get("Retry", []) for error in retry["ErrorEquals"]}


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_every_state_whose_function_calls_aws_retries_throttling(asl: Path) -> None:
    # Given an ASL file's Lambda Task states / Then each retries AwsThrottled unless it is exempt for a stated reason
    definition = json.loads(asl.read_text())
    missing = [
        name
        for name in lambda_tasks(definition)
        if name not in NOT_RETRYING_THROTTLING and "AwsThrottled" not in _retried_errors(definition, name)
    ]
    assert missing == []


def _mean_wait(retrier: dict[str, Any]) -> float:
    """The mean of a retrier's total backoff over all its attempts: with full jitter each wait is drawn between 0
    and its capped delay, half of it on average."""
    interval, rate = retrier.get("IntervalSeconds", 1), retrier.get("BackoffRate", 2.0)
    cap = retrier.get("MaxDelaySeconds", float("inf"))
    delays = [min(cap, interval * rate**attempt) for attempt in range(retrier.get("MaxAttempts", 3))]
    return sum(delays) / (2 if retrier.get("JitterStrategy") == "FULL" else 1)


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("error", ["AwsThrottled", "Lambda.TooManyRequestsException"])
def test_every_lambda_state_waits_through_a_quarter_hour_of_throttling(asl: Path, error: str) -> None:
    # Given an ASL file's Lambda Task states, and a burst in which Lambda (TooManyRequestsException, as Step
    # Functions names Lambda's 429) or the AWS APIs its function calls (AwsThrottled) refuse every call for 15 minutes
    definition = json.loads(asl.read_text())
    short = {}
    for name in lambda_tasks(definition):
        retriers = [r for r in _state(definition, name).get("Retry", []) if error in r["ErrorEquals"]]
        # Then each state's retrier for it waits, on average, twice the burst before it gives up
        if not retriers or _mean_wait(retriers[0]) < 2 * LONGEST_BURST:
            short[name] = round(_mean_wait(retriers[0])) if retriers else None
    assert short == {}


# The heaviest storm below 100% a migration must go through (the fault matrix's throttle-95 row), and the odds of a
# state's retries all being refused by it that are small enough never to be met.
HEAVIEST_STORM, NEVER = 0.95, 1e-9
# The longest a retrier may wait between two attempts: every attempt of a storm below 100% has its chance, and a
# Task state refused twenty times in a row (as a 95% storm refuses it on average) waits minutes, not hours.
LONGEST_RETRY_DELAY = 10


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("error", ["AwsThrottled", "Lambda.TooManyRequestsException"])
def test_no_storm_below_a_hundred_percent_exhausts_a_lambda_states_retries(asl: Path, error: str) -> None:
    # Given an ASL file's Lambda Task states, and a storm in which 95% of the calls to Lambda (its invoke) or to the
    # AWS APIs its function calls are refused, each attempt alike
    definition = json.loads(asl.read_text())
    exhausted = {}
    for name in lambda_tasks(definition):
        retriers = [r for r in _state(definition, name).get("Retry", []) if error in r["ErrorEquals"]]
        attempts = 1 + (retriers[0].get("MaxAttempts", 3) if retriers else 0)
        # Then the odds that every attempt of the state is refused are below one in a billion
        if HEAVIEST_STORM**attempts >= NEVER:
            exhausted[name] = attempts
    assert exhausted == {}


@pytest.mark.parametrize("asl", ASL_FILES, ids=lambda p: p.name)
def test_a_throttled_lambda_state_is_tried_again_within_seconds(asl: Path) -> None:
    # Given an ASL file's Lambda Task states / Then each retrier of throttling caps its delay, with full jitter
    definition = json.loads(asl.read_text())
    slow = {
        name: retrier
        for name in lambda_tasks(definition)
        for retrier in _state(definition, name).get("Retry", [])
        if "AwsThrottled" in retrier["ErrorEquals"]
        and (
            retrier.get("MaxDelaySeconds", float("inf")) > LONGEST_RETRY_DELAY
            or retrier.get("JitterStrategy") != "FULL"
        )
    }
    assert slow == {}


def test_the_checker_reports_a_dangling_next_inside_a_map() -> None:
    # Given a Map whose inner state points at a state that does not exist
    broken = {
        "StartAt": "Loop",
        "States": {
            "Loop": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "Work", "States": {"Work": {"Type": "Pass", "Next": "Nowhere"}}},
                "End": True,
            }
        },
    }
    # Then the checker names it
    assert dangling_targets(broken) == ["root/Loop/Work.Next: 'Nowhere' names no state"]


def test_the_checker_reports_a_dangling_catch_and_choice_and_an_unreachable_state() -> None:
    broken = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Gone"}],
                "Default": "Done",
            },
            "Done": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Lost"}],
            },
            "Orphan": {"Type": "Succeed"},
        },
    }
    assert dangling_targets(broken) == [
        "root/Pick.Choices[0]: 'Gone' names no state",
        "root/Done.Catch[0]: 'Lost' names no state",
    ]
    assert unreachable_states(broken) == ["root/Orphan: unreachable"]
