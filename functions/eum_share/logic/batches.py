"""AssociateBatches: one batch at a time, associated, waited for, verified from both sides, repaired.

A batch moves PLANNED -> REQUESTED -> ASSOCIATING -> VERIFYING -> DONE in the ledger, and no batch starts
before the one before it is DONE. Each call carries the chunk as far as it can without waiting and then
asks the state machine to wait (a Wait state, not a sleeping Lambda). Every step is written to the ledger
before the next is taken, and every AWS call that changes something carries a client token derived from
what it does, so a retried or re-run step repeats the same request instead of doing it twice.

While a batch associates, the call does what needs no wait on it: DryRun-sends from every consumer with
the batch verified just before (so the final verification need not), and snapshots the policies of the
batch after (still before anything changes them). It then asks to wait as long as RAM took to associate
the last batch, so that one look usually finds the batch ASSOCIATED.
"""

from __future__ import annotations

import math
import time
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
from eum_share.logic.probe import SENDERS, Probe, configuration_outcome_key, configuration_set, destination, probe
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
# ListResources' view of a resource in the share: PENDING while it associates, AVAILABLE once associated.
PENDING, AVAILABLE = "PENDING", "AVAILABLE"
ENOUGH_TIME_MS = 60_000  # stop taking new steps when less than this is left of the Lambda's time
BATCHES_PER_CALL = 2  # the batch finishing and the one it starts

DISASSOCIATING, REASSOCIATING = "DISASSOCIATING", "ASSOCIATING"


@dataclass
class Outcome:
    """What one step did: whether the batch must now wait for AWS."""

    wait: bool


@dataclass(frozen=True)
class Progress:
    """Where a call left the chunk: every batch DONE, or how long to wait before the next call."""

    done: bool
    wait_seconds: int


def consumers_prove_principals(principals: list[str], consumers: list[str]) -> bool:
    """Whether every principal is seen through some consumer, so that a consumer's Owner=SHARED view proves
    its grant: each account principal is a consumer, and at most one organization or OU principal remains,
    through which the consumers that are not account principals see the share."""
    accounts = {p for p in principals if p.isdigit()}
    groups = [p for p in principals if not p.isdigit()]
    others = set(consumers) - accounts
    return accounts <= set(consumers) and (not groups or (len(groups) == 1 and bool(others)))


