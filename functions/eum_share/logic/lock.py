"""LockShare: one migration at a time per share, through a lock in the ledger.

Two migrations changing the same share at once would each add principals, associate and repair resources, and
rewrite resource policies the other is checking. The first to reach LockShare takes the share's lock, a ledger
item written conditionally; a second migration of the same share is refused with `ShareLocked`, naming the
migration that holds it, before it changes anything. The lock has an owner (the migrationId, so that a re-run of
the same migration after a crash takes its own lock again) and an expiry, pushed forward by every step of the
loops that follow, so that a run that died without releasing it cannot hold the share for longer than one lease.
Report and RecordFailure release it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from eum_share.clock import epoch, isonow
from eum_share.dal import ram
from eum_share.errors import ShareLocked, ShareNotUsable
from eum_share.logic.context import Migration
from eum_share.models.ledger import ShareLock


def share_lock_key(migration: Migration) -> str:
    """The lock of the share the request names, in the owner account and Region, keyed by the share's name: a
    request naming it by ARN and one naming it by name take the same lock. (RAM lets two shares bear one name;
    migrations of those wait on each other, which is safe.) An ARN that names no share of the owner is
    refused here, before anything changes."""
    request = migration.request
    name = request.share.name
    if name is None:
        share = ram.find_share(migration.owner(), arn=request.share.arn)
        if share is None:
            raise ShareNotUsable(
                f"share.arn: {request.share.arn} is not a share of account {request.owner.account_id} in "
                f"{request.region}; nothing was changed: name an existing share of the owner, or give share.name"
            )
        name = str(share["name"])
    return f"SHARE#{request.owner.account_id}#{request.region}#name/{name}"


def _held_by(holder: ShareLock) -> str:
    until = datetime.fromtimestamp(holder.expires_at, UTC).isoformat(timespec="seconds")
    return (
        f"migration {holder.migration_id} (execution {holder.execution_name}, holding it since {holder.acquired_at}, "
        f"until {until} unless it ends or renews it first)"
    )


def lock_share(migration: Migration) -> ShareLock:
    """Take the share's lock for this migration, or refuse with `ShareLocked` naming its holder."""
    lock = _lock(migration, share_lock_key(migration))
    holder = migration.ledger.claim_share_lock(lock, epoch(), take_expired=True)
    if holder is not None:
        request = migration.request
        raise ShareLocked(
            f"share {request.share.arn or request.share.name} of account {request.owner.account_id} in "
            f"{request.region} is being migrated by {_held_by(holder)}; nothing was changed: re-run migration "
            f"{migration.id} once that migration has ended"
        )
    deadline = epoch() + migration.request.options.deadline_seconds
    migration.ledger.update_migration(migration.id, shareLock=lock.key, deadlineAt=deadline)
    migration.record = migration.record.model_copy(update={"share_lock": lock.key, "deadline_at": deadline})
    return lock


def hold_share_lock(migration: Migration) -> None:
    """Push the lock's expiry forward; `ShareLocked` if another migration took it after it expired."""
    key = migration.record.share_lock
    if key is None:
        return
    holder = migration.ledger.claim_share_lock(_lock(migration, key), epoch(), take_expired=False)
    if holder is not None:
        raise ShareLocked(
            f"migration {migration.id} let its lock on the share expire, and {_held_by(holder)} took it; "
            f"migration {migration.id} stops before changing anything else: re-run it once that one has ended"
        )


def _lock(migration: Migration, key: str) -> ShareLock:
    return ShareLock(
        key=key,
        migration_id=migration.id,
        execution_name=migration.record.execution_name,
        acquired_at=isonow(),
        expires_at=epoch() + migration.settings.share_lock_seconds,
    )
