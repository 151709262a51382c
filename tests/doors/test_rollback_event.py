"""The EventBridge door for rollbacks: "SMS Migration Rollback Requested" on the project's bus starts one rollback
(or restore) per event; an unknown migration or a bad field is refused on the bus with nothing started."""

from __future__ import annotations

from typing import Any

from tests.doors.conftest import executions
from tests.doors.test_eventbridge import put_event
from tests.support.events import load_event
from tests.support.migration import bus_events
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario

SAMPLE = "doors/event-rollback-requested.json"


def _detail(**changes: Any) -> dict[str, Any]:
    detail: dict[str, Any] = load_event(SAMPLE)["detail"]
    return detail | changes


def test_a_rollback_requested_event_rolls_the_migration_back(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a finished migration
    assert workflow.run(scenario.request(migrationId="mig-evt"), name="mig-evt").status == "SUCCEEDED"
    # When an operator's tooling sends "SMS Migration Rollback Requested" for it
    event_id = put_event(aws, workflow, SAMPLE, _detail(migrationId="mig-evt"))
    aws.events.settle()
    # Then one rollback execution, named after the event, rolls it back
    (started,) = executions(aws, workflow.rollback)
    assert started["name"] == f"event-{event_id}"
    rollback = workflow.rollback.wait(started["executionArn"])
    assert rollback.status == "SUCCEEDED", rollback.cause
    (announced,) = bus_events(aws, "MigrationRolledBack")
    assert announced["migrationId"] == "mig-evt"


def test_a_rollback_of_an_unknown_migration_is_refused_on_the_bus(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    event_id = put_event(aws, workflow, SAMPLE, _detail(migrationId="mig-nobody"))
    aws.events.settle()
    (refused,) = bus_events(aws, "MigrationRequestRefused")
    assert refused["eventId"] == event_id
    assert refused["problems"] == ["detail.migrationId: no migration 'mig-nobody' in the ledger; nothing was started"]
    assert executions(aws, workflow.rollback) == []


def test_a_rollback_event_with_a_bad_field_is_refused_naming_it(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    put_event(aws, workflow, SAMPLE, _detail(mode="UNDO"))
    aws.events.settle()
    (refused,) = bus_events(aws, "MigrationRequestRefused")
    assert refused["detailType"] == "SMS Migration Rollback Requested"
    assert refused["problems"] == ["detail.mode: Input should be 'ROLLBACK' or 'RESTORE'"]
    assert executions(aws, workflow.rollback) == []
