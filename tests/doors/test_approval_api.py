"""POST /migrations/{id}/approve and /reject (IAM-authorized) and their -signed twins (the approvals key): a
decision resumes the gate, recording who the door knows decided; a replayed, mismatched or wrongly keyed one
changes nothing."""

from __future__ import annotations

import json
from typing import Any

from tests.doors.conftest import unix_now
from tests.support.http import (
    HttpAnswer,
    approval_secret,
    callback_secret,
    deliver,
    http_event,
    signed,
    webhook_secret,
)
from tests.support.migration import wait_for_status
from tests.workflow.test_approval_gate import GATED
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario

APPROVER = "ana.ops@example.com"
PRINCIPAL = "arn:aws:sts::111111111111:assumed-role/ChangeBoard/ana.ops"


def gated(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, name: str) -> str:
    arn = workflow.start(scenario.request(migrationId=name, options=GATED), name=name)
    wait_for_status(aws, workflow, name, "AWAITING_APPROVAL")
    return arn


def decision(
    aws: OfflineAWS,
    workflow: LocalStateMachine,
    route: str,
    path_id: str,
    body: dict[str, str],
    key: bytes | None = None,
) -> HttpAnswer:
    """A decision signed with `key` (the approvals key unless said), as a ticket system's change board sends it."""
    event = http_event(route, migration_id=path_id, body=body)
    return deliver(aws, workflow, signed(event, key or approval_secret(aws, workflow), unix_now(aws)))


def by_iam(aws: OfflineAWS, workflow: LocalStateMachine, route: str, path_id: str, body: dict[str, Any]) -> HttpAnswer:
    """A decision API Gateway authorized with IAM: the committed sample, whose caller is PRINCIPAL."""
    return deliver(aws, workflow, http_event(route, migration_id=path_id, body=body))


