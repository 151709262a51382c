"""The EventBridge door: "SMS Migration Requested" on the project's bus starts one migration per event, however
often EventBridge delivers it; a bad request is refused on the bus, naming every bad field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.doors.conftest import executions
from tests.support.events import load_event
from tests.support.migration import bus_events
from tests.support.throttled import storm_from_function
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def put_event(aws: OfflineAWS, workflow: LocalStateMachine, sample: str, detail: dict[str, Any]) -> str:
    """Send an event shaped like the committed sample, as another team's producer would."""
    template = load_event(sample)
    with aws.observing():
        response = aws.client("events").put_events(
            Entries=[
                {
                    "EventBusName": workflow.resource_name("EventBus"),
                    "Source": template["source"],
                    "DetailType": template["detail-type"],
                    "Detail": json.dumps(detail),
                }
            ]
        )
    assert response["FailedEntryCount"] == 0
    return str(response["Entries"][0]["EventId"])


def test_a_requested_event_starts_a_migration_that_completes(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a producer's "SMS Migration Requested" event with a valid request as its detail
    event_id = put_event(aws, workflow, "start_from_event.json", scenario.request())
    # When EventBridge delivers it
    aws.events.settle()
    # Then one execution, named after the event, completes the migration
    (started,) = executions(aws, workflow)
    assert started["name"] == f"event-{event_id}"
    execution = workflow.wait(started["executionArn"])
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["failed"] == 0


@pytest.mark.parametrize("aws", [{"duplicate_event_rate": 1.0}], indirect=True)
def test_an_event_delivered_twice_starts_one_migration(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given an EventBridge that delivers every event twice (at-least-once delivery)
    # When one request event is sent
    put_event(aws, workflow, "start_from_event.json", scenario.request())
    aws.events.settle()
    # Then the door ran twice, and there is one execution
    door = workflow.resource_name("StartFromEventFunction")
    assert sum(1 for i in aws.lambdas.invocations if i.function_name == door) == 2
    (started,) = executions(aws, workflow)
    assert workflow.wait(started["executionArn"]).status == "SUCCEEDED"


def test_an_invalid_request_event_is_refused_on_the_bus_with_nothing_started(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a request event whose principal is an IAM role, which RAM cannot share with
    detail = scenario.request(principals=["arn:aws:iam::222222222222:role/Admin"])
    # When it is delivered
    event_id = put_event(aws, workflow, "start_from_event.json", detail)
    aws.events.settle()
    # Then MigrationRequestRefused names the field, and nothing started
    (refused,) = bus_events(aws, "MigrationRequestRefused")
    assert refused["eventId"] == event_id
    assert refused["problems"][0].startswith("principals[0]:")
    assert executions(aws, workflow) == []


def test_an_approval_decided_event_resumes_a_gated_migration(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a gated migration waiting for approval
    from tests.support.migration import wait_for_status
    from tests.workflow.test_approval_gate import GATED

    arn = workflow.start(scenario.request(migrationId="gated-evt", options=GATED), name="gated-evt")
    wait_for_status(aws, workflow, "gated-evt", "AWAITING_APPROVAL")
    # When the change board's system sends its decision as an event
    decision = load_event("doors/event-approval-decided.json")["detail"] | {"migrationId": "gated-evt"}
    put_event(aws, workflow, "doors/event-approval-decided.json", decision)
    aws.events.settle()
    # Then the migration goes on and completes, approved by the event's approver
    execution = workflow.wait(arn)
    assert execution.status == "SUCCEEDED", execution.cause
    report = json.loads(workflow.read_artifact(execution.output["reportKey"]))
    assert report["approval"]["approver"] == decision["approver"]


def test_a_requested_event_in_a_quarter_hour_of_throttling_starts_its_migration_when_it_passes(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given 15 minutes in which every service the door calls (DynamoDB, Step Functions, EventBridge) throttles,
    # from the moment the door first runs
    storm_from_function(aws, workflow.resource_name("StartFromEventFunction"), nth=1, seconds=900)
    # When a valid request event arrives
    event_id = put_event(aws, workflow, "start_from_event.json", scenario.request())
    aws.events.settle(timeout=120)
    # Then the door waits the storm out: its migration starts once, nothing is dead-lettered, and it completes
    (started,) = executions(aws, workflow)
    assert started["name"] == f"event-{event_id}"
    assert _dead_lettered(aws, workflow) == []
    execution = workflow.wait(started["executionArn"])
    assert execution.status == "SUCCEEDED", execution.cause


def _dead_lettered(aws: OfflineAWS, workflow: LocalStateMachine) -> list[dict[str, Any]]:
    with aws.observing():
        sqs = aws.client("sqs")
        url = sqs.get_queue_url(QueueName=workflow.resource_name("DoorDeadLetterQueue"))["QueueUrl"]
        return list(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []))


def test_an_event_the_door_cannot_handle_ends_in_the_dead_letter_queue(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a state machine that cannot be started (deleted from under the stack)
    with aws.observing():
        aws.client("stepfunctions").delete_state_machine(stateMachineArn=workflow.arn)
    # When a valid request event arrives
    event_id = put_event(aws, workflow, "start_from_event.json", scenario.request())
    aws.events.settle()
    # Then Lambda tried three times, and the event waits in the dead-letter queue with why
    door = workflow.resource_name("StartFromEventFunction")
    assert sum(1 for i in aws.lambdas.invocations if i.function_name == door) == 3
    with aws.observing():
        sqs = aws.client("sqs")
        url = sqs.get_queue_url(QueueName=workflow.resource_name("DoorDeadLetterQueue"))["QueueUrl"]
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestPayload"]["id"] == event_id
    assert record["requestContext"]["condition"] == "RetriesExhausted"
