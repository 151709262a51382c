"""PlanBatches: who goes when. Each pool and opt-out list after every identity it holds, as early as that allows."""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Callable

from eum_share.dal.sms import IDS_PER_CALL
from eum_share.logic.probe import country
from eum_share.models.inventory import Identity, Inventory
from eum_share.models.ledger import BatchRecord, IdentityRecord
from eum_share.models.plan import Batch, Plan
from eum_share.models.request import ResourceType

# RAM writes a resource policy for each member before the pool or list that holds it is shared; a shared pool (an
# opt-out list) only works when every member (every phone number and pool using it) is shared too. So a pool or
# opt-out list goes in a batch after the one holding its last member: the batch before it is done by then.
CONTAINERS = (ResourceType.POOL, ResourceType.OPT_OUT_LIST)
# Batches per child execution: keeps each execution's history far below Step Functions' 25,000 events.
BATCHES_PER_CHUNK = 50

# The order in which ready identities fill a batch: a key per identity, given how many of its kind the batch holds.
_Rank = Callable[[tuple[int, int], bool], tuple[int, ...]]


def plan_batches(migration_id: str, inventory: Inventory, batch_size: int) -> Plan:
    """Batches of at most `batch_size`, each pool and opt-out list after all it holds, in as few batches as we
    can: each batch costs a round of RAM's association. Of two plans with as many batches, the one whose batches
    a consumer checks with fewer waits: a batch holding at most IDS_PER_CALL of a kind is checked with one call for
    that kind, and the quota of each describe action (1 a second) makes a second call of one action wait. A batch
    left short goes first, where it shortens the first snapshot, rather than last.

    A few greedy plans are made and the best kept: filled from the first batch (every identity as early as it may
    go) and from the last (as late as it may), each taking the longest chains first or one call's worth of each
    kind first; which is best depends on how the owner's pools and opt-out lists are made."""
    forward = _Graph.of(inventory)
    backward = forward.reversed()
    plans = [forward.schedule(batch_size, rank) for rank in _RANKS]
    plans += [backward.schedule(batch_size, rank)[::-1] for rank in _RANKS]
    # Fewest batches; then the smallest first batch: its policies are read (1 a second) while RAM associates the
    # principals, alongside the consumers' configuration, and the batches start once both are done; then fewest
    # waits; at a tie the first, planned forward: pools and opt-out lists earliest.
    batches = min(plans, key=lambda plan: (len(plan), len(plan[0]), _calls_that_wait(plan, forward.kind)))
    planned = [_batch(index, arns) for index, arns in enumerate(batches)]
    chunks = -(-len(planned) // BATCHES_PER_CHUNK)
    return Plan(migration_id=migration_id, batch_size=batch_size, batches=planned, chunks=chunks)


def _kinds_first(priority: tuple[int, int], full: bool) -> tuple[int, ...]:
    """One describe call's worth of each kind first; then the longest chains."""
    return (full, *priority)


def _chains_first(priority: tuple[int, int], full: bool) -> tuple[int, ...]:
    """The identities with the longest chain waiting on them first; then one call's worth of a kind."""
    return (priority[0], full, priority[1])


_RANKS: tuple[_Rank, ...] = (_kinds_first, _chains_first)


def _calls_that_wait(batches: list[list[str]], kind: dict[str, ResourceType]) -> int:
    """Describe calls a consumer makes after another of the same action, to check the same batch."""
    return sum(-(-count // IDS_PER_CALL) - 1 for batch in batches for count in Counter(kind[a] for a in batch).values())


class _Graph:
    """Which identities each identity waits for (a pool its members, an opt-out list its phone numbers and pools),
    and in what order ready identities are best taken."""

    def __init__(self, waits_for: dict[str, list[str]], order: list[str], kind: dict[str, ResourceType]) -> None:
        self.waits_for = waits_for
        self.order = order
        self.kind = kind
        self.unblocks: defaultdict[str, list[str]] = defaultdict(list)
        for arn, needed in waits_for.items():
            for other in needed:
                self.unblocks[other].append(arn)
        height: dict[str, int] = {}
        for arn in order:
            self._height(arn, height)
        # The longest chain of identities waiting on one first (they bound the number of batches); then the
        # members of one pool, of one opt-out list, together, so that it is ready early.
        self.priority = {arn: (-height[arn], position) for position, arn in enumerate(order)}

    @classmethod
    def of(cls, inventory: Inventory) -> _Graph:
        known = {identity.arn for identity in inventory.identities}
        waits_for = {
            i.arn: sorted(set(i.members) & known) if i.type in CONTAINERS else [] for i in inventory.identities
        }
        kind = {identity.arn: identity.type for identity in inventory.identities}
        return cls(waits_for, _grouped(inventory.identities), kind)

    def reversed(self) -> _Graph:
        """Each pool and opt-out list before what it holds: planned from the last batch back."""
        return _Graph({arn: list(self.unblocks[arn]) for arn in self.order}, self.order, self.kind)

    def _height(self, arn: str, height: dict[str, int]) -> int:
        if arn not in height:
            height[arn] = 1 + max((self._height(other, height) for other in self.unblocks[arn]), default=0)
        return height[arn]

    def schedule(self, batch_size: int, rank: _Rank) -> list[list[str]]:
        """Batch after batch, each filled with identities whose wait is over: they wait for earlier batches only."""
        unmet = {arn: len(needed) for arn, needed in self.waits_for.items()}
        ready: defaultdict[ResourceType, list[tuple[tuple[int, int], str]]] = defaultdict(list)
        for arn in self.order:
            if not unmet[arn]:
                heapq.heappush(ready[self.kind[arn]], (self.priority[arn], arn))
        batches: list[list[str]] = []
        while any(ready.values()):
            batch = _fill(ready, batch_size, rank)
            batches.append(batch)
            for arn in batch:
                for other in self.unblocks[arn]:
                    unmet[other] -= 1
                    if not unmet[other]:
                        heapq.heappush(ready[self.kind[other]], (self.priority[other], other))
        return batches


def _fill(
    ready: defaultdict[ResourceType, list[tuple[tuple[int, int], str]]], batch_size: int, rank: _Rank
) -> list[str]:
    taken: Counter[ResourceType] = Counter()
    batch: list[str] = []
    while len(batch) < batch_size and any(ready.values()):
        kind = min(
            (kind for kind, heap in ready.items() if heap),
            key=lambda kind: rank(ready[kind][0][0], taken[kind] >= IDS_PER_CALL),
        )
        batch.append(heapq.heappop(ready[kind])[1])
        taken[kind] += 1
    return batch


def _grouped(identities: list[Identity]) -> list[str]:
    """Every ARN once: each pool's members together (pool by pool), then each opt-out list's, then the rest."""
    containers = sorted(
        (i for i in identities if i.type in CONTAINERS), key=lambda i: (i.type is not ResourceType.POOL, i.arn)
    )
    ordered = [*(m for c in containers for m in c.members), *(i.arn for i in identities)]
    known = {identity.arn for identity in identities}
    return list(dict.fromkeys(arn for arn in ordered if arn in known))


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
