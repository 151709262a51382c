"""REQUESTED: the one call that changes RAM (or, with the RESOURCE_POLICY strategy, the grants written directly)."""

from __future__ import annotations

import time

from eum_share.dal import ram, sms
from eum_share.logic.batch.run import ChunkRun, Outcome, moved
from eum_share.logic.policy import grant_sid, grant_statements, merged
from eum_share.models.ledger import FINAL_STATUSES, BatchRecord, BatchStatus, IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch
from eum_share.models.request import Strategy


def step(run: ChunkRun, batch: Batch, record: BatchRecord) -> Outcome:
    identities = [i for i in run.identities(batch) if i.status not in FINAL_STATUSES]
    to_share = [i for i in identities if i.status is IdentityStatus.PLANNED]
    if run.strategy is Strategy.RESOURCE_POLICY:
        for identity in to_share:
            write_grant(run, identity)
        run.save([(moved(i, IdentityStatus.ASSOCIATED), i.status) for i in to_share])
        run.save_batch(record, BatchStatus.REQUESTED, status=BatchStatus.VERIFYING)
        return Outcome(wait=True)
    failed_now: dict[str, str] = {}
    if to_share:
        assert record.client_token is not None
        answer = ram.associate(run.owner, run.m.share_arn, record.client_token, resources=[i.arn for i in to_share])
        failed_now = {
            a["associatedEntity"]: a.get("statusMessage", "FAILED") for a in answer if a["status"] == "FAILED"
        }
    changes = []
    for identity in to_share:
        if identity.arn in failed_now:
            changes.append((identity.to_repair(failed_now[identity.arn]), identity.status))
        else:
            status = IdentityStatus.ASSOCIATING
            changes.append((identity.model_copy(update={"status": status, "attempts": 1}), identity.status))
    run.save(changes)
    run.save_batch(record, BatchStatus.REQUESTED, status=BatchStatus.ASSOCIATING)
    expected = run.m.record.association_ms / 1000 if run.m.record.association_ms else run.poll_seconds
    run.ready_at = time.monotonic() + expected
    return Outcome(wait=True)


def write_grant(run: ChunkRun, identity: IdentityRecord) -> None:
    """RESOURCE_POLICY strategy: the grant written directly, every earlier statement kept."""
    grant = grant_statements(identity.arn, identity.type, run.principals, sid=grant_sid(run.m.id))
    current = sms.get_policy(run.owner, identity.arn)
    sms.put_policy(run.owner, identity.arn, merged(current, identity.snapshot, grant))