class ChunkRunner:
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
        self._records: dict[str, IdentityRecord] = {}
        self._batch: BatchRecord | None = None
        self._configuration_sets: dict[str, str | None] = {}
        # What this invocation did, for the function's metrics: identity moves as (from, to) statuses.
        self.tally: Counter[tuple[str, str]] = Counter()

    # -- the loop ------------------------------------------------------------------------------------------
    def advance(self, chunk: int) -> Progress:
        """Carry the chunk's batches forward until every batch is DONE or the next step must wait."""
        batches = self.m.plan.batches_of_chunk(chunk)
        if not batches:
            return Progress(done=True, wait_seconds=0)
        # Every batch before the migration's current one is DONE; a call carries at most two more.
        start = max(batches[0].index, self.m.record.current_batch or 0)
        found, more = self.m.ledger.unfinished_batches(self.m.id, start, batches[-1].index, at_most=BATCHES_PER_CALL)
        if not found:
            self._probe_last(batches)
            return Progress(done=True, wait_seconds=0)
        unfinished = {r.index: r for r in found}
        self._preload(batches, unfinished)
        for position, batch in enumerate(batches):
            if batch.index not in unfinished:
                if more and batch.index > found[-1].index:
                    return Progress(done=False, wait_seconds=0)  # the next call reads the next ones
                continue
            self._batch = unfinished[batch.index]
            while not self._batch_done():
                if self.remaining_ms() < ENOUGH_TIME_MS:
                    return Progress(done=False, wait_seconds=0)
                self.ready_at = None
                try:
                    outcome = self._step(batch, self._batch)
                except ClientError as error:
                    if not self._fail_released(batch, error):
                        raise
                    continue
                if outcome.wait and not self._batch_done():
                    self._meanwhile(batches, position)
                    wait = self._wait_seconds()
                    if wait or self.ready_at is None:
                        return Progress(done=False, wait_seconds=wait)
        self._probe_last(batches)
        return Progress(done=True, wait_seconds=0)

    def _probe_last(self, batches: list[Batch]) -> None:
        """The chunk's last batch has no next one to overlap with: its probes are sent now."""
        if self.strategy is Strategy.RAM:
            self._probe_batch(batches[-1])

    def _preload(self, batches: list[Batch], unfinished: dict[int, BatchRecord]) -> None:
        """The records this call will most likely need, in one read: the first unfinished batch and the
        batches on either side of it (probed, snapshotted meanwhile)."""
        position = next((p for p, b in enumerate(batches) if b.index in unfinished), len(batches) - 1)
        near = batches[max(0, position - 1) : position + 2]
        arns = [arn for batch in near for arn in batch.arns]
        self._records.update((r.arn, r) for r in self.m.ledger.identities(self.m.id, arns))

    def _meanwhile(self, batches: list[Batch], position: int) -> None:
        """While this batch waits on RAM: probe the batch before it, snapshot the batch after it."""
        if self.strategy is not Strategy.RAM or self.ready_at is None:
            return
        if position > 0:
            self._probe_batch(batches[position - 1])
        if position + 1 < len(batches):
            self._take_snapshots(batches[position + 1])

    def _wait_seconds(self) -> int:
        """Whole seconds until the batch should be ASSOCIATED (a Wait state counts whole seconds: the
        fraction is spent here); the poll interval when that is not known."""
        if self.ready_at is None:
            return self.poll_seconds
        remaining = self.ready_at - time.monotonic()
        if remaining <= 0:
            return 0
        whole = math.floor(remaining)
        if remaining > whole:
            time.sleep(remaining - whole)
        return whole

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
        owned = {arn for kind, arns in by_kind.items() for arn in sms.described(self.owner, kind, arns)}
        gone = [i for i in unfinished if i.arn not in owned]
        self._save([(self._released(i, code), i.status) for i in gone])
        return bool(gone)

    def _released(self, identity: IdentityRecord, code: str) -> IdentityRecord:
        reason = (
            f"no longer in account {self.request.owner.account_id}: released or deleted during the migration ({code})"
        )
        return identity.model_copy(update={"status": IdentityStatus.FAILED, "reason": reason})

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
        self._take_snapshots(batch)
        self.m.ledger.update_migration(self.m.id, phase=Phase.ASSOCIATING.value, currentBatch=batch.index)
        self._save_batch(
            record,
            BatchStatus.PLANNED,
            status=BatchStatus.REQUESTED,
            client_token=token(self.m.id, "batch", batch.index),
            started_at=isonow(),
        )
        return Outcome(wait=False)

    def _take_snapshots(self, batch: Batch) -> None:
        changes = []
        for identity in self._identities(batch):
            if identity.snapshot is None and identity.status not in FINAL_STATUSES:
                try:
                    snapshot = sms.get_policy(self.owner, identity.arn) or ""
                except ClientError as error:
                    code = error.response["Error"]["Code"]
                    if code not in GONE:
                        raise
                    # Released or deleted by its owner before the migration changed anything of it.
                    changes.append((self._released(identity, code), identity.status))
                    continue
                changes.append((identity.model_copy(update={"snapshot": snapshot}), identity.status))
        self._save(changes)

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
                changes.append((identity.to_repair(failed_now[identity.arn]), identity.status))
            else:
                status = IdentityStatus.ASSOCIATING
                changes.append((identity.model_copy(update={"status": status, "attempts": 1}), identity.status))
        self._save(changes)
        self._save_batch(record, BatchStatus.REQUESTED, status=BatchStatus.ASSOCIATING)
        expected = self.m.record.association_ms / 1000 if self.m.record.association_ms else self.poll_seconds
        self.ready_at = time.monotonic() + expected
        return Outcome(wait=True)

    # -- ASSOCIATING: wait for RAM to finish ---------------------------------------------------------------
    def _poll(self, batch: Batch, record: BatchRecord) -> Outcome:
        identities = self._identities(batch)
        in_flight = [i for i in identities if i.status is IdentityStatus.ASSOCIATING]
        # One ListResources call for the batch, as AWS's sharing guide checks a batch.
        listed = ram.resources(self.owner, self.m.share_arn, [i.arn for i in in_flight]) if in_flight else {}
        changes = []
        still = []
        for identity in in_flight:
            resource = listed.get(identity.arn)
            status = resource["status"] if resource else "MISSING"
            if status == AVAILABLE:
                changes.append((self._with(identity, IdentityStatus.ASSOCIATED), identity.status))
            elif status == PENDING and record.checks < MAX_ASSOCIATION_CHECKS:
                still.append(identity)
            else:
                cause = _resource_cause(resource, record.checks)
                changes.append((identity.to_repair(cause), identity.status))
        self._save(changes)
        if still:
            self._save_batch(record, BatchStatus.ASSOCIATING, checks=record.checks + 1)
            return Outcome(wait=True)
        self._learn_association_time([listed[i.arn] for i in in_flight if i.arn in listed])
        self._save_batch(record, BatchStatus.ASSOCIATING, status=BatchStatus.VERIFYING, checks=0)
        return Outcome(wait=False)

    def _learn_association_time(self, associations: list[dict[str, Any]]) -> None:
        """Remember how long RAM took for this batch, by its own timestamps, for the next batch's wait."""
        taken = [
            (a["lastUpdatedTime"] - a["creationTime"]).total_seconds()
            for a in associations
            if a["status"] == AVAILABLE and a.get("creationTime") and a.get("lastUpdatedTime")
        ]
        if not taken:
            return
        milliseconds = math.ceil(max(taken) * 1000)
        if milliseconds != self.m.record.association_ms:
            self.m.ledger.update_migration(self.m.id, associationMs=milliseconds)
            self.m.record = self.m.record.model_copy(update={"association_ms": milliseconds})

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
        visible = self._visible_everywhere(ready)
        final_changes = []
        for identity in ready:
            if identity.arn in visible and self.consumers_prove and identity.snapshot == "":
                final_changes.append(self._with(identity, _verified(identity), reason=None))
                continue
            checked = self._check_policy(identity)
            if checked.status is not IdentityStatus.ASSOCIATED:
                final_changes.append(checked)
            elif identity.arn in visible:
                final_changes.append(self._with(checked, _verified(checked), reason=None))
            elif identity.visibility_checks + 1 >= MAX_VISIBILITY_CHECKS:
                cause = (
                    f"not visible to every consumer under Owner=SHARED after {identity.visibility_checks + 1} checks"
                )
                final_changes.append(checked.to_repair(cause))
            else:
                waiting = True
                final_changes.append(checked.model_copy(update={"visibility_checks": identity.visibility_checks + 1}))
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
            return identity.to_repair("; ".join(problems))
        return identity.model_copy(update={"policy_ok": True})

    def _visible_everywhere(self, identities: list[IdentityRecord]) -> set[str]:
        """ARNs that every consumer sees under Owner=SHARED, asked with targeted describe calls. The consumers
        take turns, group by group: each account's describe quota then paces only its own calls."""
        if not identities:
            return set()
        by_kind: dict[str, list[str]] = defaultdict(list)
        for identity in identities:
            by_kind[identity.type].append(identity.arn)
        consumers = [self.m.consumer(consumer) for consumer in self.request.consumers]
        seen: set[str] = set()
        for kind, arns in by_kind.items():
            for start in range(0, len(arns), sms.IDS_PER_CALL):
                group = set(arns[start : start + sms.IDS_PER_CALL])
                for clients in consumers:
                    group &= sms.described(clients, kind, sorted(group))
                seen |= group
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

    # -- DryRun probes of a verified batch, from every consumer ---------------------------------------------
    def _probe_batch(self, batch: Batch) -> None:
        """DryRun-send from every consumer with each identity of the batch it can send with; an identity
        that passes everywhere is marked `probed`. Anything else is left to the final verification, which
        sends again, notes protect blocks and sends refusals back for repair."""
        waiting = [
            i
            for i in self._identities(batch)
            if i.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED) and not i.probed and i.type in SENDERS
        ]
        if not waiting:
            return
        consumers = [(c.account_id, self.m.consumer(c)) for c in self.request.consumers]
        changes = []
        for identity in waiting:
            to = destination(identity.country)
            outcomes = [
                probe(clients, identity.arn, to, self._configuration_set(account))[0] for account, clients in consumers
            ]
            if all(outcome is Probe.SENT for outcome in outcomes):
                changes.append((identity.model_copy(update={"probed": True}), identity.status))
        self._save(changes)

    def _configuration_set(self, account: str) -> str | None:
        if account not in self._configuration_sets:
            key = self.m.key(configuration_outcome_key(account))
            self._configuration_sets[account] = configuration_set(self.m.settings.artifact_bucket, key)
        return self._configuration_sets[account]

    # -- repairs: this resource alone, again -----------------------------------------------------------------
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
        association = ram.associations_of(self.owner, self.m.share_arn, [identity.arn]).get(identity.arn)
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
            cause = _association_cause(association)
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
            update={"status": status, "repair_step": None, "visibility_checks": 0, "policy_ok": False, "probed": False}
            | changes
        )


