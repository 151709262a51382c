"""PlanBatches: who goes when. Members first, then the pools and opt-out lists that hold them."""

from __future__ import annotations

from eum_share.dal.sms import IDS_PER_CALL
from eum_share.logic.probe import country
from eum_share.models.inventory import Inventory
from eum_share.models.ledger import BatchRecord, IdentityRecord
from eum_share.models.plan import Batch, Plan
from eum_share.models.request import ResourceType

# RAM writes a resource policy for each member before the pool or list that holds it is shared; a
# shared pool only works when every member is shared too. Each phase starts once the one before is done.
PHASES = ((ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID), (ResourceType.POOL,), (ResourceType.OPT_OUT_LIST,))
# Batches per child execution: keeps each execution's history far below Step Functions' 25,000 events.
BATCHES_PER_CHUNK = 50


def plan_batches(migration_id: str, inventory: Inventory, batch_size: int) -> Plan:
    """Batches of at most `batch_size`, in dependency order. While a phase still has two kinds, a batch holds
    at most one describe call's worth (IDS_PER_CALL) of each: a consumer then checks the batch with one call per
    kind, and the quota of each describe action (1 a second) never makes it wait between two of them."""
    batches: list[list[str]] = []
    for phase in PHASES:
        left = {kind: [i.arn for i in inventory.identities if i.type is kind] for kind in phase}
        while any(left.values()):
            kinds = [kind for kind in phase if left[kind]]
            share = min(IDS_PER_CALL, batch_size // len(kinds))
            if len(kinds) == 1 or share == 0:
                kinds, share = kinds[:1], batch_size
            batch: list[str] = []
            for kind in kinds:
                taken, left[kind] = left[kind][:share], left[kind][share:]
                batch += taken
            batches.append(batch)
    planned = [_batch(index, arns) for index, arns in enumerate(batches)]
    chunks = -(-len(planned) // BATCHES_PER_CHUNK)
    return Plan(migration_id=migration_id, batch_size=batch_size, batches=planned, chunks=chunks)


def _batch(index: int, arns: list[str]) -> Batch:
    return Batch(index=index, chunk=index // BATCHES_PER_CHUNK, arns=arns)


def ledger_records(plan: Plan, inventory: Inventory) -> tuple[list[BatchRecord], list[IdentityRecord]]:
    found = inventory.by_arn()
    batches = [BatchRecord(index=b.index, chunk=b.chunk) for b in plan.batches]
    identities = [
        IdentityRecord(arn=arn, type=found[arn].type, batch=b.index, chunk=b.chunk, country=country(found[arn], found))
        for b in plan.batches
        for arn in b.arns
    ]
    return batches, identities
