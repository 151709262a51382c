"""RecreateConfiguration: configuration sets, event destinations and protect configurations, per consumer.

Through a throttling storm it may take more than one invocation: when AWS stays busy past a call's patience, the
calls made in the consumers' accounts are saved (dal/replay.py) before the state is retried (AwsThrottled), and the
retry is answered from them up to where this one stopped."""

from __future__ import annotations

from functools import partial
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

from eum_share.dal import artifacts
from eum_share.dal.replay import Journal, replaying
from eum_share.dal.throttling import is_throttled, throttling_is_retryable
from eum_share.logic.configuration import keep_created, recreate_configuration
from eum_share.logic.context import Migration, load
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
    journal = _journal(migration)
    try:
        with replaying(journal):
            statuses = _recreate(migration)
    except ClientError as error:
        if is_throttled(error) and journal.fresh:
            artifacts.put_text(settings.artifact_bucket, _journal_key(migration), journal.dumps(), "application/json")
        raise
    for status, count in statuses.items():
        metrics.add_metric(name=f"ConfigurationItems{status.title()}", unit="Count", value=count)
    metrics.add_metric(name="ConsumersConfigured", unit="Count", value=len(migration.request.consumers))
    logger.info("configuration recreated", extra={"statuses": statuses})
    return {"migrationId": migration.id, "statuses": statuses}


def _journal_key(migration: Migration) -> str:
    return migration.key(f"configuration-calls/{migration.record.execution_name}.json")


def _journal(migration: Migration) -> Journal:
    """The calls an earlier invocation of this execution made before a storm stopped it, if one did."""
    bucket, key = migration.settings.artifact_bucket, _journal_key(migration)
    return Journal.loads(artifacts.get_text(bucket, key)) if artifacts.exists(bucket, key) else Journal()


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
