"""AssociateBatches: one batch at a time, associated, waited for, verified from both sides, repaired.

A batch moves PLANNED -> REQUESTED -> ASSOCIATING -> VERIFYING -> DONE in the ledger, and no batch starts
before the one before it is DONE. Each call carries the chunk as far as it can without waiting and then
asks the state machine to wait (a Wait state, not a sleeping Lambda). Every step is written to the ledger
before the next is taken, and every AWS call that changes something carries a client token derived from
what it does, so a retried or re-run step repeats the same request instead of doing it twice.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from eum_share.clock import isonow
from eum_share.dal import events, ram, sms
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.logic.context import Migration, token
from eum_share.logic.lock import hold_share_lock
from eum_share.logic.policy import USE_ACTION, grant_sid, grant_statements, integrity_problems, merged
from eum_share.models.events import BatchCompleted
from eum_share.models.ledger import (
    FINAL_STATUSES,
    BatchRecord,
    BatchStatus,
    IdentityRecord,
    IdentityStatus,
    Phase,
    Repair,
)
from eum_share.models.plan import Batch
from eum_share.models.request import Strategy

# What AWS answers about a resource that no longer exists (End User Messaging, RAM).
GONE = frozenset({"ResourceNotFoundException", "UnknownResourceException"})
MAX_ASSOCIATION_CHECKS = 60  # polls before an association still in flight is treated as failed
MAX_VISIBILITY_CHECKS = 12  # polls before an identity the consumers still cannot see is repaired
RAM_PAGE = 500  # get_resource_share_associations' largest page
ENOUGH_TIME_MS = 60_000  # stop taking new steps when less than this is left of the Lambda's time

DISASSOCIATING, REASSOCIATING = "DISASSOCIATING", "ASSOCIATING"


@dataclass
class Outcome:
    """What one step did: whether the batch must now wait for AWS."""

    wait: bool


class ChunkRunner:
    def __init__(self, migration: Migration, remaining_ms: Callable[[], int]) -> None:
        self.m = migration
        self.request = migration.request
        self.owner = migration.owner()
        self.strategy = self.request.options.strategy
        self.remaining_ms = remaining_ms
        self.principals = list(self.request.principals)
        # Write-through copies of the ledger's records: each is read once per invocation.
        self._records: dict[str, IdentityRecord] = {}
        self._batch: BatchRecord | None = None
        # What this invocation did, for the function's metrics: identity moves as (from, to) statuses.
        self.tally: Counter[tuple[str, str]] = Counter()

    # -- the loop ------------------------------------------------------------------------------------------
    def advance(self, chunk: int) -> bool:
        """Carry the chunk's batches forward; True when every batch of the chunk is DONE."""
        batches = self.m.plan.batches_of_chunk(chunk)
        if not batches:
            return True
        unfinished = {
            r.index: r for r in self.m.ledger.unfinished_batches(self.m.id, batches[0].index, batches[-1].index)
        }
        for batch in batches:
            if batch.index not in unfinished:
                continue
            self._batch = unfinished[batch.index]
            while not self._batch_done():
                if self.remaining_ms() < ENOUGH_TIME_MS:
                    return False
                try:
                    outcome = self._step(batch, self._batch)
                except ClientError as error:
                    if not self._fail_released(batch, error):
                        raise
                    continue
                if outcome.wait and not self._batch_done():
                    return False
        return True

    def _fail_released(self, batch: Batch, error: ClientError) -> bool:
        """Its owner may release an identity while the migration runs: AWS then answers that it does not exist.
        Such identities are FAILED with that reason and the batch goes on without them; False when none of the
        batch's is gone (the error is about something else)."""
        code = error.response["Error"]["Code"]
        if code not in GONE:
            return False
        unfinished = [i for i in self._identities(batch) if i.status not in FINAL_STATUSES]
        by_kind: dict[str, list[str]] = defaultdict(list)
        for identity in unfinished:
            by_kind[identity.type].append(identity.arn)
        owned = {arn for kind, arns in by_kind.items() for arn in sms.described(self.owner, kind, arns, owner="SELF")}
        reason = (
            f"no longer in account {self.request.owner.account_id}: released or deleted during the migration ({code})"
        )
        gone = [i for i in unfinished if i.arn not in owned]
        self._save([(i.model_copy(update={"status": IdentityStatus.FAILED, "reason": reason}), i.status) for i in gone])
        return bool(gone)

    def _batch_done(self) -> bool:
        return self._batch is not None and self._batch.status is BatchStatus.DONE

    def _step(self, batch: Batch, record: BatchRecord) -> Outcome:
        steps = {
            BatchStatus.PLANNED: self._snapshot,
            BatchStatus.REQUESTED: self._associate,
            BatchStatus.ASSOCIATING: self._poll,
            BatchStatus.VERIFYING: self._verify,
        }
        return steps[record.status](batch, record)

    def _save_batch(self, record: BatchRecord, expected: BatchStatus, **changes: Any) -> None:
        self._batch = record.model_copy(update=changes)
        self.m.ledger.save_batch(self.m.id, self._batch, expected.value)

    def _save(self, changes: list[tuple[IdentityRecord, IdentityStatus]]) -> None:
        if changes:
            self.m.ledger.save_identities(self.m.id, changes)
            self._records.update((record.arn, record) for record, _ in changes)
            self.tally.update(
                (before.value, record.status.value) for record, before in changes if record.status != before
            )

    def _identities(self, batch: Batch) -> list[IdentityRecord]:
        if any(arn not in self._records for arn in batch.arns):
            self._records.update((r.arn, r) for r in self.m.ledger.identities(self.m.id, batch.arns))
        return [self._records[arn] for arn in batch.arns if arn in self._records]

    # -- PLANNED: keep what was there before anything changes ----------------------------------------------
    def _snapshot(self, batch: Batch, record: BatchRecord) -> Outcome:
        changes = []
        for identity in self._identities(batch):
            if identity.snapshot is None and identity.status not in FINAL_STATUSES:
                snapshot = sms.get_policy(self.owner, identity.arn) or ""
                changes.append((identity.model_copy(update={"snapshot": snapshot}), identity.status))
        self._save(changes)
        self.m.ledger.update_migration(self.m.id, phase=Phase.ASSOCIATING.value, currentBatch=batch.index)
        self._save_batch(
            record,
            BatchStatus.PLANNED,
            status=BatchStatus.REQUESTED,
            client_token=token(self.m.id, "batch", batch.index),
            started_at=isonow(),
        )
        return Outcome(wait=False)

    # -- REQUESTED: the one call that changes RAM ----------------------------------------------------------
    def _associate(self, batch: Batch, record: BatchRecord) -> Outcome:
        identities = [i for i in self._identities(batch) if i.status not in FINAL_STATUSES]
        to_share = [i for i in identities if i.status is IdentityStatus.PLANNED]
        if self.strategy is Strategy.RESOURCE_POLICY:
            for identity in to_share:
                self._write_grant(identity)
            self._save([(self._with(i, IdentityStatus.ASSOCIATED), i.status) for i in to_share])
            self._save_batch(record, BatchStatus.REQUESTED, status=BatchStatus.VERIFYING)
            return Outcome(wait=True)
        failed_now: dict[str, str] = {}
        if to_share:
            assert record.client_token is not None
            answer = ram.associate(
                self.owner, self.m.share_arn, record.client_token, resources=[i.arn for i in to_share]
            )
            failed_now = {
                a["associatedEntity"]: a.get("statusMessage", "FAILED") for a in answer if a["status"] == "FAILED"
            }
        changes = []
        for identity in to_share:
            if identity.arn in failed_now:
                changes.append((self._needs_repair(identity, failed_now[identity.arn]), identity.status))
            else:
                status = IdentityStatus.ASSOCIATING
                changes.append((identity.model_copy(update={"status": status, "attempts": 1}), identity.status))
        self._save(changes)
        self._save_batch(record, BatchStatus.REQUESTED, status=BatchStatus.ASSOCIATING)
        return Outcome(wait=True)

    # -- ASSOCIATING: wait for RAM to finish ---------------------------------------------------------------
    def _poll(self, batch: Batch, record: BatchRecord) -> Outcome:
        identities = self._identities(batch)
        in_flight = [i for i in identities if i.status is IdentityStatus.ASSOCIATING]
        statuses = self._association_statuses([i.arn for i in in_flight])
        changes = []
        still = []
        for identity in in_flight:
            association = statuses.get(identity.arn)
            status = association["status"] if association else "MISSING"
            if status == "ASSOCIATED":
                changes.append((self._with(identity, IdentityStatus.ASSOCIATED), identity.status))
            elif status == "ASSOCIATING" and record.checks < MAX_ASSOCIATION_CHECKS:
                still.append(identity)
            else:
                cause = _association_cause(association, record.checks)
                changes.append((self._needs_repair(identity, cause), identity.status))
        self._save(changes)
        if still:
            self._save_batch(record, BatchStatus.ASSOCIATING, checks=record.checks + 1)
            return Outcome(wait=True)
        self._save_batch(record, BatchStatus.ASSOCIATING, status=BatchStatus.VERIFYING, checks=0)
        return Outcome(wait=False)

    def _association_statuses(self, arns: list[str]) -> dict[str, dict[str, Any]]:
        """The association of each ARN with the share: one listing of the share when that takes fewer
        calls than asking resource by resource."""
        if not arns:
            return {}
        wanted = set(arns)
        if -(-self.m.plan.identity_count // RAM_PAGE) < len(arns):
            found = ram.associations(self.owner, self.m.share_arn, "RESOURCE")
            return {a["associatedEntity"]: a for a in found if a["associatedEntity"] in wanted}
        statuses: dict[str, dict[str, Any]] = {}
        for arn in arns:
            for association in ram.associations(self.owner, self.m.share_arn, "RESOURCE", resource_arn=arn):
                statuses[arn] = association
        return statuses

    # -- VERIFYING: the owner's policy intact, the consumers see it; else repair ---------------------------
    def _verify(self, batch: Batch, record: BatchRecord) -> Outcome:
        identities = [i for i in self._identities(batch) if i.status not in FINAL_STATUSES]
        changes: list[tuple[IdentityRecord, IdentityStatus]] = []
        waiting = False
        for identity in identities:
            if identity.status is IdentityStatus.REPAIRING:
                updated, wait = self._repair_step(identity)
                waiting |= wait
                if updated is not identity:
                    changes.append((updated, identity.status))
        self._save(changes)
        ready = [i for i in self._identities(batch) if i.status is IdentityStatus.ASSOCIATED and i.repair_step is None]
        checked = [self._check_policy(identity) for identity in ready]
        visible = self._visible_everywhere([i for i in checked if i.status is IdentityStatus.ASSOCIATED])
        final_changes = []
        for identity in checked:
            if identity.status is not IdentityStatus.ASSOCIATED:
                final_changes.append(identity)
            elif identity.arn in visible:
                final_changes.append(self._with(identity, _verified(identity), reason=None))
            elif identity.visibility_checks + 1 >= MAX_VISIBILITY_CHECKS:
                cause = (
                    f"not visible to every consumer under Owner=SHARED after {identity.visibility_checks + 1} checks"
                )
                final_changes.append(self._needs_repair(identity, cause))
            else:
                waiting = True
                final_changes.append(identity.model_copy(update={"visibility_checks": identity.visibility_checks + 1}))
        self._save([(new, old.status) for new, old in zip(final_changes, ready, strict=True)])
        after = self._identities(batch)
        if all(i.status in FINAL_STATUSES for i in after):
            self._finish(batch, record, after)
            return Outcome(wait=False)
        return Outcome(wait=waiting or any(i.status is IdentityStatus.REPAIRING for i in after))

    def _check_policy(self, identity: IdentityRecord) -> IdentityRecord:
        if identity.policy_ok:
            return identity
        document = sms.get_policy(self.owner, identity.arn)
        problems = integrity_problems(document, self.principals, identity.snapshot, USE_ACTION[identity.type])
        if problems:
            return self._needs_repair(identity, "; ".join(problems))
        return identity.model_copy(update={"policy_ok": True})

    def _visible_everywhere(self, identities: list[IdentityRecord]) -> set[str]:
        """ARNs that every consumer sees under Owner=SHARED, asked with targeted describe calls."""
        if not identities:
            return set()
        by_kind: dict[str, list[str]] = defaultdict(list)
        for identity in identities:
            by_kind[identity.type].append(identity.arn)
        seen = {i.arn for i in identities}
        for consumer in self.request.consumers:
            clients = self.m.consumer(consumer)
            seen &= {arn for kind, arns in by_kind.items() for arn in sms.described(clients, kind, arns)}
        return seen

    def _finish(self, batch: Batch, record: BatchRecord, identities: list[IdentityRecord]) -> None:
        self._save_batch(record, BatchStatus.VERIFYING, status=BatchStatus.DONE, finished_at=isonow())
        self.m.ledger.count_batches_done(self.m.id, 1)
        counts: dict[str, int] = defaultdict(int)
        for identity in identities:
            counts[identity.status.value] += 1
        events.publish(
            self.m.settings.event_bus,
            self.m.settings.event_source,
            BatchCompleted(migration_id=self.m.id, batch=batch.index, of=len(self.m.plan.batches), counts=counts),
        )

    # -- repairs: this resource alone, again -----------------------------------------------------------------
    def _needs_repair(self, identity: IdentityRecord, cause: str) -> IdentityRecord:
        return identity.model_copy(
            update={"status": IdentityStatus.REPAIRING, "reason": cause, "repair_step": None, "policy_ok": False}
        )

    def _repair_step(self, identity: IdentityRecord) -> tuple[IdentityRecord, bool]:
        """One step of repairing an identity; returns its new record and whether to wait for AWS."""
        if identity.repair_step is None:
            if len(identity.repairs) >= self.request.options.max_repair_attempts:
                return identity.model_copy(update={"status": IdentityStatus.FAILED}), False
            repairs = [*identity.repairs, Repair(cause=identity.reason or "unknown", at=isonow())]
            attempt = len(repairs)
            if self.strategy is Strategy.RESOURCE_POLICY:
                self._write_grant(identity)
                return self._with(identity, IdentityStatus.ASSOCIATED, repairs=repairs), True
            self._disassociate(identity.arn, attempt)
            return identity.model_copy(update={"repairs": repairs, "repair_step": DISASSOCIATING}), True
        attempt = len(identity.repairs)
        association = self._association_statuses([identity.arn]).get(identity.arn)
        status = association["status"] if association else "DISASSOCIATED"
        if identity.repair_step == DISASSOCIATING:
            if status == "DISASSOCIATING":
                return identity, True
            ram.associate(
                self.owner,
                self.m.share_arn,
                token(self.m.id, identity.arn, "repair", attempt),
                resources=[identity.arn],
            )
            return identity.model_copy(update={"repair_step": REASSOCIATING}), True
        if status == "ASSOCIATING":
            return identity, True
        if status != "ASSOCIATED":
            cause = _association_cause(association, 0)
            return identity.model_copy(update={"repair_step": None, "reason": cause}), False
        self._restore_lost_statements(identity)
        return self._with(identity, IdentityStatus.ASSOCIATED), False

    def _disassociate(self, arn: str, attempt: int) -> None:
        try:
            ram.disassociate(self.owner, self.m.share_arn, [arn], token(self.m.id, arn, "disassociate", attempt))
        except ClientError as error:
            # Nothing to take apart: the association never completed or is already gone.
            if error.response["Error"]["Code"] not in ("UnknownResourceException", "InvalidStateTransitionException"):
                raise

    def _restore_lost_statements(self, identity: IdentityRecord) -> None:
        """RAM rewrote its own statements; put back any statement that existed before the migration."""
        current = sms.get_policy(self.owner, identity.arn)
        if integrity_problems(current, [], identity.snapshot):
            sms.put_policy(self.owner, identity.arn, merged(current, identity.snapshot))

    def _write_grant(self, identity: IdentityRecord) -> None:
        """RESOURCE_POLICY strategy: the grant written directly, every earlier statement kept."""
        grant = grant_statements(identity.arn, identity.type, self.principals, sid=grant_sid(self.m.id))
        current = sms.get_policy(self.owner, identity.arn)
        sms.put_policy(self.owner, identity.arn, merged(current, identity.snapshot, grant))

    @staticmethod
    def _with(identity: IdentityRecord, status: IdentityStatus, **changes: Any) -> IdentityRecord:
        return identity.model_copy(
            update={"status": status, "repair_step": None, "visibility_checks": 0, "policy_ok": False} | changes
        )


def _verified(identity: IdentityRecord) -> IdentityStatus:
    return IdentityStatus.REPAIRED if identity.repairs else IdentityStatus.VERIFIED


def _association_cause(association: dict[str, Any] | None, checks: int) -> str:
    if association is None:
        return "RAM has no association for the resource"
    if association["status"] == "ASSOCIATING":
        return f"association still ASSOCIATING after {checks} checks"
    return f"association {association['status']}: {association.get('statusMessage', 'no message')}"


def advance_chunk(
    migration: Migration, chunk: int, remaining_ms: Callable[[], int]
) -> tuple[bool, Counter[tuple[str, str]]]:
    """(every batch of the chunk is DONE, identities moved from one status to another by this call)."""
    hold_share_lock(migration)
    runner = ChunkRunner(migration, remaining_ms)
    try:
        return runner.advance(chunk), runner.tally
    except StaleLedgerWrite:
        # Another attempt of this step got there first (a retried invocation): the ledger is ahead of
        # us, so the next call picks up from what it says.
        return False, runner.tally
