"""The EventBridge door: "SMS Migration Requested" starts a migration, "SMS Migration Approval Decided" answers
an approval gate, "SMS Migration Rollback Requested" starts a rollback (or a restore).

EventBridge delivers at least once. The execution is named after the event's ID, which a redelivery keeps, so
a second delivery finds the first execution instead of starting another. A request that does not validate is
refused on the bus (MigrationRequestRefused, naming every bad field) and not retried; AWS busy is waited out
inside the invocation (throttling_is_retryable gives the calls the invocation's time); anything else that fails
is raised, so Lambda retries it and then hands the event to the dead-letter queue.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from eum_share.dal import events
from eum_share.dal.ledger import Ledger
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.errors import InvalidRequest, MigrationNotFound, NotAwaitingApproval
from eum_share.logic.approval import decide
from eum_share.logic.doors import start_migration, start_rollback
from eum_share.logic.validate_request import field_path
from eum_share.models.doors import ApprovalDecidedEvent, BusEvent
from eum_share.models.events import MigrationRequestRefused
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import DoorSettings, get_door_settings

REQUESTED = "SMS Migration Requested"
DECIDED = "SMS Migration Approval Decided"
ROLLBACK = "SMS Migration Rollback Requested"


@logger.inject_lambda_context(correlation_id_path="id")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_door_settings()
    received = parse(event=event, model=BusEvent)
    try:
        if received.detail_type == REQUESTED:
            started = start_migration(received.detail, f"event-{received.id}", settings)
            logger.info("migration requested", extra=started.model_dump(mode="json"))
            metrics.add_metric(name="EventsReceived", unit="Count", value=1)
            return started.model_dump(mode="json", by_alias=True)
        if received.detail_type == DECIDED:
            decision = _decision(received.detail)
            approval = decide(
                Ledger(settings.ledger_table), decision.migration_id, decision.decision, decision.approver
            )
            logger.info("approval decided", extra={"migrationId": decision.migration_id})
            return {"migrationId": decision.migration_id} | approval.model_dump(mode="json", by_alias=True)
        if received.detail_type == ROLLBACK:
            rollback = start_rollback(received.detail, f"event-{received.id}", settings)
            logger.info("rollback requested", extra=rollback.model_dump(mode="json"))
            metrics.add_metric(name="EventsReceived", unit="Count", value=1)
            return rollback.model_dump(mode="json", by_alias=True)
        raise InvalidRequest(
            [f"detail-type: {received.detail_type!r} is not one of {REQUESTED!r}, {DECIDED!r}, {ROLLBACK!r}"]
        )
    except InvalidRequest as refused:
        return _refuse(settings, received, refused.problems)
    except (NotAwaitingApproval, MigrationNotFound) as refused:
        return _refuse(settings, received, [f"detail.migrationId: {refused}"])


def _decision(detail: Any) -> ApprovalDecidedEvent:
    try:
        return ApprovalDecidedEvent.model_validate(detail)
    except ValidationError as error:
        raise InvalidRequest([f"detail.{field_path(e['loc'])}: {e['msg']}" for e in error.errors()]) from None


def _refuse(settings: DoorSettings, received: BusEvent, problems: list[str]) -> dict[str, Any]:
    logger.warning("event refused", extra={"eventId": received.id, "problems": problems})
    metrics.add_metric(name="EventsRefused", unit="Count", value=1)
    refusal = MigrationRequestRefused(event_id=received.id, detail_type=received.detail_type, problems=problems)
    events.publish(settings.event_bus, settings.event_source, refusal)
    return refusal.model_dump(mode="json", by_alias=True)