def _verified(identity: IdentityRecord) -> IdentityStatus:
    return IdentityStatus.REPAIRED if identity.repairs else IdentityStatus.VERIFIED


def _resource_cause(resource: dict[str, Any] | None, checks: int) -> str:
    if resource is None:
        return "RAM has no association for the resource"
    if resource["status"] == PENDING:
        return f"association still ASSOCIATING after {checks} checks"
    return f"resource {resource['status']} in the share: {resource.get('statusMessage', 'no message')}"


def _association_cause(association: dict[str, Any] | None) -> str:
    if association is None:
        return "RAM has no association for the resource"
    return f"association {association['status']}: {association.get('statusMessage', 'no message')}"


def advance_chunk(
    migration: Migration, chunk: int, remaining_ms: Callable[[], int]
) -> tuple[Progress, Counter[tuple[str, str]]]:
    """(where the chunk stands, identities moved from one status to another by this call)."""
    hold_share_lock(migration)
    runner = ChunkRunner(migration, remaining_ms)
    try:
        return runner.advance(chunk), runner.tally
    except StaleLedgerWrite:
        # Another attempt of this step got there first (a retried invocation): the ledger is ahead of
        # us, so the next call picks up from what it says.
        return Progress(done=False, wait_seconds=runner.poll_seconds), runner.tally
