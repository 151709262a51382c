"""PlanBatches: batches of at most ten, each pool and opt-out list after what it holds; the plan goes to S3 and the
ledger, not the state."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal import artifacts
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.context import PLAN, load
from eum_share.logic.plan import ledger_records, plan_batches
from eum_share.models.ledger import Phase
from eum_share.models.states import MigrationRef, Planned
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    migration = load(settings, parse(event=event, model=MigrationRef).migration_id)
    if migration.record.planned:
        plan = migration.plan  # a re-run keeps the plan it started with: the ledger refers to it
    else:
        plan = plan_batches(migration.id, migration.inventory, migration.request.options.batch_size)
        artifacts.put_model(settings.artifact_bucket, migration.key(PLAN), plan)
        batches, identities = ledger_records(plan, migration.inventory)
        migration.ledger.write_plan(migration.id, batches, identities)
    migration.ledger.update_migration(migration.id, phase=Phase.PLANNED.value)
    metrics.add_metric(name="BatchesPlanned", unit="Count", value=len(plan.batches))
    logger.info("planned", extra={"batches": len(plan.batches), "identities": plan.identity_count})
    return Planned(
        migration_id=migration.id,
        identities=plan.identity_count,
        batches=len(plan.batches),
        chunks=list(range(plan.chunks)),
    ).model_dump(mode="json", by_alias=True)
