"""UndoSharing: what the migration shared, taken back as it was given, in reverse.

Identities first, one batch of at most ten at a time (RAM strategy: disassociated, waited for until
DISASSOCIATED, then verified: every statement of the resource policy from before the migration is still there,
else it is put back; RESOURCE_POLICY strategy: the statements the migration wrote are removed). Then the share:
the migration's own share is deleted, or the principals it added to an existing share are removed. Every step is
written to the ledger before the next, reads what is there before changing it (a second rollback changes
nothing), and carries a client token of this run, so a retried step repeats the same request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from eum_share.dal import ram, sms
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.dal.rollback_ledger import RollbackLedger
from eum_share.errors import RollbackIncomplete
from eum_share.logic.context import Migration, token
from eum_share.logic.policy import SEND, canonical, grant_sid, grants, lost, merged, statements, without_grants
from eum_share.logic.share import matches_principal, share_before
from eum_share.models.changes import AddedKind
from eum_share.models.request import Strategy
from eum_share.models.rollback import (
    RollbackMode,
    RollbackPhase,
    RollbackRecord,
    UndoBatch,
    UndoBatchStatus,
    UndoOutcome,
)

LIVE = ("ASSOCIATED", "ASSOCIATING")
MAX_CHECKS = 60  # polls before a disassociation still in flight stops the rollback (a new one continues it)
ENOUGH_TIME_MS = 60_000
READ_ACTIONS = (SEND, "sms-voice:DescribeOptOutLists")


class SharingUndoer:
    def __init__(self, migration: Migration, ledger: RollbackLedger, remaining_ms: Callable[[], int]) -> None:
        self.m = migration
        self.ledger = ledger
        self.remaining_ms = remaining_ms
        run = ledger.rollback(migration.id, RollbackMode.ROLLBACK)
        assert run is not None, "OpenRollback opens the run"
        self.run: RollbackRecord = run
        self.strategy = migration.request.options.strategy if migration.record.planned else Strategy.RAM

    def advance(self) -> bool:
        """True once identities and the share are undone; False to be called again after a wait."""
        if self.run.phase is RollbackPhase.ASSOCIATIONS:
            if not self._undo_identities():
                return False
            self._set(phase=RollbackPhase.PRINCIPALS.value, checks=0)
        if self.run.phase is RollbackPhase.PRINCIPALS:
            if not self._undo_share():
                return False
            self._set(phase=RollbackPhase.CONFIGURATION.value)
        return True

    def _set(self, **fields: Any) -> None:
        self.ledger.update_rollback(self.m.id, RollbackMode.ROLLBACK, **fields)
        self.run = self.run.model_validate(self.run.model_dump(by_alias=True) | fields)

    # -- identities ----------------------------------------------------------------------------------------
    def _undo_identities(self) -> bool:
        for batch in self.ledger.undo_batches(self.m.id):
            while batch.status is not UndoBatchStatus.DONE:
                if self.remaining_ms() < ENOUGH_TIME_MS:
                    return False
                batch, wait = self._step(batch)
                if wait:
                    return False
        return True

    def _step(self, batch: UndoBatch) -> tuple[UndoBatch, bool]:
        if self.strategy is Strategy.RESOURCE_POLICY:
            return self._revoke(batch), False
        if batch.status is UndoBatchStatus.PLANNED:
            return self._disassociate(batch)
        if batch.status is UndoBatchStatus.DISASSOCIATING:
            return self._poll(batch)
        return self._verify(batch), False

    def _save(self, batch: UndoBatch, expected: UndoBatchStatus, **changes: Any) -> UndoBatch:
        updated = batch.model_copy(update=changes)
        self.ledger.save_undo_batch(self.m.id, updated, expected)
        return updated

    def _associations(self, arns: list[str]) -> dict[str, str]:
        owner, share = self.m.owner(), self.m.share_arn
        found: dict[str, str] = {}
        for arn in arns:
            for association in ram.associations(owner, share, "RESOURCE", resource_arn=arn):
                found[arn] = association["status"]
        return found

    def _disassociate(self, batch: UndoBatch) -> tuple[UndoBatch, bool]:
        statuses = self._associations(batch.arns)
        live = [arn for arn in batch.arns if statuses.get(arn) in LIVE]
        # DISASSOCIATING: this run's call went through before a crash; it is being undone already.
        undone = {arn for arn in batch.arns if statuses.get(arn) == "DISASSOCIATING"} | set(live)
        outcomes = {
            arn: UndoOutcome.DISASSOCIATED if arn in undone else UndoOutcome.NOTHING_TO_UNDO for arn in batch.arns
        }
        if live:
            ram.disassociate(
                self.m.owner(), self.m.share_arn, live, token(self.m.id, "undo", self.run.execution_name, batch.index)
            )
        status = UndoBatchStatus.DISASSOCIATING if undone else UndoBatchStatus.VERIFYING
        return self._save(batch, UndoBatchStatus.PLANNED, status=status, outcomes=outcomes), bool(undone)

    def _poll(self, batch: UndoBatch) -> tuple[UndoBatch, bool]:
        undone = [arn for arn, outcome in batch.outcomes.items() if outcome is UndoOutcome.DISASSOCIATED]
        statuses = self._associations(undone)
        still = [arn for arn in undone if statuses.get(arn) == "DISASSOCIATING"]
        if not still:
            return self._save(batch, UndoBatchStatus.DISASSOCIATING, status=UndoBatchStatus.VERIFYING, checks=0), False
        if batch.checks + 1 >= MAX_CHECKS:
            raise RollbackIncomplete(
                f"still DISASSOCIATING after {batch.checks + 1} checks: {', '.join(still)}; run the rollback again"
            )
        return self._save(batch, UndoBatchStatus.DISASSOCIATING, checks=batch.checks + 1), True

    def _verify(self, batch: UndoBatch) -> UndoBatch:
        """Gone from the share, and the policy holds every statement it held before the migration (a throttled
        RAM write can empty it while removing the share's statements)."""
        statuses = self._associations(batch.arns)
        back = [arn for arn in batch.arns if statuses.get(arn) in LIVE]
        if back:
            raise RollbackIncomplete(f"associated with {self.m.share_arn} again: {', '.join(back)}")
        owner = self.m.owner()
        restored = []
        for record in self.m.ledger.identities(self.m.id, batch.arns):
            current = sms.get_policy(owner, record.arn)
            if lost(current, record.snapshot):
                sms.put_policy(owner, record.arn, merged(current, record.snapshot))
                restored.append(record.arn)
        return self._save(batch, UndoBatchStatus.VERIFYING, status=UndoBatchStatus.DONE, restored=restored)

    def _revoke(self, batch: UndoBatch) -> UndoBatch:
        """RESOURCE_POLICY: the statements this migration wrote go; what was there before stays (or comes back)."""
        owner, sid = self.m.owner(), grant_sid(self.m.id)
        outcomes: dict[str, UndoOutcome] = {}
        restored: list[str] = []
        for record in self.m.ledger.identities(self.m.id, batch.arns):
            current = sms.get_policy(owner, record.arn)
            found = statements(current) or []
            wanted = without_grants(current, sid, record.snapshot)
            ours = [s for s in found if str(s.get("Sid", "")).startswith(sid)]
            outcomes[record.arn] = UndoOutcome.REVOKED if ours else UndoOutcome.NOTHING_TO_UNDO
            if lost(current, record.snapshot):
                restored.append(record.arn)
            if [canonical(s) for s in wanted] == [canonical(s) for s in found] and (current is None) == (not wanted):
                continue
            if wanted:
                sms.put_policy(owner, record.arn, json.dumps({"Version": "2012-10-17", "Statement": wanted}))
            else:
                sms.delete_policy(owner, record.arn)
            after = sms.get_policy(owner, record.arn)
            if any(str(s.get("Sid", "")).startswith(sid) for s in statements(after) or []) or lost(
                after, record.snapshot
            ):
                raise RollbackIncomplete(f"{record.arn}: its policy still differs from what it must be: {after}")
        return self._save(
            batch, UndoBatchStatus.PLANNED, status=UndoBatchStatus.DONE, outcomes=outcomes, restored=restored
        )

    # -- the share -----------------------------------------------------------------------------------------
    def _undo_share(self) -> bool:
        if self.strategy is Strategy.RESOURCE_POLICY or self.m.record.share_arn is None:
            self._set(shareOutcome="no share: this migration shared nothing through RAM")
            return True
        if self.m.record.share_created:
            return self._delete_share()
        return self._remove_principals()

    def _delete_share(self) -> bool:
        owner, arn = self.m.owner(), self.m.share_arn
        share = ram.find_share(owner, arn=arn)
        if share is None:
            self._set(shareOutcome=f"share {arn} (created by this migration) no longer exists")
            return True
        if share["status"] == "ACTIVE":
            others = [a["associatedEntity"] for a in ram.associations(owner, arn, "RESOURCE") if a["status"] in LIVE]
            if others:
                self._set(
                    shareOutcome=f"share {arn} (created by this migration) kept: it holds {len(others)} resources "
                    f"this migration did not add, e.g. {', '.join(others[:3])}"
                )
                return True
            ram.delete_share(owner, arn, token(self.m.id, "delete-share", self.run.execution_name))
            return False
        leaving = [a for a in ram.associations(owner, arn, "PRINCIPAL") if a["status"] == "DISASSOCIATING"]
        if leaving:
            return self._wait_or_give_up([a["associatedEntity"] for a in leaving])
        self._set(shareOutcome=f"share {arn} (created by this migration) is deleted")
        return True

    def _remove_principals(self) -> bool:
        owner, arn = self.m.owner(), self.m.share_arn
        added = [
            item.name
            for item in self.m.ledger.added_items(self.m.id)
            if item.kind is AddedKind.PRINCIPAL and item.detail == arn
        ]
        associations = list(ram.associations(owner, arn, "PRINCIPAL"))
        ours = [a for a in associations if any(matches_principal(a["associatedEntity"], p) for p in added)]
        live = [a["associatedEntity"] for a in ours if a["status"] in LIVE]
        if live:
            ram.disassociate_principals(owner, arn, live, token(self.m.id, "principals", self.run.execution_name))
            self._set(principalsRemoved=sorted(set(self.run.principals_removed) | set(live)))
            return False
        leaving = [a["associatedEntity"] for a in ours if a["status"] == "DISASSOCIATING"]
        if leaving or not self._policies_settled(added):
            return self._wait_or_give_up(leaving or ["policy rewrites"])
        if added:
            removed = ", ".join(self.run.principals_removed) or "none was still there"
            outcome = (
                f"share {arn} existed before this migration: kept; the principals it added are removed ({removed})"
            )
        else:
            outcome = f"share {arn} existed before this migration: kept; it added no principal to it"
        self._set(shareOutcome=outcome)
        return True

    def _policies_settled(self, removed: list[str]) -> bool:
        """Removing principals makes RAM rewrite every policy left in the share; once no statement beyond the
        one before grants a removed principal, each policy holds its statements from before (put back if a
        throttled rewrite emptied it)."""
        before = share_before(self.m)
        owner = self.m.owner()
        settled = True
        for arn, snapshot in before.policies.items():
            current = sms.get_policy(owner, arn)
            if lost(current, snapshot):
                sms.put_policy(owner, arn, merged(current, snapshot))
                continue
            earlier = {canonical(s) for s in statements(snapshot) or []}
            extra = [s for s in statements(current) or [] if canonical(s) not in earlier]
            if any(grants(s, p, action) for s in extra for p in removed for action in READ_ACTIONS):
                settled = False
        return settled

    def _wait_or_give_up(self, waiting: list[str]) -> bool:
        if self.run.checks + 1 >= MAX_CHECKS:
            raise RollbackIncomplete(
                f"share {self.m.share_arn}: still waiting after {self.run.checks + 1} checks for "
                f"{', '.join(waiting)}; run the rollback again"
            )
        self._set(checks=self.run.checks + 1)
        return False


def undo_sharing(migration: Migration, ledger: RollbackLedger, remaining_ms: Callable[[], int]) -> bool:
    try:
        return SharingUndoer(migration, ledger, remaining_ms).advance()
    except StaleLedgerWrite:
        # Another attempt of this step got there first: the ledger is ahead, the next call continues from it.
        return False
