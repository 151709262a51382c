"""Whatever reaches the ticket webhook, it answers with a status and a problem naming what is wrong, never a
crash, and starts a migration only for a signed, valid ticket."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.doors.conftest import unix_now
from tests.hostile.strategies import json_values, names_a_field_of, paths, replaced
from tests.support.events import load_event
from tests.support.http import HttpAnswer, deliver, http_event, signed, webhook_secret
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow

REQUEST = load_event("requests/single-account.json")
REFUSALS = {400, 401, 409, 413, 422}
EXAMPLES = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Stack:
    aws: OfflineAWS
    workflow: LocalStateMachine
    secret: bytes
    lambdas: Any
    stepfunctions: Any

    def deliver(self, event: dict[str, Any]) -> HttpAnswer:
        return deliver(self.aws, self.workflow, event, client=self.lambdas)

    def executions(self) -> int:
        with self.aws.observing():
            return len(self.stepfunctions.list_executions(stateMachineArn=self.workflow.arn)["executions"])


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """One stack for every example: hypothesis runs a test body many times within one test."""
    with OfflineAWS() as aws, local_migration_workflow(aws, parameters={"LogLevel": "ERROR"}) as workflow:
        # Clients made once: making one is slower than the delivery it would send.
        lambdas, stepfunctions = aws.client("lambda"), aws.client("stepfunctions")
        yield Stack(aws, workflow, webhook_secret(aws, workflow), lambdas, stepfunctions)


@st.composite
def tickets(draw: st.DrawFn) -> Any:
    """Generic tickets whose request is the console example, perhaps with one value replaced by anything."""
    request = REQUEST
    if draw(st.booleans()):
        request = replaced(REQUEST, draw(st.sampled_from(paths(REQUEST))), draw(json_values))
    # Few ticket IDs: a valid ticket starts its migration once, and its retries must not start another.
    return {"ticketId": draw(st.sampled_from(["MIG-1", "MIG-2", "MIG 3"])), "request": request}


bodies = st.one_of(
    tickets().map(json.dumps),
    json_values.map(json.dumps),
    st.text(max_size=80),
    st.binary(max_size=80),
)
header_values = st.text(max_size=40) | st.sampled_from(["", "sha256=", "0", "99999999999999"])


@st.composite
def deliveries(draw: st.DrawFn, now: int, secret: bytes) -> dict[str, Any]:
    body = draw(bodies)
    raw = body if isinstance(body, bytes) else body.encode()
    # API Gateway passes a body that is not UTF-8 text base64-encoded, and may so pass any body.
    event = http_event("POST /migrations", body=raw, base64_body=not _is_text(raw) or draw(st.booleans()))
    how = draw(st.sampled_from(["signed", "old", "wrong-key", "forged", "garbage", "missing"]))
    if how == "signed":
        signed(event, secret, now)
    elif how == "old":
        signed(event, secret, now - 3600)
    elif how == "wrong-key":
        signed(event, b"not the secret", now)
    elif how == "forged":
        signed(event, secret, now)
        event["headers"]["x-eum-share-signature"] = draw(header_values)
    elif how == "garbage":
        event["headers"]["x-eum-share-timestamp"] = draw(header_values)
        event["headers"]["x-eum-share-signature"] = draw(header_values)
    else:
        for header in ("x-eum-share-timestamp", "x-eum-share-signature"):
            event["headers"].pop(header)
    return event


@EXAMPLES
@given(st.data())
def test_every_delivery_is_answered_and_only_a_signed_valid_ticket_starts(stack: Stack, data: st.DataObject) -> None:
    # Given any body, signed right, wrong, too late or not at all, as API Gateway passes it on
    event = data.draw(deliveries(unix_now(stack.aws), stack.secret))
    before = stack.executions()
    # When the webhook receives it
    answer = stack.deliver(event)
    started = stack.executions() - before
    # Then it answers: accepted (202, one migration started), already started (200), or refused with a problem
    assert answer.status in REFUSALS | {200, 202}, answer.body
    assert started == (1 if answer.status == 202 else 0)
    if answer.status == 202:
        # (let it end before the next example is drawn: hypothesis draws must not race the interpreter's threads)
        stack.workflow.wait(answer.body["executionArn"])
    if answer.status in REFUSALS:
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert answer.body["detail"]
    # and a refused request names fields of the ticket it came in
    if answer.status == 422:
        ticket = json.loads(event["body"] if not event["isBase64Encoded"] else _decoded(event))
        names = [p["name"] + ": " + p["reason"] for p in answer.body["invalid-params"]]
        assert all(names_a_field_of(n, ticket) for n in names), names


def _is_text(raw: bytes) -> bool:
    try:
        raw.decode()
    except UnicodeDecodeError:
        return False
    return True


def _decoded(event: dict[str, Any]) -> str:
    return base64.b64decode(event["body"]).decode()
