"""PlanBatches: who goes when. Members first, then the pools and opt-out lists that hold them."""

from __future__ import annotations

from eum_share.logic.probe import country
from eum_share.models.inventory import Inventory
from eum_share.models.ledger import BatchRecord, IdentityRecord
from eum_share.models.plan import Batch, Plan
from eum_share.models.request import ResourceType

# RAM writes a resource policy for each member before the pool or list that holds it is shared; a
# shared pool only works when every member is shared too.
ORDER = (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID, ResourceType.POOL, ResourceType.OPT_OUT_LIST)
# Batches per child execution: keeps each execution's history far below Step Functions' 25,000 events.
BATCHES_PER_CHUNK = 50


def plan_batches(migration_id: str, inventory: Inventory, batch_size: int) -> Plan:
    """Batches of at most `batch_size`, one identity type per batch where possible (so the consumer-side
    checks need fewer describe calls), in dependency order."""
    ordered = sorted(inventory.identities, key=lambda identity: ORDER.index(identity.type))
    batches: list[Batch] = []
    current: list[str] = []
    current_type: ResourceType | None = None
    for identity in ordered:
        if current and (len(current) == batch_size or identity.type is not current_type):
            batches.append(_batch(len(batches), current))
            current = []
        current.append(identity.arn)
        current_type = identity.type
    if current:
        batches.append(_batch(len(batches), current))
    chunks = -(-len(batches) // BATCHES_PER_CHUNK)
    return Plan(migration_id=migration_id, batch_size=batch_size, batches=batches, chunks=chunks)


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
