"""PLANNED: keep each policy as it was before anything changes it, then ask for the association."""

from __future__ import annotations

from botocore.exceptions import ClientError

from eum_share.clock import isonow
from eum_share.dal import sms
from eum_share.logic.batch.run import GONE, ChunkRun, Outcome
from eum_share.logic.context import token
from eum_share.models.ledger import FINAL_STATUSES, BatchRecord, BatchStatus, Phase
from eum_share.models.plan import Batch


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
