"""`eum-share resume ID` starts a stopped migration's own request again, and the migration finishes."""

from __future__ import annotations

from tests.cli.support import EumShare
from tests.support.migration import wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_a_migration_stopped_mid_run_is_resumed_and_finishes(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a migration whose execution someone stopped from the console while it ran
    arn = workflow.start(scenario.request(migrationId="resumed-run"), name="resumed-run")
    wait_for_status(aws, workflow, "resumed-run", "RUNNING")
    with aws.observing():
        aws.client("stepfunctions").stop_execution(executionArn=arn)
    # When it is resumed
    resumed = eum_share("resume", "resumed-run")
    # Then a new execution of the same request starts, and the migration succeeds
    assert resumed.code == 0, resumed.err
    assert "migration resumed-run started" in resumed.out
    wait_for_status(aws, workflow, "resumed-run", "SUCCEEDED")


def test_a_migration_never_started_cannot_be_resumed(eum_share: EumShare) -> None:
    # Given no migration of that ID / When it is resumed
    resumed = eum_share("resume", "never-started")
    # Then nothing starts, and the command says why
    assert resumed.code != 0
    assert "no request stored" in resumed.err + resumed.out
