"""Inventory: the owner's identities per the selection (closed over membership) and what RAM cannot share."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal import artifacts
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.context import INVENTORY, load
from eum_share.logic.inventory import take_inventory
from eum_share.models.ledger import Phase
from eum_share.models.states import MigrationRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    migration = load(settings, parse(event=event, model=MigrationRef).migration_id)
    migration.ledger.update_migration(migration.id, phase=Phase.INVENTORY.value)
    request = migration.request
    with throttling_is_retryable():
        inventory = take_inventory(request, migration.owner(), [c.account_id for c in request.consumers])
    artifacts.put_model(settings.artifact_bucket, migration.key(INVENTORY), inventory)
    metrics.add_metric(name="IdentitiesInventoried", unit="Count", value=len(inventory.identities))
    logger.info("inventory taken", extra={"identities": len(inventory.identities)})
    return {
        "migrationId": migration.id,
        "identities": len(inventory.identities),
        "configurationSets": len(inventory.configuration_sets),
        "manualActions": len(inventory.manual_actions),
    }
