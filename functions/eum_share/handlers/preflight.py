"""Preflight: every blocking prerequisite checked before anything changes; warnings kept for the report.

Through a throttling storm it may take more than one invocation: it answers "not done, wait N seconds" with what it
checked, and the next invocation goes on from there."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import busy_wait_seconds, throttling_is_retryable, unless_busy
from eum_share.logic.context import load
from eum_share.logic.preflight import Checked, preflight
from eum_share.models.ledger import Phase
from eum_share.models.states import PreflightInput, PreflightProgress
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    received = parse(event=event, model=PreflightInput)
    migration = load(get_settings(), received.migration_id)
    if not received.checked:
        migration.ledger.update_migration(migration.id, phase=Phase.PREFLIGHT.value)
    checked = Checked(received.checked)
    warnings = unless_busy(lambda: preflight(migration, checked))
    if warnings is None:
        wait = busy_wait_seconds()
        logger.info("preflight paused", extra={"checked": len(checked.answers), "waitSeconds": wait})
        return _progress(migration.id, checked, done=False, warnings=0, wait=wait)
    metrics.add_metric(name="PreflightWarnings", unit="Count", value=len(warnings))
    for warning in warnings:
        logger.warning(warning)
        migration.ledger.add_warning(migration.id, warning)
    return _progress(migration.id, checked, done=True, warnings=len(warnings), wait=0)


def _progress(migration_id: str, checked: Checked, *, done: bool, warnings: int, wait: int) -> dict[str, Any]:
    return PreflightProgress(
        migration_id=migration_id, done=done, warnings=warnings, wait_seconds=wait, checked=checked.answers
    ).model_dump(mode="json", by_alias=True)
