"""GET /migrations/{id}: a migration's progress from the ledger, for a ticket or a script."""

from __future__ import annotations

from tests.doors.conftest import unix_now
from tests.support.http import HttpAnswer, deliver, http_event, signed, webhook_secret
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def get_status(
    aws: OfflineAWS, workflow: LocalStateMachine, migration_id: str, timestamp: int | None = None
) -> HttpAnswer:
    event = http_event("GET /migrations/{id}", migration_id=migration_id)
    return deliver(aws, workflow, signed(event, webhook_secret(aws, workflow), timestamp or unix_now(aws)))


def test_a_finished_migration_reports_its_counts_and_where_the_report_is(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration that has finished
    execution = workflow.run(scenario.request(migrationId="mig-status"), name="mig-status")
    assert execution.status == "SUCCEEDED"
    # When its status is asked for
    answer = get_status(aws, workflow, "mig-status")
    # Then it is done, 100 %, with counts per status and the report's location
    assert answer.status == 200
    body = answer.body
    assert (body["status"], body["phase"], body["percentDone"]) == ("SUCCEEDED", "DONE", 100.0)
    assert sum(body["counts"].values()) == body["identities"] == len(scenario.identities) + 1
    assert body["markdownKey"] == execution.output["markdownKey"]


def test_an_unknown_migration_is_404(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given no migration called nope
    # When its status is asked for
    answer = get_status(aws, workflow, "nope")
    # Then 404 names it
    assert answer.status == 404
    assert "nope" in answer.body["detail"]


def test_a_status_signature_is_bound_to_its_path(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given a status request signed for one migration, replayed against another
    event = signed(
        http_event("GET /migrations/{id}", migration_id="mig-a"), webhook_secret(aws, workflow), unix_now(aws)
    )
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/migrations/mig-b"
    event["pathParameters"] = {"id": "mig-b"}
    # When it is delivered
    answer = deliver(aws, workflow, event)
    # Then the signature does not verify
    assert answer.status == 401


def test_an_iam_authorized_status_request_needs_no_signature(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given an unsigned status request that API Gateway authorized with IAM (route with AWS_IAM auth)
    event = http_event("GET /migrations/{id}", migration_id="nope")
    for header in ("x-eum-share-timestamp", "x-eum-share-signature"):
        event["headers"].pop(header)
    event["requestContext"]["authorizer"] = {
        "iam": {"accountId": "111111111111", "userArn": "arn:aws:iam::111111111111:user/ops", "userId": "AIDAEXAMPLE"}
    }
    # When it is delivered
    answer = deliver(aws, workflow, event)
    # Then it is answered (404: no such migration), not refused for want of a signature
    assert answer.status == 404


def test_an_unsigned_status_request_without_iam_is_refused(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given an unsigned status request with no IAM authorization
    event = http_event("GET /migrations/{id}", migration_id="nope")
    event["headers"].pop("x-eum-share-signature")
    # When it is delivered
    answer = deliver(aws, workflow, event)
    # Then it is refused
    assert answer.status == 401
