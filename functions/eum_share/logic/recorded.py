"""What a migration recorded as it ran, read once for everything written at its end (the report, the handoffs)."""

from __future__ import annotations

from dataclasses import dataclass

from eum_share.dal import artifacts
from eum_share.logic.context import Migration
from eum_share.logic.probe import configuration_outcome_key
from eum_share.logic.verify import VERIFICATION, Verification
from eum_share.models.configuration import ConfigurationOutcome
from eum_share.models.ledger import IdentityRecord


@dataclass(frozen=True)
class Recorded:
    identities: list[IdentityRecord]  # by batch, then ARN
    outcomes: dict[str, ConfigurationOutcome]  # consumer account -> its configuration, where it got that far
    verification: Verification  # the final verification from inside each consumer (empty: not run)


def read_recorded(migration: Migration) -> Recorded:
    bucket = migration.settings.artifact_bucket
    identities = sorted(migration.ledger.all_identities(migration.id), key=lambda i: (i.batch, i.arn))
    outcomes: dict[str, ConfigurationOutcome] = {}
    for consumer in migration.request.consumers:
        key = migration.key(configuration_outcome_key(consumer.account_id))
        if artifacts.exists(bucket, key):
            outcomes[consumer.account_id] = artifacts.get_model(bucket, key, ConfigurationOutcome)
    key = migration.key(VERIFICATION)
    verification = artifacts.get_model(bucket, key, Verification) if artifacts.exists(bucket, key) else Verification()
    return Recorded(identities, outcomes, verification)
