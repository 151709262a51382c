"""RestorePolicies: every resource policy statement that existed before the migration, and is missing now, put
back; every statement added since (by RAM, by this migration, by anyone) kept.

Progress is kept in S3 after each restored identity, so a restore that spans invocations (or is retried after a
throttle) reports each restored identity once. An identity restored just before a crash is found intact by the
next attempt and reported as already fine: the policy is right either way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eum_share.dal import artifacts, sms
from eum_share.dal.accounts import Clients
from eum_share.logic.context import Migration
from eum_share.logic.policy import lost, merged
from eum_share.logic.rollback_open import RESTORE_PROGRESS
from eum_share.models.ledger import IdentityRecord
from eum_share.models.rollback import RestoreProgress

ENOUGH_TIME_MS = 30_000


def restore_policies(migration: Migration, arns: list[str], remaining_ms: Callable[[], int]) -> bool:
    """True when every identity (`arns`, else every identity of the migration) has been looked at."""
    bucket, key = migration.settings.artifact_bucket, migration.key(RESTORE_PROGRESS)
    progress = artifacts.get_model(bucket, key, RestoreProgress)
    seen = set(progress.restored) | set(progress.already_fine) | set(progress.untouched)
    owner = migration.owner()
    for record in _identities(migration, arns):
        if record.arn in seen:
            continue
        if remaining_ms() < ENOUGH_TIME_MS:
            artifacts.put_model(bucket, key, progress)
            return False
        if record.snapshot is None:
            progress.untouched.append(record.arn)
            continue
        missing = put_back_lost(owner, record.arn, record.snapshot)
        if not missing:
            progress.already_fine.append(record.arn)
            continue
        progress.restored[record.arn] = [str(s.get("Sid", "(no Sid)")) for s in missing]
        artifacts.put_model(bucket, key, progress)
    artifacts.put_model(bucket, key, progress)
    return True


def put_back_lost(owner: Clients, arn: str, kept: str | None) -> list[dict[str, Any]]:
    """The statements of `kept` the identity's policy no longer holds, put back beside what it holds now."""
    current = sms.get_policy(owner, arn)
    missing = lost(current, kept)
    if missing:
        sms.put_policy(owner, arn, merged(current, kept))
    return missing


def _identities(migration: Migration, arns: list[str]) -> list[IdentityRecord]:
    if arns:
        return migration.ledger.identities(migration.id, arns)
    return sorted(migration.ledger.all_identities(migration.id), key=lambda record: (record.batch, record.arn))
