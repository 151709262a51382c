"""VerifyFromConsumers: every identity visible and usable (DryRun) from inside every consuming account."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import busy_wait_seconds, throttling_is_retryable, unless_busy
from eum_share.logic.context import load
from eum_share.logic.deadline import stop_at_deadline
from eum_share.logic.verify import verify_from_consumers
from eum_share.models.states import MigrationRef, VerificationProgress
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration = load(get_settings(), parse(event=event, model=MigrationRef).migration_id)
    stop_at_deadline(migration)
    checked = unless_busy(lambda: verify_from_consumers(migration, context.get_remaining_time_in_millis))
    # AWS stayed busy: what was checked is recorded; wait, then go on. Otherwise a pass that ran out of time goes on
    # at once.
    done, repairs = checked or (False, 0)
    metrics.add_metric(name="IdentitiesSentBackForRepair", unit="Count", value=repairs)
    if repairs:
        logger.warning("identities sent back for repair", extra={"repairs": repairs})
    wait = busy_wait_seconds() if checked is None else 1
    return VerificationProgress(migration_id=migration.id, done=done, repairs=repairs, wait_seconds=wait).model_dump(
        mode="json", by_alias=True
    )
