"""Completion callbacks: when a migration ends, the ticket's allow-listed URL hears how, signed."""

from __future__ import annotations

import json

from eum_share.logic.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from tests.doors.conftest import CallbackReceiver
from tests.support.http import callback_secret, webhook_secret
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_the_callback_hears_the_outcome_signed_with_the_callbacks_own_key(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a migration whose request asks for a callback at an allow-listed URL
    request = scenario.request(migrationId="mig-cb", callbackUrl=f"{receiver.origin}/tickets/MIG-9/events")
    # When it runs to the end
    execution = workflow.run(request, name="mig-cb")
    aws.events.settle()
    # Then the receiver got one POST saying it succeeded, whose signature verifies with the callbacks key (which
    # opens no door), not with the intake key
    assert execution.status == "SUCCEEDED"
    ((headers, body),) = receiver.received
    assert json.loads(body)["migrationId"] == "mig-cb"
    assert json.loads(body)["event"] == "MigrationSucceeded"
    expected = sign(callback_secret(aws, workflow), headers[TIMESTAMP_HEADER], body)
    assert headers[SIGNATURE_HEADER] == expected
    assert headers[SIGNATURE_HEADER] != sign(webhook_secret(aws, workflow), headers[TIMESTAMP_HEADER], body)


def test_a_migration_without_a_callback_calls_nobody(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a migration with no callbackUrl
    # When it runs to the end
    assert workflow.run(scenario.request(), name="mig-quiet").status == "SUCCEEDED"
    aws.events.settle()
    # Then nothing was POSTed
    assert receiver.received == []


def test_a_rejected_migration_tells_its_callback(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a gated migration with a callback, waiting at its gate
    from eum_share.dal.ledger import Ledger
    from eum_share.logic.approval import decide
    from eum_share.models.ledger import Decision

    from tests.support.migration import wait_for_status
    from tests.workflow.test_approval_gate import GATED

    request = scenario.request(migrationId="mig-cb-no", options=GATED, callbackUrl=f"{receiver.origin}/hook")
    arn = workflow.start(request, name="mig-cb-no")
    wait_for_status(aws, workflow, "mig-cb-no", "AWAITING_APPROVAL")
    # When it is rejected
    with aws.observing():
        decide(Ledger(workflow.resource_name("LedgerTable")), "mig-cb-no", Decision.REJECTED, "cab@example.com")
    workflow.wait(arn)
    aws.events.settle()
    # Then the callback hears MigrationRejected with the REJECTED status
    ((_, body),) = receiver.received
    assert (json.loads(body)["event"], json.loads(body)["status"]) == ("MigrationRejected", "REJECTED")


def test_an_unreachable_callback_ends_in_the_dead_letter_queue(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a migration whose allow-listed callback receiver has gone away
    request = scenario.request(migrationId="mig-cb-gone", callbackUrl=f"{receiver.origin}/hook")
    receiver.__exit__(None, None, None)
    # When the migration ends
    assert workflow.run(request, name="mig-cb-gone").status == "SUCCEEDED"
    aws.events.settle()
    # Then the undelivered outcome waits in the dead-letter queue, naming the migration
    with aws.observing():
        sqs = aws.client("sqs")
        url = sqs.get_queue_url(QueueName=workflow.resource_name("DoorDeadLetterQueue"))["QueueUrl"]
        (message,) = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestPayload"]["detail"]["migrationId"] == "mig-cb-gone"
    assert "did not answer" in record["responsePayload"]["errorMessage"]
