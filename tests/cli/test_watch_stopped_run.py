"""`watch` tells a run that ended without recording it (stopped from the console) from one that finished."""

from __future__ import annotations

from tests.cli.support import FAST, EumShare
from tests.support.migration import wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_watch_says_when_a_run_was_stopped_before_it_recorded_its_end(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a running migration whose execution someone stops from the console
    arn = workflow.start(scenario.request(migrationId="stopped-run"), name="stopped-run")
    wait_for_status(aws, workflow, "stopped-run", "RUNNING")
    with aws.observing():
        aws.client("stepfunctions").stop_execution(executionArn=arn)
    # When it is watched
    watched = eum_share("watch", "stopped-run", *FAST)
    # Then watch ends in failure, says the execution ended without the ledger knowing, and how to continue
    assert watched.code == 1
    assert "execution stopped-run ended ABORTED without the ledger recording it" in watched.out
    assert "start the same request again to continue" in watched.out
