"""ASSOCIATING: look at the batch's associations, once per call, until each is settled, repaired or failed."""

from __future__ import annotations

import math
from typing import Any

from eum_share.clock import isonow
from eum_share.dal import ram
from eum_share.logic.batch.association import ASSOCIATED, judge
from eum_share.logic.batch.run import ChunkRun, Outcome, moved
from eum_share.logic.context import Migration
from eum_share.models.ledger import BatchRecord, BatchStatus, IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch


def step(run: ChunkRun, batch: Batch, record: BatchRecord) -> Outcome:
    in_flight = [i for i in run.identities(batch) if i.status is IdentityStatus.ASSOCIATING]
    # One paged read of the share's resource associations for the whole batch.
    found = ram.associations_of(run.owner, run.m.share_arn, [i.arn for i in in_flight]) if in_flight else {}
    changes: list[tuple[IdentityRecord, IdentityStatus]] = []
    settling = False
    for identity in in_flight:
        verdict = judge(found.get(identity.arn), record.checks)
        if verdict.settled:
            changes.append((moved(identity, IdentityStatus.ASSOCIATED), identity.status))
        elif verdict.failed is not None:
            failed = identity.model_copy(update={"status": IdentityStatus.FAILED, "reason": verdict.failed})
            changes.append((failed, identity.status))
        elif verdict.repair is not None:
            changes.append((identity.to_repair(verdict.repair), identity.status))
        else:
            settling = True
    run.save(changes)
    if settling:
        run.save_batch(record, BatchStatus.ASSOCIATING, checks=record.checks + 1)
        return Outcome(wait=True)
    learn_association_time(run.m, list(found.values()))
    run.save_batch(record, BatchStatus.ASSOCIATING, status=BatchStatus.VERIFYING, checks=0, associated_at=isonow())
    return Outcome(wait=False)


def learn_association_time(migration: Migration, associations: list[dict[str, Any]]) -> None:
    """Remember how long RAM took for these associations, by their own timestamps, for the next batch's wait."""
    taken = [
        (a["lastUpdatedTime"] - a["creationTime"]).total_seconds()
        for a in associations
        if a["status"] == ASSOCIATED and a.get("creationTime") and a.get("lastUpdatedTime")
    ]
    if not taken:
        return
    milliseconds = math.ceil(max(taken) * 1000)
    if milliseconds != migration.record.association_ms:
        migration.ledger.update_migration(migration.id, associationMs=milliseconds)
        migration.record = migration.record.model_copy(update={"association_ms": milliseconds})
