"""LockShare: the migration takes its share's lock before its first change, or is refused with ShareLocked."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.context import load
from eum_share.logic.lock import lock_share
from eum_share.models.states import LockTaken, MigrationRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration = load(get_settings(), parse(event=event, model=MigrationRef).migration_id)
    lock = lock_share(migration)
    metrics.add_metric(name="ShareLocksTaken", unit="Count", value=1)
    logger.info("share locked", extra={"lock": lock.key, "expires_at": lock.expires_at})
    return LockTaken(migration_id=migration.id, lock=lock.key, expires_at=lock.expires_at).model_dump(
        mode="json", by_alias=True
    )
