"""POST /migrations/{id}/approve and /reject: a signed decision resumes the gate; a replayed or mismatched one
changes nothing."""

from __future__ import annotations

import json

from tests.doors.conftest import unix_now
from tests.support.http import HttpAnswer, deliver, http_event, signed, webhook_secret
from tests.support.migration import wait_for_status
from tests.workflow.test_approval_gate import GATED
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario

APPROVER = "ana.ops@example.com"


def gated(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, name: str) -> str:
    arn = workflow.start(scenario.request(migrationId=name, options=GATED), name=name)
    wait_for_status(aws, workflow, name, "AWAITING_APPROVAL")
    return arn


def decision(
    aws: OfflineAWS, workflow: LocalStateMachine, route: str, path_id: str, body: dict[str, str]
) -> HttpAnswer:
    event = http_event(route, migration_id=path_id, body=body)
    return deliver(aws, workflow, signed(event, webhook_secret(aws, workflow), unix_now(aws)))


def test_a_signed_approval_resumes_the_migration(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn = gated(aws, workflow, scenario, "gate-http-yes")
    # When the change board approves it through the API
    body = {"migrationId": "gate-http-yes", "decision": "APPROVED", "approver": APPROVER}
    answer = decision(aws, workflow, "POST /migrations/{id}/approve", "gate-http-yes", body)
    # Then the API confirms the decision and the migration completes, its report naming the approver
    assert answer.status == 200, answer.body
    assert (answer.body["decision"], answer.body["approver"]) == ("APPROVED", APPROVER)
    execution = workflow.wait(arn)
    assert execution.status == "SUCCEEDED"
    assert json.loads(workflow.read_artifact(execution.output["reportKey"]))["approval"]["approver"] == APPROVER


def test_a_signed_rejection_ends_the_migration_unchanged(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn = gated(aws, workflow, scenario, "gate-http-no")
    # When it is rejected through the API
    body = {"migrationId": "gate-http-no", "decision": "REJECTED", "approver": APPROVER}
    answer = decision(aws, workflow, "POST /migrations/{id}/reject", "gate-http-no", body)
    # Then it ends rejected
    assert answer.status == 200
    assert workflow.wait(arn).error == "ApprovalRejected"


def test_an_approval_signed_for_one_migration_cannot_approve_another(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate, and an approval body written for another migration
    gated(aws, workflow, scenario, "gate-http-other")
    body = {"migrationId": "some-other-migration", "decision": "APPROVED", "approver": APPROVER}
    # When that body is sent to this migration's approve route
    answer = decision(aws, workflow, "POST /migrations/{id}/approve", "gate-http-other", body)
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
    answer = decision(aws, workflow, "POST /migrations/{id}/reject", "gate-http-flip", body)
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
    answer = decision(aws, workflow, "POST /migrations/{id}/approve", "no-gate", body)
    # Then 409 says it is not waiting for approval
    assert answer.status == 409
    assert "not waiting for approval" in answer.body["detail"]
