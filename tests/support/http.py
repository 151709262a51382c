"""API Gateway HTTP API (payload 2.0) events for the webhook, built from the committed samples in events/, signed
the way a ticket system signs them, and delivered by invoking the deployed function."""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from typing import Any

from eum_share.logic.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from tests.support.events import load_event
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine

SAMPLES = {
    "POST /migrations": "webhook.json",
    "GET /migrations/{id}": "doors/http-get-migration.json",
    "POST /migrations/{id}/approve": "doors/http-approve.json",
    "POST /migrations/{id}/reject": "doors/http-reject.json",
    "POST /migrations/{id}/approve-signed": "doors/http-approve-signed.json",
    "POST /migrations/{id}/reject-signed": "doors/http-reject-signed.json",
}


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: Any


def http_event(
    route: str,
    *,
    body: Any = None,
    migration_id: str | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """The committed sample of `route`, with this body (a dict is sent as JSON) and path."""
    event: dict[str, Any] = copy.deepcopy(load_event(SAMPLES[route]))
    if migration_id is not None:
        path = route.split(" ", 1)[1].replace("{id}", migration_id)
        event["rawPath"] = event["requestContext"]["http"]["path"] = path
        event["pathParameters"] = {"id": migration_id}
    if body is not None:
        raw = body if isinstance(body, bytes) else (body if isinstance(body, str) else json.dumps(body)).encode()
        event["body"] = base64.b64encode(raw).decode() if base64_body else raw.decode()
        event["isBase64Encoded"] = base64_body
    elif event["requestContext"]["http"]["method"] == "GET":
        event.pop("body", None)
    return event


def raw_body(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    return base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()


def signed(event: dict[str, Any], secret: bytes, timestamp: int) -> dict[str, Any]:
    """Sign as documented: HMAC-SHA256 of "<timestamp>.<raw body>" (for a GET, the path stands for the body)."""
    message = event["rawPath"].encode() if event["requestContext"]["http"]["method"] == "GET" else raw_body(event)
    event["headers"][TIMESTAMP_HEADER] = str(timestamp)
    event["headers"][SIGNATURE_HEADER] = sign(secret, str(timestamp), message)
    return event


def stack_secret(aws: OfflineAWS, workflow: LocalStateMachine, logical_id: str) -> bytes:
    """The current value of one of the stack's keys (WebhookSecret, ApprovalSecret, CallbackSecret)."""
    with aws.observing():
        value = aws.client("secretsmanager").get_secret_value(SecretId=workflow.resource_name(logical_id))
    return str(value["SecretString"]).encode()


def webhook_secret(aws: OfflineAWS, workflow: LocalStateMachine) -> bytes:
    """The intake key: tickets and status reads."""
    return stack_secret(aws, workflow, "WebhookSecret")


def approval_secret(aws: OfflineAWS, workflow: LocalStateMachine) -> bytes:
    return stack_secret(aws, workflow, "ApprovalSecret")


def callback_secret(aws: OfflineAWS, workflow: LocalStateMachine) -> bytes:
    return stack_secret(aws, workflow, "CallbackSecret")


def deliver(aws: OfflineAWS, workflow: LocalStateMachine, event: dict[str, Any], client: Any = None) -> HttpAnswer:
    """Invoke the deployed webhook function as API Gateway does, and read its proxy response."""
    with aws.observing():
        response = (client or aws.client("lambda")).invoke(
            FunctionName=workflow.resource_name("WebhookFunction"), Payload=json.dumps(event).encode()
        )
    payload = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, payload
    body = payload.get("body") or ""
    content_type = payload.get("headers", {}).get("Content-Type", "")
    return HttpAnswer(
        payload["statusCode"], payload.get("headers", {}), json.loads(body) if "json" in content_type else body
    )
