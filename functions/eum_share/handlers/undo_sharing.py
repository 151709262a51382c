"""UndoSharing: the migration's identities taken back batch by batch, then its share or its principals."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import busy_wait_seconds, throttling_is_retryable, unless_busy
from eum_share.logic.rollback_open import load_rollback
from eum_share.logic.undo_sharing import undo_sharing
from eum_share.models.rollback import RollbackProgress, RollbackRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration, ledger = load_rollback(get_settings(), parse(event=event, model=RollbackRef).migration_id)
    done = unless_busy(lambda: undo_sharing(migration, ledger, context.get_remaining_time_in_millis))
    metrics.add_metric(name="UndoSharingSteps", unit="Count", value=1)
    if done is None:  # AWS stayed busy: what was undone is in the ledger; wait, then go on from there
        wait = busy_wait_seconds()
    else:
        wait = migration.request.options.poll_seconds if migration.record.planned else 0
    return RollbackProgress(migration_id=migration.id, done=bool(done), wait_seconds=wait).model_dump(
        mode="json", by_alias=True
    )
