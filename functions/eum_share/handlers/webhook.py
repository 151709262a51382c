"""The migration ticket webhook and status API (API Gateway HTTP API, payload format 2.0).

POST /migrations                              a ticket starts its migration (202), or finds it started (200)
GET  /migrations/{id}                         progress from the ledger
POST /migrations/{id}/approve|reject          a decision at the approval gate, by an IAM principal (AWS_IAM route)
POST /migrations/{id}/approve-signed|reject-signed   the same, signed with the approvals key
Tickets and status reads are signed with the intake key, decisions with the approvals key, never the other way
round: see logic/signing.py and docs/webhook.md.
"""

from __future__ import annotations

import base64
import json
import re
import time
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import ValidationError

from eum_share.dal.ledger import Ledger
from eum_share.dal.secrets import verifying_secrets
from eum_share.dal.throttling import busy_wait_seconds, is_throttled
from eum_share.errors import (
    ConfigurationError,
    ExecutionNameTaken,
    InvalidRequest,
    MalformedBody,
    MigrationNotFound,
    NotAwaitingApproval,
    RequestTooLarge,
    SignatureInvalid,
)
from eum_share.handlers.problems import problem
from eum_share.logic import signing
from eum_share.logic.approval import decide
from eum_share.logic.doors import start_migration
from eum_share.logic.status import migration_view
from eum_share.logic.tickets import ticket_from_body
from eum_share.logic.validate_request import field_path, within
from eum_share.models.doors import HttpDecision
from eum_share.models.ledger import Decision
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_door_settings

# Step Functions takes at most 256 KiB of execution input; a larger ticket could never start.
MAX_BODY_BYTES = 256 * 1024

app = APIGatewayHttpResolver()


def raw_body() -> bytes:
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode()


def signed_message() -> bytes:
    """What the sender signed: the raw body, or for a GET the path."""
    event = app.current_event
    return event.path.encode() if event.http_method == "GET" else raw_body()


# The decision routes by how the decider is known: API Gateway's IAM authorization, or the approvals key. Matched
# at the path's end, as the routes are, whatever stage prefix the path carries.
IAM_DECISION = re.compile(r"/migrations/[^/]+/(approve|reject)$")
SIGNED_DECISION = re.compile(r"/migrations/[^/]+/(approve|reject)-signed$")
APPROVALS_KEY_HOLDER = "the approvals key"


