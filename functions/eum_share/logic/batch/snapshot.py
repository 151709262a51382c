"""PLANNED: keep each policy as it was before anything changes it, then ask for the association."""

from __future__ import annotations

from botocore.exceptions import ClientError

from eum_share.clock import isonow
from eum_share.dal import sms
from eum_share.logic.batch.run import GONE, ChunkRun, Outcome
from eum_share.logic.context import Migration, token
from eum_share.models.ledger import FINAL_STATUSES, BatchRecord, BatchStatus, Phase
from eum_share.models.plan import Batch
from eum_share.models.request import Strategy


def step(run: ChunkRun, batch: Batch, record: BatchRecord) -> Outcome:
    take_snapshots(run, batch)
    run.m.ledger.update_migration(run.m.id, phase=Phase.ASSOCIATING.value, currentBatch=batch.index)
    run.save_batch(
        record,
        BatchStatus.PLANNED,
        status=BatchStatus.REQUESTED,
        client_token=token(run.m.id, "batch", batch.index),
        started_at=isonow(),
    )
    return Outcome(wait=False)


def snapshot_first_batch(migration: Migration) -> bool:
    """While RAM associates the principals: the first batch's policies as they are, read in what would otherwise be
    a wait (each read waits for its quota), so that the batch is associated as soon as the principals are in.
    Changes nothing in AWS. True when it read anything."""
    batches = migration.plan.batches
    if migration.request.options.strategy is not Strategy.RAM or not batches:
        return False
    run = ChunkRun(migration, lambda: 0)
    before = sum(1 for identity in run.identities(batches[0]) if identity.snapshot is None)
    take_snapshots(run, batches[0])
    return before > 0


def take_snapshots(run: ChunkRun, batch: Batch) -> None:
    """Each unfinished identity's policy as it is now ("" for none), once (those read ahead are not read again)."""
    changes = []
    for identity in run.identities(batch):
        if identity.snapshot is None and identity.status not in FINAL_STATUSES:
            try:
                snapshot = sms.get_policy(run.owner, identity.arn) or ""
            except ClientError as error:
                code = error.response["Error"]["Code"]
                if code not in GONE:
                    raise
                # Released or deleted by its owner before the migration changed anything of it.
                changes.append((run.released(identity, code), identity.status))
                continue
            changes.append((identity.model_copy(update={"snapshot": snapshot}), identity.status))
    run.save(changes)
