"""Report: JSON and Markdown in S3, the migration closed in the ledger, MigrationSucceeded announced.

Through a throttling storm it may take more than one invocation: it answers "not done, wait N seconds", and the next
invocation goes on from where this one stopped (logic/going_on.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal.throttling import busy_wait_seconds, throttling_is_retryable, unless_busy
from eum_share.logic.context import load
from eum_share.logic.going_on import going_on
from eum_share.logic.report import publish_report
from eum_share.models.ledger import FINAL_STATUSES
from eum_share.models.states import MigrationRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings

OUTCOMES = sorted(FINAL_STATUSES)


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    migration = load(get_settings(), parse(event=event, model=MigrationRef).migration_id)
    summary = unless_busy(lambda: going_on(migration, "report", lambda: publish_report(migration)))
    if summary is None:
        # AWS stayed busy: the state waits and is called again, going on from where this call stopped.
        return {"migrationId": migration.id, "done": False, "waitSeconds": busy_wait_seconds()}
    # Outcomes are counted here, once per migration, so the dashboard never counts an identity twice.
    for status in OUTCOMES:
        metrics.add_metric(name=f"Identities{status.title()}", unit="Count", value=summary.counts.get(status, 0))
    metrics.add_metric(name="IdentityRepairs", unit="Count", value=summary.repairs)
    metrics.add_metric(name="MigrationsSucceeded", unit="Count", value=0 if summary.outcome == "DRY_RUN" else 1)
    logger.info("migration reported", extra=summary.model_dump(mode="json"))
    return summary.model_dump(mode="json", by_alias=True) | {"done": True, "waitSeconds": 0}
