"""Preflight: every blocking prerequisite checked before anything changes; warnings kept for the report."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from eum_share.dal import artifacts
from eum_share.dal.throttling import is_throttled, throttling_is_retryable
from eum_share.logic.context import Migration, load
from eum_share.logic.preflight import Checked, preflight
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
    warnings = _checked_through_storms(migration)
    metrics.add_metric(name="PreflightWarnings", unit="Count", value=len(warnings))
    for warning in warnings:
        logger.warning(warning)
        migration.ledger.add_warning(migration.id, warning)
    return {"migrationId": migration.id, "warnings": len(warnings)}


def _checked_through_storms(migration: Migration) -> list[str]:
    """Preflight's warnings. When AWS stays busy past a call's patience, what was checked is saved before the state
    is retried (AwsThrottled), and the retry goes on from it: under a storm each invocation gets a little further."""
    bucket = migration.settings.artifact_bucket
    key = migration.key(f"preflight/{migration.record.execution_name}.json")
    checked = Checked(json.loads(artifacts.get_text(bucket, key)) if artifacts.exists(bucket, key) else None)
    try:
        return preflight(migration, checked)
    except ClientError as error:
        if is_throttled(error) and checked.fresh:
            artifacts.put_text(bucket, key, json.dumps(checked.answers), "application/json")
        raise
