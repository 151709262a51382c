"""UndoSharing: what the migration shared, taken back as it was given, in reverse.

Identities first, one batch of at most ten at a time (RAM strategy: disassociated, waited for until
DISASSOCIATED, then verified: every statement from before the migration that the policy still held when the
rollback came is still there, else it is put back, while one removed since stays removed; RESOURCE_POLICY
strategy: the statements the migration wrote are removed). Then the share:
the migration's own share is deleted, or the principals it added to an existing share are removed. Every step is
written to the ledger before the next, reads what is there before changing it (a second rollback changes
nothing), and carries a client token of this run, so a retried step repeats the same request.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

from eum_share.dal import ram, sms
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.dal.ram import LIVE
from eum_share.dal.rollback_ledger import RollbackLedger
from eum_share.errors import RollbackIncomplete
from eum_share.logic.context import Migration, token
from eum_share.logic.policy import (
    SEND,
    canonical,
    grant_sid,
    grants,
    policy_document,
    statements,
    still_held,
    without_grants,
)
from eum_share.logic.restore import put_back_lost
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

MAX_CHECKS = 60  # polls before a disassociation still in flight stops the rollback (a new one continues it)
REWRITE_CHECKS = 12  # polls for RAM's policy rewrites after principals left, before checking what they left
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

    @cached_property
    def _share_gone(self) -> str | None:
        """How the share went, when it was deleted before the rollback reached it (by hand, or by another run): it
        holds nothing any more, and RAM may no longer know it at all."""
        share = ram.find_share(self.m.owner(), arn=self.m.share_arn)
        if share is None:
            return "is no longer known to RAM"
        if share["status"] in ("DELETING", "DELETED"):
            return f"is {share['status']}"
        return None

    def _associations(self, arns: list[str]) -> dict[str, str]:
        if self._share_gone:
            return {}  # every identity: nothing to undo
        found = ram.associations_of(self.m.owner(), self.m.share_arn, arns)
        return {arn: association["status"] for arn, association in found.items()}

    def _disassociate(self, batch: UndoBatch) -> tuple[UndoBatch, bool]:
        statuses = self._associations(batch.arns)
        live = [arn for arn in batch.arns if statuses.get(arn) in LIVE]
        # DISASSOCIATING: a call of this run went through before a crash; it is being undone already.
        undone = {arn for arn in batch.arns if statuses.get(arn) == "DISASSOCIATING"} | set(live)
        outcomes = {
            arn: UndoOutcome.DISASSOCIATED if arn in undone else UndoOutcome.NOTHING_TO_UNDO for arn in batch.arns
        }
        keep = self._what_must_stay(sorted(undone))
        status = UndoBatchStatus.DISASSOCIATING if undone else UndoBatchStatus.VERIFYING
        saved = self._save(batch, UndoBatchStatus.PLANNED, status=status, outcomes=outcomes, keep=keep)
        if live:
            self._disassociate_now(saved, live)
        return saved, bool(undone)

    def _what_must_stay(self, arns: list[str]) -> dict[str, str]:
        """Each policy's statements from before the migration, as it holds them now, before RAM rewrites it."""
        owner = self.m.owner()
        return {
            record.arn: still_held(record.snapshot, sms.get_policy(owner, record.arn))
            for record in self.m.ledger.identities(self.m.id, arns)
        }

    def _disassociate_now(self, batch: UndoBatch, arns: list[str]) -> None:
        # The same call again after a crash (same token, same resources) is answered as the first one was.
        ram.disassociate(
            self.m.owner(),
            self.m.share_arn,
            arns,
            token(self.m.id, "undo", self.run.execution_name, batch.index, *sorted(arns)),
        )

    def _poll(self, batch: UndoBatch) -> tuple[UndoBatch, bool]:
        undone = [arn for arn, outcome in batch.outcomes.items() if outcome is UndoOutcome.DISASSOCIATED]
        statuses = self._associations(undone)
        live = [arn for arn in undone if statuses.get(arn) in LIVE]
        if live:  # planned, then the function died before its call
            self._disassociate_now(batch, live)
        still = [arn for arn in undone if statuses.get(arn) == "DISASSOCIATING"] + live
        if not still:
            return self._save(batch, UndoBatchStatus.DISASSOCIATING, status=UndoBatchStatus.VERIFYING, checks=0), False
        if batch.checks + 1 >= MAX_CHECKS:
            raise RollbackIncomplete(
                f"still DISASSOCIATING after {batch.checks + 1} checks: {', '.join(still)}; run the rollback again"
            )
        return self._save(batch, UndoBatchStatus.DISASSOCIATING, checks=batch.checks + 1), True

    def _verify(self, batch: UndoBatch) -> UndoBatch:
        """Gone from the share, and each policy still holds the statements from before the migration it held when
        the rollback came (a throttled RAM write can empty it while removing the share's statements)."""
        statuses = self._associations(batch.arns)
        back = [arn for arn in batch.arns if statuses.get(arn) in LIVE]
        if back:
            raise RollbackIncomplete(f"associated with {self.m.share_arn} again: {', '.join(back)}")
        return self._save(
            batch, UndoBatchStatus.VERIFYING, status=UndoBatchStatus.DONE, restored=self._put_back(batch.keep)
        )

    def _put_back(self, keep: dict[str, str]) -> list[str]:
        owner = self.m.owner()
        return [arn for arn, kept in keep.items() if put_back_lost(owner, arn, kept)]

    def _revoke(self, batch: UndoBatch) -> UndoBatch:
        """RESOURCE_POLICY: the statements this migration wrote go, everything else stays; a policy left with no
        statement is deleted (the migration wrote it where there was none, or what was there is gone since)."""
        owner, sid = self.m.owner(), grant_sid(self.m.id)
        outcomes: dict[str, UndoOutcome] = {}
        for arn in batch.arns:
            current = sms.get_policy(owner, arn)
            wanted = without_grants(current, sid)
            ours = len(statements(current) or []) - len(wanted)
            outcomes[arn] = UndoOutcome.REVOKED if ours else UndoOutcome.NOTHING_TO_UNDO
            if not ours:
                continue
            if wanted:
                sms.put_policy(owner, arn, policy_document(wanted))
            else:
                sms.delete_policy(owner, arn)
            after = sms.get_policy(owner, arn)
            if len(without_grants(after, sid)) != len(statements(after) or []):
                raise RollbackIncomplete(f"{arn}: statements this migration wrote are still there: {after}")
        return self._save(batch, UndoBatchStatus.PLANNED, status=UndoBatchStatus.DONE, outcomes=outcomes)

    # -- the share -----------------------------------------------------------------------------------------
    def _undo_share(self) -> bool:
        if self.strategy is Strategy.RESOURCE_POLICY or self.m.record.share_arn is None:
            self._set(shareOutcome="no share: this migration shared nothing through RAM")
            return True
        if self.m.record.share_created:
            return self._delete_share()
        if self._share_gone:
            self._set(
                shareOutcome=f"share {self.m.share_arn} (existed before this migration) {self._share_gone}: it was "
                "deleted before the rollback reached it: nothing left in it to undo"
            )
            return True
        return self._remove_principals()

    def _delete_share(self) -> bool:
        owner, arn = self.m.owner(), self.m.share_arn
        share = ram.find_share(owner, arn=arn)
        if share is None:
            self._set(shareOutcome=f"share {arn} (created by this migration) no longer exists")
            return True
        if share["status"] == "ACTIVE":
            others = ram.live_entities(owner, arn, "RESOURCE")
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
            if not self.run.keep:
                keep = {
                    resource: still_held(snapshot, sms.get_policy(owner, resource))
                    for resource, snapshot in share_before(self.m).policies.items()
                }
                self._set(keep=keep)
            self._set(principalsRemoved=sorted(set(self.run.principals_removed) | set(live)))
            ram.disassociate_principals(
                owner, arn, live, token(self.m.id, "principals", self.run.execution_name, *sorted(live))
            )
            return False
        leaving = [a["associatedEntity"] for a in ours if a["status"] == "DISASSOCIATING"]
        if leaving:
            return self._wait_or_give_up(leaving)
        if not self._policies_settled(added) and self.run.checks < REWRITE_CHECKS:
            # RAM's rewrites may still be on their way; a grant that stays is another share's or someone's own.
            self._set(checks=self.run.checks + 1)
            return False
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
        """Removing principals makes RAM rewrite every policy left in the share: True once none grants a removed
        principal beyond what it held before the migration. Each policy is made to hold the statements from before
        the migration that it still held when the rollback came (put back if a throttled rewrite emptied it)."""
        owner = self.m.owner()
        self._put_back(self.run.keep)
        for resource, snapshot in share_before(self.m).policies.items():
            earlier = {canonical(s) for s in statements(snapshot) or []}
            extra = [s for s in statements(sms.get_policy(owner, resource)) or [] if canonical(s) not in earlier]
            if any(grants(s, p, action) for s in extra for p in removed for action in READ_ACTIONS):
                return False
        return True

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
