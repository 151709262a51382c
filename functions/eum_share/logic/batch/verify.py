"""VERIFYING: the owner's policy intact and every consumer sees the identity; else repair, until every identity
of the batch is VERIFIED, REPAIRED or FAILED and the batch is DONE."""

from __future__ import annotations

from collections import defaultdict

from eum_share.clock import isonow
from eum_share.dal import events, sms
from eum_share.logic.batch import repair, seen
from eum_share.logic.batch.run import ChunkRun, Outcome, moved
from eum_share.logic.policy import USE_ACTION, integrity_problems
from eum_share.models.events import BatchCompleted
from eum_share.models.ledger import FINAL_STATUSES, BatchRecord, BatchStatus, IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch

MAX_VISIBILITY_CHECKS = 12  # looks before an identity the consumers still cannot see is repaired


def step(run: ChunkRun, batch: Batch, record: BatchRecord) -> Outcome:
    waiting = _repair(run, batch)
    ready = [i for i in run.identities(batch) if i.status is IdentityStatus.ASSOCIATED and i.repair_step is None]
    visible = _visible_everywhere(run, ready)
    final_changes = []
    for identity in ready:
        if identity.arn in visible and run.consumers_prove and identity.snapshot == "":
            final_changes.append(moved(identity, _verified(identity), reason=None))
            continue
        checked = _check_policy(run, identity)
        if checked.status is not IdentityStatus.ASSOCIATED:
            final_changes.append(checked)
        elif identity.arn in visible:
            final_changes.append(moved(checked, _verified(checked), reason=None))
        elif identity.visibility_checks + 1 >= MAX_VISIBILITY_CHECKS:
            cause = f"not visible to every consumer under Owner=SHARED after {identity.visibility_checks + 1} checks"
            final_changes.append(checked.to_repair(cause))
        else:
            waiting = True
            final_changes.append(checked.model_copy(update={"visibility_checks": identity.visibility_checks + 1}))
    run.save([(new, old.status) for new, old in zip(final_changes, ready, strict=True)])
    after = run.identities(batch)
    if all(i.status in FINAL_STATUSES for i in after):
        _finish(run, batch, record, after)
        return Outcome(wait=False)
    return Outcome(wait=waiting or any(i.status is IdentityStatus.REPAIRING for i in after))


def _repair(run: ChunkRun, batch: Batch) -> bool:
    """One repair step for each identity being repaired; whether one waits on AWS."""
    repairing = [i for i in run.identities(batch) if i.status is IdentityStatus.REPAIRING]
    associations = repair.in_flight(run, repairing)
    changes: list[tuple[IdentityRecord, IdentityStatus]] = []
    waiting = False
    for identity in repairing:
        updated, wait = repair.step(run, identity, associations.get(identity.arn))
        waiting |= wait
        if updated is not identity:
            changes.append((updated, identity.status))
    run.save(changes)
    return waiting


def _check_policy(run: ChunkRun, identity: IdentityRecord) -> IdentityRecord:
    if identity.policy_ok:
        return identity
    document = sms.get_policy(run.owner, identity.arn)
    problems = integrity_problems(document, run.principals, identity.snapshot, USE_ACTION[identity.type])
    if problems:
        return identity.to_repair("; ".join(problems))
    return identity.model_copy(update={"policy_ok": True})


def _visible_everywhere(run: ChunkRun, identities: list[IdentityRecord]) -> set[str]:
    """ARNs every consumer sees: what the ASSOCIATING step saw of them in this invocation, a moment ago, and the
    others asked now."""
    remembered = {i.arn for i in identities} & run.seen
    run.seen = set()
    return remembered | seen.by_every_consumer(run, [i for i in identities if i.arn not in remembered])


def _finish(run: ChunkRun, batch: Batch, record: BatchRecord, identities: list[IdentityRecord]) -> None:
    run.save_batch(record, BatchStatus.VERIFYING, status=BatchStatus.DONE, finished_at=isonow())
    run.m.ledger.count_batches_done(run.m.id, 1)
    counts: dict[str, int] = defaultdict(int)
    for identity in identities:
        counts[identity.status.value] += 1
    events.publish(
        run.m.settings.event_bus,
        run.m.settings.event_source,
        BatchCompleted(migration_id=run.m.id, batch=batch.index, of=len(run.m.plan.batches), counts=counts),
    )


def _verified(identity: IdentityRecord) -> IdentityStatus:
    return IdentityStatus.REPAIRED if identity.repairs else IdentityStatus.VERIFIED
