"""VerifyFromConsumers: the final word, from inside every consuming account.

Each consumer lists everything shared with it (once) and sends a DryRun message with every identity it can
send with (its full ARN, its own recreated configuration set), within End User Messaging's DryRun rate.
An identity a consumer cannot see or may not use goes back to the batch loop as a repair; any other refusal
(its protect configuration, its China allowlisting, its spend limit, an opted-out destination...) is the
consumer's to act on and is recorded for the report, the identity staying shared. Progress is kept in S3 so
a long verification can span several invocations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from pydantic import Field

from eum_share.dal import artifacts, sms
from eum_share.dal.accounts import Clients
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.errors import MigrationIncomplete
from eum_share.logic.context import Migration
from eum_share.logic.lock import hold_share_lock
from eum_share.logic.probe import (
    SENDERS,
    Probe,
    check,
    configuration_outcome_key,
    configuration_set,
    country,
    destination,
)
from eum_share.models.base import WireModel
from eum_share.models.ledger import FINAL_STATUSES, BatchStatus, IdentityRecord, IdentityStatus, Phase
from eum_share.models.request import Consumer, ResourceType

VERIFICATION = "verification.json"
ENOUGH_TIME_MS = 60_000
SAVE_EVERY = 50
MAX_PASSES = 5  # rounds of batch loop and verification before unfinished identities stop the migration


class ConsumerProblem(WireModel):
    """A DryRun from a consumer refused for a reason no repair of the share fixes: what to do about it."""

    identity: str
    destination: str
    outcome: Probe
    problem: str
    action: str


class ConsumerProgress(WireModel):
    model_config = WireModel.model_config | {"frozen": False}

    listed: bool = False
    confirmed: list[str] = Field(default_factory=list)
    problems: list[ConsumerProblem] = Field(default_factory=list)


class Verification(WireModel):
    model_config = WireModel.model_config | {"frozen": False}

    passes: int = 0
    consumers: dict[str, ConsumerProgress] = Field(default_factory=dict)


class ConsumerVerifier:
    def __init__(self, migration: Migration, remaining_ms: Callable[[], int]) -> None:
        self.m = migration
        self.remaining_ms = remaining_ms
        self.bucket = migration.settings.artifact_bucket
        self.inventory = migration.inventory.by_arn()
        self.reopened: set[str] = set()

    def run(self) -> bool:
        """True when every consumer has been verified; repairs found are reopened in the ledger."""
        self.m.ledger.update_migration(self.m.id, phase=Phase.VERIFYING.value)
        state = self._load()
        records = {r.arn: r for r in self.m.ledger.all_identities(self.m.id)}
        unfinished = [r.arn for r in records.values() if r.status not in FINAL_STATUSES]
        if unfinished:
            # The batch loop did not finish them; send them back rather than verify around them.
            state.passes += 1
            if state.passes > MAX_PASSES:
                raise MigrationIncomplete(
                    f"{len(unfinished)} identities are still neither verified nor failed after {MAX_PASSES} passes, "
                    f"e.g. {', '.join(unfinished[:5])}"
                )
            self._save(state)
            self.reopened.update(unfinished)
            return True
        self._list_shared(state, records)
        for consumer in self.m.request.consumers:
            progress = state.consumers.setdefault(consumer.account_id, ConsumerProgress())
            if not self._verify(consumer, progress, records, state):
                return False
        return True

    def _list_shared(self, state: Verification, records: dict[str, IdentityRecord]) -> None:
        """Each consumer lists everything shared with it, once; what one of them cannot see is reopened.

        The listings (consumer x kind) take turns page by page: each account and action has a quota of its
        own, so they proceed side by side instead of one after another."""
        unlisted = [
            c
            for c in self.m.request.consumers
            if not state.consumers.setdefault(c.account_id, ConsumerProgress()).listed
        ]
        if not unlisted:
            return
        kinds = sorted({ResourceType(r.type) for r in records.values()})
        listings = [
            _labelled(consumer.account_id, sms.shared_with(self.m.consumer(consumer), kind))
            for consumer in unlisted
            for kind in kinds
        ]
        seen: dict[str, set[str]] = {c.account_id: set() for c in unlisted}
        for account, arn in _taking_turns(listings):
            seen[account].add(arn)
        usable = [r for r in records.values() if r.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED)]
        for consumer in unlisted:
            for record in usable:
                if record.arn not in seen[consumer.account_id]:
                    self._reopen(record, f"not visible under Owner=SHARED in {consumer.account_id} at the final check")
            state.consumers[consumer.account_id].listed = True
        self._save(state)

    def _verify(
        self, consumer: Consumer, progress: ConsumerProgress, records: dict[str, IdentityRecord], state: Verification
    ) -> bool:
        clients = self.m.consumer(consumer)
        usable = [r for r in records.values() if r.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED)]
        confirmed = set(progress.confirmed)
        configuration_set = self._configuration_set(consumer.account_id)
        # The batch loop already DryRun-sent with most identities from every consumer (`probed`).
        pending = [r for r in usable if r.arn not in confirmed and r.arn not in self.reopened and not r.probed]
        for count, record in enumerate(pending):
            if self.remaining_ms() < ENOUGH_TIME_MS:
                self._save(state)
                return False
            problem = self._probe(clients, consumer, record, configuration_set)
            if problem is not None:
                progress.problems.append(problem)
            if record.arn not in self.reopened:
                # One sent back for repair is sent with again after it, from this consumer too.
                progress.confirmed.append(record.arn)
            if count % SAVE_EVERY == SAVE_EVERY - 1:
                self._save(state)
        self._save(state)
        return True

    def _probe(
        self, clients: Clients, consumer: Consumer, record: IdentityRecord, configuration_set: str | None
    ) -> ConsumerProblem | None:
        """DryRun-send with the identity; None when it works or goes back for repair, else the consumer's problem."""
        identity = self.inventory.get(record.arn)
        if identity is None or identity.type not in SENDERS:
            return None
        to = destination(country(identity, self.inventory))
        verdict = check(clients, record.arn, to, configuration_set)
        if verdict.outcome is Probe.SENT:
            return None
        if verdict.outcome is Probe.REFUSED:
            self._reopen(record, f"DryRun send from {consumer.account_id} failed: {verdict.problem}")
            return None
        return ConsumerProblem(
            identity=record.arn, destination=to, outcome=verdict.outcome, problem=verdict.problem, action=verdict.action
        )

    def _configuration_set(self, account: str) -> str | None:
        return configuration_set(self.bucket, self.m.key(configuration_outcome_key(account)))

    def _reopen(self, record: IdentityRecord, cause: str) -> None:
        """Back to the batch loop: the identity is repaired there, and its batch is verified again."""
        repairing = record.to_repair(cause)
        try:
            self.m.ledger.save_identities(self.m.id, [(repairing, record.status)])
        except StaleLedgerWrite:
            return
        self.reopened.add(record.arn)
        batch = self.m.ledger.batch(self.m.id, record.batch)
        if batch.status is BatchStatus.DONE:
            self.m.ledger.lower_current_batch(self.m.id, record.batch)
            self.m.ledger.save_batch(self.m.id, batch.model_copy(update={"status": BatchStatus.VERIFYING}), "DONE")
            self.m.ledger.count_batches_done(self.m.id, -1)

    def _load(self) -> Verification:
        key = self.m.key(VERIFICATION)
        if artifacts.exists(self.bucket, key):
            return artifacts.get_model(self.bucket, key, Verification)
        return Verification()

    def _save(self, state: Verification) -> None:
        artifacts.put_model(self.bucket, self.m.key(VERIFICATION), state)


def _labelled(account: str, arns: Iterator[str]) -> Iterator[tuple[str, str]]:
    for arn in arns:
        yield account, arn


def _taking_turns(iterators: Sequence[Iterator[tuple[str, str]]]) -> Iterator[tuple[str, str]]:
    """One item of each iterator in turn, until all are exhausted."""
    active = list(iterators)
    while active:
        still = []
        for iterator in active:
            item = next(iterator, None)
            if item is not None:
                still.append(iterator)
                yield item
        active = still


def verify_from_consumers(migration: Migration, remaining_ms: Callable[[], int]) -> tuple[bool, int]:
    """(finished, identities sent back for repair)."""
    hold_share_lock(migration)
    verifier = ConsumerVerifier(migration, remaining_ms)
    finished = verifier.run()
    return finished, len(verifier.reopened)
