"""ASSOCIATING: look at the batch until each identity is settled, repaired or failed. The consumers are asked
first: an identity every consumer sees under Owner=SHARED is associated, whatever RAM's lists say yet. RAM is asked
about the others, resource by resource, and about one of the batch to learn how long its associations take. A look
no longer reads the share's associations whole: a call per 500 of them, every look, grew with the square of the
migration (about one call per identity at ten thousand)."""

from __future__ import annotations

import math
from typing import Any

from eum_share.clock import isonow
from eum_share.dal import ram
from eum_share.logic.batch import seen
from eum_share.logic.batch.association import ASSOCIATED, Verdict, judge
from eum_share.logic.batch.run import ChunkRun, Outcome, moved
from eum_share.logic.context import Migration
from eum_share.models.ledger import BatchRecord, BatchStatus, IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch


def step(run: ChunkRun, batch: Batch, record: BatchRecord) -> Outcome:
    in_flight = [i for i in run.identities(batch) if i.status is IdentityStatus.ASSOCIATING]
    # With no consumer to ask, everything would count as seen: RAM's word decides alone.
    shared = seen.by_every_consumer(run, in_flight) if run.request.consumers else set()
    unseen = [i.arn for i in in_flight if i.arn not in shared]
    found = ram.associations_of(run.owner, run.m.share_arn, unseen) if unseen else {}
    changes: list[tuple[IdentityRecord, IdentityStatus]] = []
    settling = False
    for identity in in_flight:
        verdict = Verdict(settled=True) if identity.arn in shared else judge(found.get(identity.arn), record.checks)
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
    run.seen = shared
    learn_association_time(run.m, _timed(run, in_flight, found))
    run.save_batch(record, BatchStatus.ASSOCIATING, status=BatchStatus.VERIFYING, checks=0, associated_at=isonow())
    return Outcome(wait=False)


def _timed(run: ChunkRun, in_flight: list[IdentityRecord], found: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Associations that say how long RAM took: those read for the identities no consumer saw, else one of the
    batch's, read for this (RAM's timestamps are in its associations only)."""
    timed = [a for a in found.values() if a["status"] == ASSOCIATED]
    if timed or not in_flight:
        return timed
    return list(ram.associations_of(run.owner, run.m.share_arn, [in_flight[0].arn]).values())


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
