"""RequestApproval: a gated migration stops after planning; Step Functions waits on the task token kept here."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.approval import request_approval
from eum_share.logic.context import load
from eum_share.models.states import ApprovalGateInput
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    gate = parse(event=event, model=ApprovalGateInput)
    requested = request_approval(load(get_settings(), gate.migration_id), gate.task_token)
    logger.info("migration awaiting approval", extra={"migrationId": requested.migration_id})
    metrics.add_metric(name="MigrationsAwaitingApproval", unit="Count", value=1)
    return requested.model_dump(mode="json", by_alias=True)
