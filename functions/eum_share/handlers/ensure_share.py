"""EnsureShareWithPrincipals: the share exists and holds every principal before any resource is added."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable, unless_busy
from eum_share.logic.batch.ahead import read_first_batches_between_looks
from eum_share.logic.context import load
from eum_share.logic.deadline import stop_at_deadline
from eum_share.logic.share import ensure_share, next_look
from eum_share.models.states import LoopInput
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    received = parse(event=event, model=LoopInput)
    migration = load(get_settings(), received.migration_id)
    stop_at_deadline(migration)
    ready = unless_busy(lambda: ensure_share(migration, received.checks))
    checks = received.checks
    # The first wait goes to the consumers' configuration (the state machine's next state); a later one to the
    # first batches' policy reads, with a look at the share after each. Those looks came a second apart: the waits
    # after them grow again from a second.
    if ready is False and checks > 0:
        looked = unless_busy(
            lambda: read_first_batches_between_looks(
                migration, lambda: ensure_share(migration, checks + 1), context.get_remaining_time_in_millis
            )
        )
        ready, read = looked if looked is not None else (None, False)
        if read:
            checks -= 1
    metrics.add_metric(name="ShareChecks", unit="Count", value=1)
    logger.info("share", extra={"share_arn": migration.record.share_arn, "ready": ready})
    return next_look(migration, checks, ready).model_dump(mode="json", by_alias=True)
