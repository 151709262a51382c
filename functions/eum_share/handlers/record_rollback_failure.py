"""RecordRollbackFailure: every Catch of the rollback state machine after it opened ends here, then in a Fail."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.rollback_failure import record_rollback_failure
from eum_share.models.rollback import RollbackFailureInput
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    recorded = record_rollback_failure(parse(event=event, model=RollbackFailureInput), get_settings())
    logger.error("rollback failed", extra={"error": recorded.error, "cause": recorded.cause})
    metrics.add_metric(name="RollbacksFailed", unit="Count", value=1)
    return recorded.model_dump(mode="json", by_alias=True)
