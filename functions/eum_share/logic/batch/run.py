"""What every step of the batch loop shares: the migration, write-through copies of its ledger records, and how a
step saves what it changed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eum_share.logic.context import Migration
from eum_share.models.ledger import BatchRecord, BatchStatus, IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch

# What AWS answers about a resource that no longer exists (End User Messaging, RAM).
GONE = frozenset({"ResourceNotFoundException", "UnknownResourceException"})


@dataclass
class Outcome:
    """What one step did: whether the batch must now wait for AWS."""

    wait: bool


def consumers_prove_principals(principals: list[str], consumers: list[str]) -> bool:
    """Whether every principal is seen through some consumer, so that a consumer's Owner=SHARED view proves
    its grant: each account principal is a consumer, and at most one organization or OU principal remains,
    through which the consumers that are not account principals see the share."""
    accounts = {p for p in principals if p.isdigit()}
    groups = [p for p in principals if not p.isdigit()]
    others = set(consumers) - accounts
    return accounts <= set(consumers) and (not groups or (len(groups) == 1 and bool(others)))


class ChunkRun:
    """One invocation's hold on a chunk: read once, written through."""

    def __init__(self, migration: Migration, remaining_ms: Callable[[], int]) -> None:
        self.m = migration
        self.request = migration.request
        self.owner = migration.owner()
        self.strategy = self.request.options.strategy
        self.remaining_ms = remaining_ms
        self.principals = list(self.request.principals)
        # With no earlier policy to keep, a resource every consumer sees under Owner=SHARED is granted to
        # every principal: the owner-side re-read of its policy proves nothing more.
        self.consumers_prove = consumers_prove_principals(
            self.principals, [c.account_id for c in self.request.consumers]
        )
        self.poll_seconds = self.request.options.poll_seconds
        # When the batch in flight should be ASSOCIATED (time.monotonic), after an associate call.
        self.ready_at: float | None = None
        # Write-through copies of the ledger's records: each is read once per invocation.
        self.records: dict[str, IdentityRecord] = {}
        self.batch: BatchRecord | None = None
        self.configuration_sets: dict[str, str | None] = {}
        # ARNs every consumer saw when the batch left ASSOCIATING: its verification counts that look once.
        self.seen: set[str] = set()
        # What this invocation did, for the function's metrics: identity moves as (from, to) statuses.
        self.tally: Counter[tuple[str, str]] = Counter()

    def batch_done(self) -> bool:
        return self.batch is not None and self.batch.status is BatchStatus.DONE

    def save_batch(self, record: BatchRecord, expected: BatchStatus, **changes: Any) -> None:
        self.batch = record.model_copy(update=changes)
        self.m.ledger.save_batch(self.m.id, self.batch, expected.value)

    def save(self, changes: list[tuple[IdentityRecord, IdentityStatus]]) -> None:
        if changes:
            self.m.ledger.save_identities(self.m.id, changes)
            self.records.update((record.arn, record) for record, _ in changes)
            self.tally.update(
                (before.value, record.status.value) for record, before in changes if record.status != before
            )

    def identities(self, batch: Batch) -> list[IdentityRecord]:
        if any(arn not in self.records for arn in batch.arns):
            self.records.update((r.arn, r) for r in self.m.ledger.identities(self.m.id, batch.arns))
        return [self.records[arn] for arn in batch.arns if arn in self.records]

    def released(self, identity: IdentityRecord, code: str) -> IdentityRecord:
        """FAILED: its owner released or deleted it while the migration ran (AWS answered `code`)."""
        reason = (
            f"no longer in account {self.request.owner.account_id}: released or deleted during the migration ({code})"
        )
        return identity.model_copy(update={"status": IdentityStatus.FAILED, "reason": reason})


def moved(identity: IdentityRecord, status: IdentityStatus, **changes: Any) -> IdentityRecord:
    """The identity in a new status: what the previous one proved (policy, visibility, probes) no longer counts."""
    return identity.model_copy(
        update={"status": status, "repair_step": None, "visibility_checks": 0, "policy_ok": False, "probed": False}
        | changes
    )
