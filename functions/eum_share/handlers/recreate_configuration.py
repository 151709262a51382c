"""RecreateConfiguration: configuration sets, event destinations and protect configurations, per consumer.

Through a throttling storm it may take more than one invocation: when AWS stays busy past a call's patience, the
calls made in the consumers' accounts are saved before the state is retried (AwsThrottled), and the retry is answered
from them up to where this one stopped (logic/going_on.py)."""

from __future__ import annotations

from functools import partial
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal import artifacts
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.configuration import keep_created, recreate_configuration
from eum_share.logic.context import Migration, load
from eum_share.logic.going_on import going_on
from eum_share.logic.probe import configuration_outcome_key
from eum_share.models.configuration import ConfigurationOutcome
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
    migration.ledger.update_migration(migration.id, phase=Phase.CONFIGURATION.value)
    statuses = going_on(migration, "recreate-configuration", lambda: _recreate(migration))
    for status, count in statuses.items():
        metrics.add_metric(name=f"ConfigurationItems{status.title()}", unit="Count", value=count)
    metrics.add_metric(name="ConsumersConfigured", unit="Count", value=len(migration.request.consumers))
    logger.info("configuration recreated", extra={"statuses": statuses})
    return {"migrationId": migration.id, "statuses": statuses}


def _recreate(migration: Migration) -> dict[str, int]:
    settings = migration.settings
    request, inventory = migration.request, migration.inventory
    statuses: dict[str, int] = {}
    for consumer in request.consumers:
        outcome = recreate_configuration(
            inventory,
            request,
            consumer.account_id,
            migration.consumer(consumer),
            dry_run=request.options.dry_run,
            added=partial(migration.ledger.record_added, migration.id),
        )
        key = migration.key(configuration_outcome_key(consumer.account_id))
        outcome = keep_created(_earlier(settings.artifact_bucket, key), outcome)
        artifacts.put_model(settings.artifact_bucket, key, outcome)
        migration.ledger.save_configuration(migration.id, consumer.account_id, list(outcome.items))
        for item in outcome.items:
            statuses[item.status] = statuses.get(item.status, 0) + 1
    return statuses


def _earlier(bucket: str, key: str) -> ConfigurationOutcome | None:
    """What an earlier run of this migration recorded for the consumer, if one got that far."""
    return artifacts.get_model(bucket, key, ConfigurationOutcome) if artifacts.exists(bucket, key) else None
