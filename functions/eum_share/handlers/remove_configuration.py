"""RemoveConfiguration: in each consuming account, what the migration created there, and only that, removed."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext

from eum_share.dal import artifacts
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.logic.context import Migration
from eum_share.logic.going_on import going_on
from eum_share.logic.rollback_open import load_rollback
from eum_share.logic.rollback_report import ConsumerRemoval, removal_key
from eum_share.logic.undo_configuration import remove_configuration
from eum_share.models.changes import CONFIGURATION_ORDER, AddedItem
from eum_share.models.request import Consumer
from eum_share.models.rollback import ConfigurationRemoved, RollbackRef
from eum_share.observability import logger, metrics, tracer
from eum_share.settings import get_settings


@logger.inject_lambda_context(correlation_id_path="migrationId")
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
@throttling_is_retryable()
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = get_settings()
    migration, ledger = load_rollback(settings, parse(event=event, model=RollbackRef).migration_id)
    by_account: dict[str, list[AddedItem]] = defaultdict(list)
    for item in ledger.added_items(migration.id):
        if item.kind in CONFIGURATION_ORDER:
            by_account[item.account].append(item)
    counts = going_on(migration, "rollback-remove-configuration", lambda: _remove(migration, by_account))
    for outcome, count in counts.items():
        metrics.add_metric(name=f"ConfigurationItems{outcome.title().replace('_', '')}", unit="Count", value=count)
    logger.info("configuration removed", extra={"counts": dict(counts)})
    return ConfigurationRemoved(migration_id=migration.id, counts=dict(counts)).model_dump(mode="json", by_alias=True)


def _remove(migration: Migration, by_account: dict[str, list[AddedItem]]) -> Counter[str]:
    """What the migration added in each consumer, removed; gone on from where a storm stopped an earlier invocation
    (logic/going_on.py)."""
    consumers = {c.account_id: c for c in migration.request.consumers} if by_account else {}
    counts: Counter[str] = Counter()
    for account, items in sorted(by_account.items()):
        consumer = consumers.get(account) or Consumer(account_id=account)
        removed = remove_configuration(migration.consumer(consumer), items)
        key = migration.key(removal_key(account))
        artifacts.put_model(migration.settings.artifact_bucket, key, ConsumerRemoval(account=account, items=removed))
        counts.update(item.outcome.value for item in removed)
    return counts
