"""A rollback stopped by a failure that makes going on unsafe (the owner role no longer trusts the orchestrator) says
so in the ledger and on the bus; started again once the role is put right, it continues and completes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.migration import bus_events, wait_for_status
from tests.support.rollback import resting_state
from tests.support.untrusting import owner_role_untrusting
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed


@dataclass
class Stopped:
    aws: OfflineAWS
    workflow: LocalStateMachine
    stopped: Execution
    resumed: Execution
    status_between: str
    before: dict[str, Any]
    after: dict[str, Any]


@pytest.fixture(scope="module")
def run() -> Iterator[Stopped]:
    with OfflineAWS() as aws:
        scenario: Scenario = seed(aws, identities=16, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            before = resting_state(aws, scenario)
            assert workflow.run(scenario.request(migrationId="mig-stopped"), name="mig-stopped").status == "SUCCEEDED"
            # Given the owner role's trust changed so that it no longer trusts the orchestrator
            # When the migration is rolled back, then rolled back again once the trust is put back
            with owner_role_untrusting(aws, scenario.owner):
                stopped = workflow.rollback.run({"migrationId": "mig-stopped"}, name="rollback-stopped")
            between = wait_for_status(aws, workflow, "mig-stopped", "ROLLBACK_FAILED")["status"]["S"]
            resumed = workflow.rollback.run({"migrationId": "mig-stopped"}, name="rollback-resumed")
            yield Stopped(aws, workflow, stopped, resumed, between, before, resting_state(aws, scenario))


def test_the_rollback_fails_with_the_error_it_met(run: Stopped) -> None:
    assert run.stopped.status == "FAILED"
    assert "AccessDenied" in run.stopped.cause, run.stopped.cause


def test_the_failure_is_in_the_ledger_and_on_the_bus(run: Stopped) -> None:
    assert run.status_between == "ROLLBACK_FAILED"
    (failed,) = bus_events(run.aws, "MigrationRollbackFailed")
    assert (failed["migrationId"], failed["mode"], failed["error"]) == ("mig-stopped", "ROLLBACK", run.stopped.error)
    assert failed["executionName"] == "rollback-stopped"


def test_started_again_the_rollback_completes_and_every_account_is_as_before(run: Stopped) -> None:
    assert run.resumed.status == "SUCCEEDED", run.resumed.cause
    assert run.after == run.before
    assert wait_for_status(run.aws, run.workflow, "mig-stopped", "ROLLED_BACK")
