"""NotifyCallback: the workflow's ending events (on the project's bus) reach the ticket's callback URL."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.logic.callback import notify
from eum_share.models.doors import BusEvent
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_door_settings


@logger.inject_lambda_context(correlation_id_path="detail.migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    ended = parse(event=event, model=BusEvent)
    url = notify(get_door_settings(), ended.detail_type, ended.detail)
    if url is not None:
        metrics.add_metric(name="CallbacksDelivered", unit="Count", value=1)
        logger.info("callback delivered", extra={"event": ended.detail_type})
    return {"migrationId": ended.detail.get("migrationId"), "delivered": url is not None}
