"""options.deadlineSeconds: a migration that AWS keeps too busy to finish in time stops cleanly with DeadlineExceeded,
saying how far it got, its share lock released and its ledger intact; the same request started again continues
where it stopped and finishes."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.migration import seeded_organization
from tests.support.throttled import storm_from
from twin.faults import FAKED_SERVICES
from twin.inspect import state_dump
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario

NAME = "mig-deadline"
DEADLINE_SECONDS = 600
# An hour of every RAM and End User Messaging call throttled, from the second batch: AWS's APIs busy for longer than
# the deadline. (Lambda itself refusing every invocation for an hour is beyond what the state machine's retries
# wait through, a quarter of an hour: tests/test_asl_contract.py.)
STORM_SECONDS = 3600.0


@dataclass
class Stopped:
    aws: OfflineAWS
    scenario: Scenario
    workflow: LocalStateMachine
    stopped: Execution
    resumed: Execution
    lock_after_stop: list[dict[str, Any]]


@pytest.fixture(scope="module")
def run() -> Iterator[Stopped]:
    with (
        seeded_organization(30, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        request = scenario.request(migrationId=NAME, options={"deadlineSeconds": DEADLINE_SECONDS})
        started = storm_from(aws, workflow, "AdvanceBatches", 2, STORM_SECONDS, FAKED_SERVICES)
        stopped = workflow.run(request, name=NAME)
        locks = _share_locks(aws, workflow)
        # The storm passes; the team starts the same request again.
        aws.world.clock.advance_to(started[0] + STORM_SECONDS)
        resumed = workflow.run(request, name=f"{NAME}-again")
        yield Stopped(aws, scenario, workflow, stopped, resumed, locks)


def _share_locks(aws: OfflineAWS, workflow: LocalStateMachine) -> list[dict[str, Any]]:
    table = workflow.resource_name("LedgerTable")
    items = aws.client("dynamodb").scan(TableName=table)["Items"]
    return [item for item in items if item["sk"]["S"] == "LOCK"]


def test_a_run_past_its_deadline_stops_with_deadline_exceeded_saying_how_far_it_got(run: Stopped) -> None:
    assert (run.stopped.status, run.stopped.error) == ("FAILED", "DeadlineExceeded")
    assert f"({DEADLINE_SECONDS} s)" in run.stopped.cause
    assert "batches done" in run.stopped.cause
    assert "Start the same request again" in run.stopped.cause


def test_the_cause_says_why_it_got_no_further_the_throttles_aws_answered_per_action(run: Stopped) -> None:
    # The storm throttled every RAM and End User Messaging call from the second batch on: the batch in flight
    # waited on the consumers' describe calls, the next one's policy reads
    throttled = re.search(r"AWS throttled (\d+) calls \(([^)]*)\)", run.stopped.cause)
    assert throttled is not None, run.stopped.cause
    per_action = dict(part.rsplit(" ", 1) for part in throttled.group(2).split(", "))
    assert sum(int(count) for count in per_action.values()) == int(throttled.group(1)) > 0
    assert {"DescribePhoneNumbers", "GetResourcePolicy"} <= set(per_action), per_action


def test_the_stopped_run_released_the_share_lock(run: Stopped) -> None:
    assert run.lock_after_stop == []


def test_the_same_request_started_again_finishes_the_migration(run: Stopped) -> None:
    assert run.resumed.status == "SUCCEEDED", run.resumed.cause


def test_the_report_of_the_resumed_migration_covers_every_identity(run: Stopped) -> None:
    report = json.loads(run.workflow.read_artifact(run.resumed.output["reportKey"]))
    dump = state_dump(run.aws)
    assert set(run.scenario.identities) <= {line["arn"] for line in report["identities"]}
    for line in report["identities"]:
        assert line["status"] in ("VERIFIED", "REPAIRED"), line
        for consumer in run.scenario.consumers:
            assert line["arn"] in dump["accounts"][consumer]["us-east-1"]["sharedVisible"], (consumer, line)