def verify_signature(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[Any]:
    if len(raw_body()) > MAX_BODY_BYTES:
        raise RequestTooLarge(f"the body is larger than {MAX_BODY_BYTES} bytes")
    path, settings = app.current_event.path, get_door_settings()
    if IAM_DECISION.search(path):
        if not iam_caller():
            raise SignatureInvalid(f"{path} takes IAM-authorized (SigV4) requests only; or sign for {path}-signed")
        return next_middleware(app)  # API Gateway verified the caller's SigV4 signature (route with AWS_IAM auth)
    if app.current_event.http_method == "GET" and iam_caller():
        return next_middleware(app)
    key = settings.approval_secret_name if SIGNED_DECISION.search(path) else settings.webhook_secret_name
    try:
        signing.verify(verifying_secrets(key), dict(app.current_event.headers), signed_message(), time.time())
    except signing.BadSignature as bad:
        raise SignatureInvalid(str(bad)) from None
    return next_middleware(app)


def iam_caller() -> str:
    """The caller's IAM ARN when the route has AWS_IAM authorization; API Gateway sets it, a sender cannot."""
    authorizer = app.current_event.request_context.authorizer
    return authorizer.iam.user_arn if authorizer is not None else ""


app.use(middlewares=[verify_signature])


def json_body() -> Any:
    try:
        return json.loads(raw_body())
    except ValueError as error:
        raise MalformedBody(f"the body is not JSON: {error}") from None


@app.post("/migrations")
def create_migration() -> Response[str]:
    ticket = ticket_from_body(json_body())
    try:
        started = start_migration(
            ticket.request, f"ticket-{ticket.ticket_id}", get_door_settings(), migration_id=ticket.ticket_id
        )
    except InvalidRequest as invalid:
        raise InvalidRequest([within(ticket.request_field, p) for p in invalid.problems]) from None
    status = HTTPStatus.OK if started.already_started else HTTPStatus.ACCEPTED
    metrics.add_metric(name="TicketsReceived", unit="Count", value=1)
    logger.info("ticket delivered", extra={"ticket": ticket.ticket_id, "alreadyStarted": started.already_started})
    body = started.model_dump(mode="json", by_alias=True) | {"statusUrl": _url(started.status_path)}
    return Response(status_code=status.value, content_type="application/json", body=json.dumps(body))


@app.get("/migrations/<migration_id>")
def get_migration(migration_id: str) -> dict[str, Any]:
    view = migration_view(Ledger(get_door_settings().ledger_table), migration_id)
    return view.model_dump(mode="json", by_alias=True, exclude_none=True)


@app.post("/migrations/<migration_id>/approve")
def approve(migration_id: str) -> dict[str, Any]:
    return _decide(migration_id, Decision.APPROVED, iam_caller())


@app.post("/migrations/<migration_id>/reject")
def reject(migration_id: str) -> dict[str, Any]:
    return _decide(migration_id, Decision.REJECTED, iam_caller())


@app.post("/migrations/<migration_id>/approve-signed")
def approve_signed(migration_id: str) -> dict[str, Any]:
    return _decide(migration_id, Decision.APPROVED, APPROVALS_KEY_HOLDER)


@app.post("/migrations/<migration_id>/reject-signed")
def reject_signed(migration_id: str) -> dict[str, Any]:
    return _decide(migration_id, Decision.REJECTED, APPROVALS_KEY_HOLDER)


def _decide(migration_id: str, decision: Decision, decider: str) -> dict[str, Any]:
    """`decider` is who the door knows decided: the IAM principal, or the holder of the approvals key, for whom
    the body's `approver` says. The body names the migration and the decision, so a captured signature cannot
    be replayed against another migration or turned into the opposite decision."""
    try:
        decided = HttpDecision.model_validate(json_body())
    except ValidationError as error:
        raise InvalidRequest([f"{field_path(e['loc'])}: {e['msg']}" for e in error.errors()]) from None
    if decided.migration_id != migration_id:
        raise InvalidRequest([f"migrationId: must be {migration_id!r}, the migration in the path"])
    if decided.decision is not decision:
        raise InvalidRequest([f"decision: must be {decision.value} on this route"])
    approver = f"{decider}, for {decided.approver}" if decider == APPROVALS_KEY_HOLDER and decided.approver else decider
    approval = decide(Ledger(get_door_settings().ledger_table), migration_id, decision, approver)
    logger.info("approval decided", extra={"migrationId": migration_id, "decision": decision.value})
    return {"migrationId": migration_id} | approval.model_dump(mode="json", by_alias=True)


def _url(path: str) -> str:
    domain = app.current_event.request_context.domain_name
    return f"https://{domain}{path}" if domain else path


# How each refusal answers: status and problem type. The problem's detail is the error's own message.
REFUSALS: dict[type[Exception], tuple[HTTPStatus, str]] = {
    RequestTooLarge: (HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "body-too-large"),
    SignatureInvalid: (HTTPStatus.UNAUTHORIZED, "signature"),
    MalformedBody: (HTTPStatus.BAD_REQUEST, "malformed-body"),
    InvalidRequest: (HTTPStatus.UNPROCESSABLE_ENTITY, "invalid-request"),
    MigrationNotFound: (HTTPStatus.NOT_FOUND, "migration-not-found"),
    ExecutionNameTaken: (HTTPStatus.CONFLICT, "conflict"),
    NotAwaitingApproval: (HTTPStatus.CONFLICT, "conflict"),
}


def refuse(error: Exception) -> Response[str]:
    status, kind = REFUSALS[type(error)]
    metrics.add_metric(name=f"Refused{status.value}", unit="Count", value=1)
    if isinstance(error, InvalidRequest):
        return problem(status, kind, "the request does not validate", error.problems)
    if isinstance(error, MalformedBody):
        return problem(status, kind, str(error), [f"{error.field}: {error}"])
    return problem(status, kind, str(error))


def misconfigured(error: ConfigurationError) -> Response[str]:
    logger.error("webhook misconfigured", extra={"error": str(error)})
    return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "configuration", "the webhook is not configured; see its logs")


def no_route(error: Exception) -> Response[str]:
    event = app.current_event
    return problem(HTTPStatus.NOT_FOUND, "no-route", f"no route {event.http_method} {event.path}")


def busy(error: ClientError) -> Response[str]:
    """AWS busy is a wait, for the sender too: 503 with Retry-After, which a ticket system retries; the delivery
    is idempotent (the ticket names its execution), so nothing starts twice."""
    if not is_throttled(error):
        raise error
    metrics.add_metric(name="Throttles", unit="Count", value=1)
    answer = problem(HTTPStatus.SERVICE_UNAVAILABLE, "busy", "AWS is busy; deliver the same request again later")
    answer.headers["Retry-After"] = str(busy_wait_seconds())
    return answer


app.exception_handler(list(REFUSALS))(refuse)
app.exception_handler(ConfigurationError)(misconfigured)
app.exception_handler(ClientError)(busy)
app.not_found(no_route)


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
