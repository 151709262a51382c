"""AssociateBatches: one chunk of batches, carried forward until it has to wait for AWS."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.batch import advance_chunk
from eum_share.logic.context import load
from eum_share.logic.deadline import past_deadline
from eum_share.models.ledger import IdentityStatus
from eum_share.models.states import ChunkProgress, ChunkRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    received = parse(event=event, model=ChunkRef)
    migration = load(get_settings(), received.migration_id)
    if past_deadline(migration):
        # The chunk stops where it is; VerifyFromConsumers, after the Map, ends the run with DeadlineExceeded.
        return ChunkProgress(migration_id=migration.id, chunk=received.chunk, done=True, wait_seconds=0).model_dump(
            mode="json", by_alias=True
        )
    progress, moved = advance_chunk(migration, received.chunk, context.get_remaining_time_in_millis)
    # Each identity leaves PLANNED once per migration, so the dashboard's sum is the identities in flight or
    # done; their outcomes (verified, repaired, failed) are counted once, by the report.
    requested = sum(count for (before, _), count in moved.items() if before == IdentityStatus.PLANNED)
    metrics.add_metric(name="IdentitiesAssociated", unit="Count", value=requested)
    if progress.busy:
        metrics.add_metric(name="Throttles", unit="Count", value=1)
    return ChunkProgress(
        migration_id=migration.id,
        chunk=received.chunk,
        done=progress.done,
        wait_seconds=progress.wait_seconds,
    ).model_dump(mode="json", by_alias=True)
