"""OpenRollback: the first state of every rollback and restore, whichever door started it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.rollback_open import open_rollback
from eum_share.models.rollback import RollbackInput
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_rollback_settings


@logger.inject_lambda_context(correlation_id_path="executionName")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_rollback_settings()
    received = parse(event=event, model=RollbackInput)
    opened = open_rollback(received, settings)
    logger.info("rollback opened", extra=opened.model_dump(mode="json"))
    metrics.add_metric(name=f"{opened.mode.title()}sStarted", unit="Count", value=1)
    return opened.model_dump(mode="json", by_alias=True)
