"""ValidateRequest: the first state of every migration, whichever door started it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.errors import InvalidRequest
from eum_share.logic.start import open_migration
from eum_share.logic.validate_request import validate_request
from eum_share.models.states import ValidateRequestInput
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="executionName")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    received = parse(event=event, model=ValidateRequestInput)
    try:
        request = validate_request(
            received.request,
            default_migration_id=received.execution_name,
            role_names=settings.role_names,
            callback_origins=settings.callback_origins,
            allow_list=settings.allow_list,
        )
    except InvalidRequest as refused:
        logger.warning("request refused", extra={"problems": refused.problems})
        metrics.add_metric(name="MigrationRequestsRefused", unit="Count", value=1)
        raise
    opened = open_migration(request, received.execution_name, settings)
    logger.info("migration opened", extra=opened.model_dump(mode="json"))
    metrics.add_metric(name="MigrationsStarted", unit="Count", value=0 if opened.already_complete else 1)
    return opened.model_dump(mode="json", by_alias=True, exclude_none=True)
