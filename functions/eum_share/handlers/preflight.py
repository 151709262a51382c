"""Preflight: every blocking prerequisite checked before anything changes; warnings kept for the report."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.context import load
from eum_share.logic.preflight import preflight
from eum_share.models.ledger import Phase
from eum_share.models.states import MigrationRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration = load(get_settings(), parse(event=event, model=MigrationRef).migration_id)
    migration.ledger.update_migration(migration.id, phase=Phase.PREFLIGHT.value)
    warnings = preflight(migration)
    metrics.add_metric(name="PreflightWarnings", unit="Count", value=len(warnings))
    for warning in warnings:
        logger.warning(warning)
        migration.ledger.add_warning(migration.id, warning)
    return {"migrationId": migration.id, "warnings": len(warnings)}
