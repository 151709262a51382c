"""RestorePolicies: resource policy statements from before the migration, missing now, put back."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.restore import restore_policies
from eum_share.logic.rollback_open import load_rollback
from eum_share.models.rollback import RollbackMode, RollbackProgress, RollbackRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration, ledger = load_rollback(get_settings(), parse(event=event, model=RollbackRef).migration_id)
    run = ledger.rollback(migration.id, RollbackMode.RESTORE)
    assert run is not None, "OpenRollback opens the run"
    done = restore_policies(migration, run.identities, context.get_remaining_time_in_millis)
    logger.info("policies restored", extra={"done": done})
    return RollbackProgress(migration_id=migration.id, done=done, wait_seconds=0).model_dump(mode="json", by_alias=True)
