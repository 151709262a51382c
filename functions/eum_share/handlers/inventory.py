"""Inventory: the owner's identities per the selection (closed over membership) and what RAM cannot share.

Through a throttling storm or a large owner it may take more than one invocation: it saves what it read and answers
"not done, wait N seconds"; the next invocation goes on from there."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal import artifacts
from eum_share.dal.throttling import busy_wait_seconds, throttling_is_retryable, unless_busy
from eum_share.logic.context import INVENTORY, Migration, load
from eum_share.logic.inventory import take_inventory
from eum_share.logic.inventory_reads import InventoryPaused, OwnerReads
from eum_share.models.ledger import Phase
from eum_share.models.states import InventoryInput, InventoryProgress
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings

ENOUGH_TIME_MS = 60_000  # no new read starts with less than this left of the Lambda's time


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    received = parse(event=event, model=InventoryInput)
    migration = load(settings, received.migration_id)
    migration.ledger.update_migration(migration.id, phase=Phase.INVENTORY.value)
    request = migration.request
    reads = _reads(migration, received, context)
    try:
        inventory = unless_busy(lambda: take_inventory(request, reads, [c.account_id for c in request.consumers]))
        wait = busy_wait_seconds()
    except InventoryPaused:
        inventory, wait = None, 0
    if inventory is None:
        reads.checkpoint()
        logger.info("inventory paused", extra={"read": len(reads.answers), "waitSeconds": wait})
        return _progress(migration, done=False, identities=0, wait=wait, saved=bool(reads.answers))
    artifacts.put_model(settings.artifact_bucket, migration.key(INVENTORY), inventory)
    metrics.add_metric(name="IdentitiesInventoried", unit="Count", value=len(inventory.identities))
    logger.info("inventory taken", extra={"identities": len(inventory.identities)})
    return _progress(migration, done=True, identities=len(inventory.identities), wait=0, saved=False)


def _reads(migration: Migration, received: InventoryInput, context: LambdaContext) -> OwnerReads:
    """The owner's listings, with what an earlier invocation of this execution read already."""
    bucket = migration.settings.artifact_bucket
    key = migration.key(f"inventory-reads/{received.execution or 'direct'}.json")
    saved = json.loads(artifacts.get_text(bucket, key)) if received.saved else {}
    return OwnerReads(
        migration.owner(),
        saved,
        enough_time=lambda: context.get_remaining_time_in_millis() >= ENOUGH_TIME_MS,
        save=lambda answers: artifacts.put_text(bucket, key, json.dumps(answers), "application/json"),
        account=migration.request.owner.account_id,
    )


def _progress(migration: Migration, *, done: bool, identities: int, wait: int, saved: bool) -> dict[str, Any]:
    return InventoryProgress(
        migration_id=migration.id, done=done, identities=identities, wait_seconds=wait, saved=saved
    ).model_dump(mode="json", by_alias=True)
