"""AcceptInvitations: from inside each consuming account, accept the share and wait until it is visible."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import throttling_is_retryable, unless_busy
from eum_share.logic.context import load
from eum_share.logic.deadline import stop_at_deadline
from eum_share.logic.going_on import going_on
from eum_share.logic.share import accept_invitations, next_look
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
    # A check that AWS stopped half way is gone on from by the next invocation; a finished one is not.
    check = f"accept-invitations-{received.checks}"
    ready = unless_busy(lambda: going_on(migration, check, lambda: accept_invitations(migration, received.checks)))
    metrics.add_metric(name="InvitationChecks", unit="Count", value=1)
    return next_look(migration, received.checks, ready).model_dump(mode="json", by_alias=True)
