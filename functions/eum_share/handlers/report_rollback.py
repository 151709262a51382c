"""ReportRollback: the rollback's or restore's report in S3, the run closed in the ledger, and its event."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.rollback_open import load_rollback
from eum_share.logic.rollback_report import publish_rollback_report
from eum_share.models.rollback import RollbackStep
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    step = parse(event=event, model=RollbackStep)
    migration, ledger = load_rollback(get_settings(), step.migration_id)
    summary = publish_rollback_report(migration, ledger, step.mode)
    metrics.add_metric(name=f"{step.mode.title()}sCompleted", unit="Count", value=1)
    logger.info("rollback reported", extra=summary.model_dump(mode="json"))
    return summary.model_dump(mode="json", by_alias=True)
