"""The ticket webhook: a signed ticket starts its migration once; every bad delivery is refused, naming why,
with nothing started."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.doors.conftest import executions, unix_now
from tests.support.http import deliver, http_event, signed, webhook_secret
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def ticket(scenario: Scenario, ticket_id: str = "MIG-42", **changes: Any) -> dict[str, Any]:
    return {"ticketId": ticket_id, "request": scenario.request(**changes)}


def post_ticket(aws: OfflineAWS, workflow: LocalStateMachine, body: Any, **options: Any) -> Any:
    event = signed(http_event("POST /migrations", body=body, **options), webhook_secret(aws, workflow), unix_now(aws))
    return deliver(aws, workflow, event)


def test_a_signed_ticket_starts_its_migration_and_it_completes(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket carrying a valid request, signed with the stack's secret
    # When the ticket system delivers it
    answer = post_ticket(aws, workflow, ticket(scenario))
    # Then the webhook accepts it with the execution and where to follow it, and the migration completes
    assert answer.status == 202, answer.body
    assert answer.body["migrationId"] == "MIG-42"
    assert answer.body["executionName"] == "ticket-MIG-42"
    assert answer.body["statusUrl"].endswith("/migrations/MIG-42")
    execution = workflow.wait(answer.body["executionArn"])
    assert execution.status == "SUCCEEDED", execution.cause
    assert execution.output["failed"] == 0


def test_a_retried_delivery_answers_the_same_execution_and_starts_nothing_new(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket already delivered once
    first = post_ticket(aws, workflow, ticket(scenario))
    # When the ticket system retries the delivery (a new signature, the same ticket)
    second = post_ticket(aws, workflow, ticket(scenario))
    # Then the second answer is 200 with the same execution, and there is one execution
    assert (first.status, second.status) == (202, 200)
    assert second.body["executionArn"] == first.body["executionArn"]
    assert second.body["alreadyStarted"] is True
    assert len(executions(aws, workflow)) == 1
    assert workflow.wait(first.body["executionArn"]).status == "SUCCEEDED"


def test_a_retry_after_the_migration_ended_still_answers_the_same_execution(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket whose migration has finished
    first = post_ticket(aws, workflow, ticket(scenario))
    workflow.wait(first.body["executionArn"])
    # When the same ticket is delivered again
    again = post_ticket(aws, workflow, ticket(scenario))
    # Then it finds the finished execution rather than starting another
    assert (again.status, again.body["executionArn"]) == (200, first.body["executionArn"])
    assert len(executions(aws, workflow)) == 1


def test_the_same_ticket_with_another_request_is_a_conflict(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket already delivered
    first = post_ticket(aws, workflow, ticket(scenario))
    # When the same ticket arrives carrying a different request
    changed = post_ticket(aws, workflow, ticket(scenario, options={"dryRun": True}))
    # Then it is refused as a conflict and nothing else starts
    assert changed.status == 409
    assert changed.headers["Content-Type"] == "application/problem+json"
    assert "different request" in changed.body["detail"]
    assert len(executions(aws, workflow)) == 1
    workflow.wait(first.body["executionArn"])


def test_a_jira_issue_webhook_starts_the_migration_named_after_the_issue(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given Jira's issue webhook, the request in a {code:json} block of the description (base64, as API Gateway
    # passes a body it does not read as text)
    description = "Please move these.\n{code:json}\n" + json.dumps(scenario.request()) + "\n{code}\n"
    body = {"webhookEvent": "jira:issue_updated", "issue": {"key": "OPS-7", "fields": {"description": description}}}
    # When it is delivered
    answer = post_ticket(aws, workflow, body, base64_body=True)
    # Then the migration is the issue's, and it completes
    assert answer.status == 202, answer.body
    assert (answer.body["migrationId"], answer.body["executionName"]) == ("OPS-7", "ticket-OPS-7")
    assert workflow.wait(answer.body["executionArn"]).status == "SUCCEEDED"


def test_a_wrong_signature_is_refused_with_nothing_started(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket signed with another key
    event = signed(http_event("POST /migrations", body=ticket(scenario)), b"not-the-secret", unix_now(aws))
    # When it is delivered
    answer = deliver(aws, workflow, event)
    # Then 401 names the signature header, and nothing started
    assert answer.status == 401
    assert answer.body["type"] == "urn:eum-share:problem:signature"
    assert "x-eum-share-signature" in answer.body["detail"]
    assert executions(aws, workflow) == []


def test_during_a_rotation_tickets_signed_with_the_previous_or_the_new_key_are_both_accepted(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given the intake key just rotated: Secrets Manager labels the new value AWSCURRENT and the old AWSPREVIOUS
    # (PutSecretValue: "Secrets Manager automatically moves the staging label AWSCURRENT to this version")
    previous = webhook_secret(aws, workflow)
    with aws.observing():
        aws.client("secretsmanager").put_secret_value(
            SecretId=workflow.resource_name("WebhookSecret"), SecretString="a-new-intake-key-0123456789abcdef"
        )
    current = webhook_secret(aws, workflow)
    # When one ticket system still signs with the previous value and another already with the new one
    old = signed(http_event("POST /migrations", body=ticket(scenario, "MIG-51")), previous, unix_now(aws))
    new = signed(http_event("POST /migrations", body=ticket(scenario, "MIG-52")), current, unix_now(aws))
    other = signed(http_event("POST /migrations", body=ticket(scenario, "MIG-53")), b"never-a-key", unix_now(aws))
    # Then both start their migrations, and a key that was never the intake key still opens nothing
    assert (deliver(aws, workflow, old).status, deliver(aws, workflow, new).status) == (202, 202)
    assert deliver(aws, workflow, other).status == 401


def test_an_unsigned_ticket_is_refused_naming_the_missing_header(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket with no signature headers
    event = http_event("POST /migrations", body=ticket(scenario))
    for header in ("x-eum-share-timestamp", "x-eum-share-signature"):
        event["headers"].pop(header)
    # When it is delivered
    answer = deliver(aws, workflow, event)
    # Then 401 says which header is missing
    assert answer.status == 401
    assert answer.body["detail"] == "header x-eum-share-timestamp is missing"
    assert executions(aws, workflow) == []


def test_a_replayed_ticket_older_than_five_minutes_is_refused(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a correctly signed ticket whose timestamp is six minutes old
    event = signed(
        http_event("POST /migrations", body=ticket(scenario)), webhook_secret(aws, workflow), unix_now(aws) - 360
    )
    # When it is delivered (a replay)
    answer = deliver(aws, workflow, event)
    # Then it is refused as too old
    assert answer.status == 401
    assert "more than 300 s from now" in answer.body["detail"]
    assert executions(aws, workflow) == []


def test_a_body_over_256_kib_is_refused(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    # Given a signed body larger than Step Functions could take as input
    body = ticket(scenario) | {"padding": "x" * (256 * 1024)}
    # When it is delivered
    answer = post_ticket(aws, workflow, body)
    # Then 413, nothing started
    assert answer.status == 413
    assert executions(aws, workflow) == []


def test_malformed_json_is_refused_naming_the_body(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given a signed body that is not JSON
    # When it is delivered
    answer = post_ticket(aws, workflow, b'{"ticketId": "MIG-1", "request": ')
    # Then 400 names the body and says where the JSON breaks
    assert answer.status == 400
    assert answer.body["invalid-params"][0]["name"] == "body"
    assert "not JSON" in answer.body["detail"]
    assert executions(aws, workflow) == []


def test_an_invalid_request_is_refused_naming_every_bad_field(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket whose request has a malformed principal and a batch size over ten
    body = ticket(scenario, principals=["not-an-account"], options={"batchSize": 11})
    # When it is delivered
    answer = post_ticket(aws, workflow, body)
    # Then 422 names both fields where the ticket holds them, and nothing started
    assert answer.status == 422
    names = {param["name"] for param in answer.body["invalid-params"]}
    assert names == {"request.principals[0]", "request.options.batchSize"}
    assert executions(aws, workflow) == []


def test_a_ticket_id_that_cannot_name_an_execution_is_refused(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket whose ID holds a space and a slash
    # When it is delivered
    answer = post_ticket(aws, workflow, ticket(scenario, ticket_id="MIG 4/2"))
    # Then 422 names ticketId
    assert answer.status == 422
    assert [p["name"] for p in answer.body["invalid-params"]] == ["ticketId"]
    assert executions(aws, workflow) == []


def test_a_callback_outside_the_allow_list_is_refused(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a ticket asking for its callback at a host the stack does not allow
    body = ticket(scenario, callbackUrl="https://attacker.example.net/hook")
    # When it is delivered
    answer = post_ticket(aws, workflow, body)
    # Then 422 names the callbackUrl, and nothing started
    assert answer.status == 422
    (param,) = answer.body["invalid-params"]
    assert param["name"] == "request.callbackUrl"
    assert "allow-list" in param["reason"]
    assert executions(aws, workflow) == []


def test_an_unknown_route_is_a_problem_not_a_crash(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    # Given a signed request to a path the API does not have
    event = http_event("POST /migrations", body={"x": 1})
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/tickets"
    # When it is delivered
    answer = deliver(aws, workflow, signed(event, webhook_secret(aws, workflow), unix_now(aws)))
    # Then 404 in problem form
    assert answer.status == 404
    assert answer.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("workflow", [{"LogLevel": "DEBUG"}], indirect=True)
def test_the_secret_and_signatures_never_reach_the_logs(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, capfd: pytest.CaptureFixture[str]
) -> None:
    # Given functions logging at DEBUG, everything they say
    secret = webhook_secret(aws, workflow)
    event = signed(http_event("POST /migrations", body=ticket(scenario)), secret, unix_now(aws))
    bad = signed(http_event("POST /migrations", body=ticket(scenario, "MIG-43")), b"wrong", unix_now(aws))
    # When a good and a badly signed ticket are delivered
    deliver(aws, workflow, event)
    deliver(aws, workflow, bad)
    # Then neither the secret nor any signature appears in what was logged
    logged = "".join(capfd.readouterr())
    assert logged, "the functions logged nothing; the test would prove nothing"
    for needle in (secret.decode(), event["headers"]["x-eum-share-signature"], bad["headers"]["x-eum-share-signature"]):
        assert needle not in logged


def test_a_ticket_delivered_while_step_functions_is_busy_is_asked_to_come_back(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given Step Functions answering every call ThrottlingException (longer than the SDK's own retries last)
    aws.world.faults.config = replace(
        aws.world.faults.config, throttle_rate=1.0, throttled_services=frozenset({"states"})
    )
    # When the ticket system delivers a ticket
    answer = post_ticket(aws, workflow, ticket(scenario))
    # Then the webhook answers 503 with Retry-After, a wait for the sender rather than an error, and nothing started
    assert answer.status == 503, answer.body
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.body["type"] == "urn:eum-share:problem:busy"
    aws.world.faults.config = replace(aws.world.faults.config, throttle_rate=0.0)
    assert executions(aws, workflow) == []
