"""Completion callbacks: when a migration ends, the ticket's allow-listed URL hears how, signed."""

from __future__ import annotations

import json

from eum_share.logic.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from tests.doors.conftest import CallbackReceiver
from tests.support.http import webhook_secret
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_the_callback_hears_the_outcome_signed_with_the_webhook_secret(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a migration whose request asks for a callback at an allow-listed URL
    request = scenario.request(migrationId="mig-cb", callbackUrl=f"{receiver.origin}/tickets/MIG-9/events")
    # When it runs to the end
    execution = workflow.run(request, name="mig-cb")
    aws.events.settle()
    # Then the receiver got one POST saying it succeeded, whose signature verifies with the stack's secret
    assert execution.status == "SUCCEEDED"
    ((headers, body),) = receiver.received
    assert json.loads(body)["migrationId"] == "mig-cb"
    assert json.loads(body)["event"] == "MigrationSucceeded"
    expected = sign(webhook_secret(aws, workflow), headers[TIMESTAMP_HEADER], body)
    assert headers[SIGNATURE_HEADER] == expected


def test_a_migration_without_a_callback_calls_nobody(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, receiver: CallbackReceiver
) -> None:
    # Given a migration with no callbackUrl
    # When it runs to the end
    assert workflow.run(scenario.request(), name="mig-quiet").status == "SUCCEEDED"
    aws.events.settle()
    # Then nothing was POSTed
    assert receiver.received == []