def test_an_iam_authorized_approval_records_the_principal_not_the_body(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn = gated(aws, workflow, scenario, "gate-iam-yes")
    # When an IAM principal approves it, the body claiming someone else
    body = {"migrationId": "gate-iam-yes", "decision": "APPROVED", "approver": "the-cfo@example.com"}
    answer = by_iam(aws, workflow, "POST /migrations/{id}/approve", "gate-iam-yes", body)
    # Then the decision is recorded as the principal's, and the migration completes with the report naming it
    assert answer.status == 200, answer.body
    assert (answer.body["decision"], answer.body["approver"]) == ("APPROVED", PRINCIPAL)
    execution = workflow.wait(arn)
    assert execution.status == "SUCCEEDED"
    assert json.loads(workflow.read_artifact(execution.output["reportKey"]))["approval"]["approver"] == PRINCIPAL


def test_an_approval_without_iam_authorization_is_refused_even_signed_with_the_approvals_key(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    gated(aws, workflow, scenario, "gate-iam-none")
    # When the IAM route receives a signed request that API Gateway did not authorize
    event = http_event("POST /migrations/{id}/approve", migration_id="gate-iam-none")
    event["requestContext"].pop("authorizer")
    event["body"] = json.dumps({"migrationId": "gate-iam-none", "decision": "APPROVED"})
    answer = deliver(aws, workflow, signed(event, approval_secret(aws, workflow), unix_now(aws)))
    # Then it is refused and the migration still waits
    assert answer.status == 401
    wait_for_status(aws, workflow, "gate-iam-none", "AWAITING_APPROVAL")


def test_an_approval_signed_with_the_approvals_key_records_the_key_and_for_whom(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn = gated(aws, workflow, scenario, "gate-http-yes")
    # When the change board approves it with the approvals key
    body = {"migrationId": "gate-http-yes", "decision": "APPROVED", "approver": APPROVER}
    answer = decision(aws, workflow, "POST /migrations/{id}/approve-signed", "gate-http-yes", body)
    # Then the recorded approver says the key decided, for the person the body names, and the migration completes
    assert answer.status == 200, answer.body
    assert answer.body["approver"] == f"the approvals key, for {APPROVER}"
    assert workflow.wait(arn).status == "SUCCEEDED"


def test_a_signed_rejection_ends_the_migration_unchanged(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn = gated(aws, workflow, scenario, "gate-http-no")
    # When it is rejected through the API
    body = {"migrationId": "gate-http-no", "decision": "REJECTED", "approver": APPROVER}
    answer = decision(aws, workflow, "POST /migrations/{id}/reject-signed", "gate-http-no", body)
    # Then it ends rejected
    assert answer.status == 200
    assert workflow.wait(arn).error == "ApprovalRejected"


def test_an_approval_signed_with_the_intake_key_is_refused(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate, and the key a ticket system signs tickets with
    gated(aws, workflow, scenario, "gate-intake-key")
    body = {"migrationId": "gate-intake-key", "decision": "APPROVED", "approver": APPROVER}
    # When an approval is signed with it
    key = webhook_secret(aws, workflow)
    answer = decision(aws, workflow, "POST /migrations/{id}/approve-signed", "gate-intake-key", body, key)
    # Then it is refused and the migration still waits
    assert answer.status == 401
    wait_for_status(aws, workflow, "gate-intake-key", "AWAITING_APPROVAL")


def test_the_callbacks_key_opens_no_door(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    # Given a migration waiting at its gate, and the key every callback receiver holds
    gated(aws, workflow, scenario, "gate-callback-key")
    key = callback_secret(aws, workflow)
    # When a ticket, a status read and an approval are signed with it
    body = {"migrationId": "gate-callback-key", "decision": "APPROVED", "approver": APPROVER}
    approval = decision(aws, workflow, "POST /migrations/{id}/approve-signed", "gate-callback-key", body, key)
    ticket = deliver(aws, workflow, signed(http_event("POST /migrations"), key, unix_now(aws)))
    status = http_event("GET /migrations/{id}", migration_id="gate-callback-key")
    read = deliver(aws, workflow, signed(status, key, unix_now(aws)))
    # Then each is refused, and the migration still waits
    assert (approval.status, ticket.status, read.status) == (401, 401, 401)
    wait_for_status(aws, workflow, "gate-callback-key", "AWAITING_APPROVAL")


def test_an_approval_signed_for_one_migration_cannot_approve_another(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate, and an approval body written for another migration
    gated(aws, workflow, scenario, "gate-http-other")
    body = {"migrationId": "some-other-migration", "decision": "APPROVED", "approver": APPROVER}
    # When that body is sent to this migration's approve route
    answer = decision(aws, workflow, "POST /migrations/{id}/approve-signed", "gate-http-other", body)
    # Then it is refused naming migrationId, and the migration still waits
    assert answer.status == 422
    assert answer.body["invalid-params"][0]["name"] == "migrationId"
    wait_for_status(aws, workflow, "gate-http-other", "AWAITING_APPROVAL")


def test_an_approval_body_sent_to_the_reject_route_is_refused(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate, and a signed approval
    gated(aws, workflow, scenario, "gate-http-flip")
    body = {"migrationId": "gate-http-flip", "decision": "APPROVED", "approver": APPROVER}
    # When the approval is replayed against the reject route
    answer = decision(aws, workflow, "POST /migrations/{id}/reject-signed", "gate-http-flip", body)
    # Then it is refused naming decision, and the migration still waits
    assert answer.status == 422
    assert answer.body["invalid-params"][0]["name"] == "decision"
    wait_for_status(aws, workflow, "gate-http-flip", "AWAITING_APPROVAL")


def test_a_decision_for_a_migration_not_waiting_is_a_conflict(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration without a gate, finished
    assert workflow.run(scenario.request(migrationId="no-gate"), name="no-gate").status == "SUCCEEDED"
    # When someone tries to approve it
    body = {"migrationId": "no-gate", "decision": "APPROVED", "approver": APPROVER}
    answer = decision(aws, workflow, "POST /migrations/{id}/approve-signed", "no-gate", body)
    # Then 409 says it is not waiting for approval
    assert answer.status == 409
    assert "not waiting for approval" in answer.body["detail"]
