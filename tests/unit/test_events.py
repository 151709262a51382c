"""Every sample payload in events/ is what its function accepts, so `sam local invoke -e` gets past parsing."""

from __future__ import annotations

import pytest
from aws_lambda_powertools.utilities.parser.models import APIGatewayProxyEventV2Model
from eum_share.models import rollback, states
from eum_share.models.doors import BusEvent
from pydantic import BaseModel

from tests.support.events import load_event

PAYLOADS: dict[str, type[BaseModel]] = {
    "validate_request.json": states.ValidateRequestInput,
    "preflight.json": states.MigrationRef,
    "inventory.json": states.MigrationRef,
    "plan_batches.json": states.MigrationRef,
    "lock_share.json": states.MigrationRef,
    "ensure_share.json": states.LoopInput,
    "accept_invitations.json": states.LoopInput,
    "associate_batches.json": states.ChunkRef,
    "recreate_configuration.json": states.MigrationRef,
    "verify_from_consumers.json": states.MigrationRef,
    "report.json": states.MigrationRef,
    "record_failure.json": states.RecordFailureInput,
    "request_approval.json": states.ApprovalGateInput,
    "webhook.json": APIGatewayProxyEventV2Model,
    "start_from_event.json": BusEvent,
    "notify_callback.json": BusEvent,
    "open_rollback.json": rollback.RollbackInput,
    "undo_sharing.json": rollback.RollbackRef,
    "remove_configuration.json": rollback.RollbackRef,
    "restore_policies.json": rollback.RollbackRef,
    "report_rollback.json": rollback.RollbackStep,
    "record_rollback_failure.json": rollback.RollbackFailureInput,
}
# The doors' other samples: every route of the HTTP API and every event the EventBridge door takes.
DOORS: dict[str, type[BaseModel]] = {
    "doors/http-jira-ticket.json": APIGatewayProxyEventV2Model,
    "doors/http-get-migration.json": APIGatewayProxyEventV2Model,
    "doors/http-approve.json": APIGatewayProxyEventV2Model,
    "doors/http-reject.json": APIGatewayProxyEventV2Model,
    "doors/http-approve-signed.json": APIGatewayProxyEventV2Model,
    "doors/http-reject-signed.json": APIGatewayProxyEventV2Model,
    "doors/event-approval-decided.json": BusEvent,
    "doors/event-rollback-requested.json": BusEvent,
}
# The rollback state machine's input, from the console, an event's detail or the CLI.
ROLLBACK_REQUESTS = ["rollback/rollback.json", "rollback/restore.json", "rollback/restore-identities.json"]


@pytest.mark.parametrize(("name", "model"), (PAYLOADS | DOORS).items(), ids=list(PAYLOADS | DOORS))
def test_the_sample_payload_parses_as_its_function_input(name: str, model: type[BaseModel]) -> None:
    model.model_validate(load_event(name))


@pytest.mark.parametrize("name", ROLLBACK_REQUESTS)
def test_the_sample_rollback_request_is_valid(name: str) -> None:
    rollback.RollbackRequest.model_validate(load_event(name))


def test_the_rollback_event_carries_a_valid_rollback_request() -> None:
    rollback.RollbackRequest.model_validate(load_event("doors/event-rollback-requested.json")["detail"])


def test_every_function_of_the_template_has_a_sample_payload() -> None:
    from twin.cfn import load_template, resources_of_type
    from twin.stack import ROOT

    handlers = {
        resource["Properties"]["Handler"].split(".")[-2]
        for resource in resources_of_type(load_template(ROOT / "template.yaml"), "AWS::Serverless::Function").values()
    }
    assert {f"{handler}.json" for handler in handlers} == set(PAYLOADS)
