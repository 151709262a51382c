"""VerifyFromConsumers: the final word, from inside every consuming account.

Each consumer lists everything shared with it (once) and sends a DryRun message with every identity it can
send with (its full ARN, its own recreated configuration set), within End User Messaging's DryRun rate.
What fails goes back to the batch loop as a repair; progress is kept in S3 so a long verification can
span several invocations.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from botocore.exceptions import ClientError
from pydantic import Field

from eum_share.dal import artifacts, sms
from eum_share.dal.accounts import Clients
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.errors import MigrationIncomplete
from eum_share.logic.context import Migration
from eum_share.logic.lock import hold_share_lock
from eum_share.models.base import WireModel
from eum_share.models.configuration import ConfigurationOutcome
from eum_share.models.inventory import Identity
from eum_share.models.ledger import FINAL_STATUSES, BatchStatus, IdentityRecord, IdentityStatus, Phase
from eum_share.models.request import Consumer, ResourceType

VERIFICATION = "verification.json"
DRY_RUN_PER_SECOND = 5  # End User Messaging's DryRun limit
ENOUGH_TIME_MS = 60_000
SAVE_EVERY = 50
MAX_PASSES = 5  # rounds of batch loop and verification before unfinished identities stop the migration
BLOCKED_BY_PROTECT = "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
# Destinations for DryRun probes: numbers reserved for fiction or testing where the country has them.
TEST_DESTINATIONS = {
    "US": "+12065550100",
    "CA": "+16135550100",
    "GB": "+447700900100",
    "AU": "+61491570156",
    "DE": "+4915510000000",
    "FR": "+33639980000",
    "IN": "+919000000000",
    "JP": "+819000000000",
    "BR": "+5511900000000",
    "SG": "+6580000000",
    "MX": "+525500000000",
    "ES": "+34600000000",
    "IT": "+393000000000",
    "NL": "+31600000000",
}
SENDERS = (ResourceType.PHONE_NUMBER, ResourceType.SENDER_ID, ResourceType.POOL)


class ConsumerProgress(WireModel):
    model_config = WireModel.model_config | {"frozen": False}

    listed: bool = False
    confirmed: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Verification(WireModel):
    model_config = WireModel.model_config | {"frozen": False}

    passes: int = 0
    consumers: dict[str, ConsumerProgress] = Field(default_factory=dict)


def configuration_outcome_key(account: str) -> str:
    return f"configuration/{account}.json"


class Pacer:
    """At most `per_second` calls a second (the Lambda sleeps between them, as it would in AWS)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second
        self.next_at = 0.0

    def wait(self) -> None:
        now = time.monotonic()
        if now < self.next_at:
            time.sleep(self.next_at - now)
        self.next_at = max(now, self.next_at) + self.interval


class ConsumerVerifier:
    def __init__(self, migration: Migration, remaining_ms: Callable[[], int]) -> None:
        self.m = migration
        self.remaining_ms = remaining_ms
        self.bucket = migration.settings.artifact_bucket
        self.inventory = migration.inventory.by_arn()
        self.pacer = Pacer(DRY_RUN_PER_SECOND)
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
        for consumer in self.m.request.consumers:
            progress = state.consumers.setdefault(consumer.account_id, ConsumerProgress())
            if not self._verify(consumer, progress, records, state):
                return False
        return True

    def _verify(
        self, consumer: Consumer, progress: ConsumerProgress, records: dict[str, IdentityRecord], state: Verification
    ) -> bool:
        clients = self.m.consumer(consumer)
        usable = [r for r in records.values() if r.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED)]
        if not progress.listed:
            kinds = {ResourceType(r.type) for r in records.values()}
            seen = {arn for kind in kinds for arn in sms.shared_with(clients, kind)}
            for record in usable:
                if record.arn not in seen:
                    self._reopen(record, f"not visible under Owner=SHARED in {consumer.account_id} at the final check")
            progress.listed = True
            self._save(state)
        confirmed = set(progress.confirmed)
        configuration_set = self._configuration_set(consumer.account_id)
        pending = [r for r in usable if r.arn not in confirmed and r.arn not in self.reopened]
        for count, record in enumerate(pending):
            if self.remaining_ms() < ENOUGH_TIME_MS:
                self._save(state)
                return False
            note = self._probe(clients, consumer, record, configuration_set)
            if note is not None:
                progress.notes.append(note)
            progress.confirmed.append(record.arn)
            if count % SAVE_EVERY == SAVE_EVERY - 1:
                self._save(state)
        self._save(state)
        return True

    def _probe(
        self, clients: Clients, consumer: Consumer, record: IdentityRecord, configuration_set: str | None
    ) -> str | None:
        """DryRun-send with the identity; None when it works, a note when only a protect rule is in the way."""
        identity = self.inventory.get(record.arn)
        if identity is None or identity.type not in SENDERS:
            return None
        destination = TEST_DESTINATIONS.get(self._country(identity) or "US", TEST_DESTINATIONS["US"])
        self.pacer.wait()
        try:
            sms.dry_run_send(clients, record.arn, destination, configuration_set)
        except ClientError as error:
            code = error.response["Error"]["Code"]
            reason = error.response.get("Reason") or ""
            if code == "ThrottlingException":
                raise
            if code == "ConflictException" and reason == BLOCKED_BY_PROTECT:
                return (
                    f"{record.arn}: DryRun to {destination} blocked by a protect configuration in {consumer.account_id}"
                )
            self._reopen(record, f"DryRun send from {consumer.account_id} failed: {code} {reason}".strip())
        return None

    def _country(self, identity: Identity) -> str | None:
        if identity.iso_country:
            return identity.iso_country
        members = [self.inventory[m] for m in identity.members if m in self.inventory]
        return next((m.iso_country for m in members if m.iso_country), None)

    def _configuration_set(self, account: str) -> str | None:
        key = self.m.key(configuration_outcome_key(account))
        if not artifacts.exists(self.bucket, key):
            return None
        return artifacts.get_model(self.bucket, key, ConfigurationOutcome).dry_run_configuration_set

    def _reopen(self, record: IdentityRecord, cause: str) -> None:
        """Back to the batch loop: the identity is repaired there, and its batch is verified again."""
        repairing = record.model_copy(
            update={"status": IdentityStatus.REPAIRING, "reason": cause, "repair_step": None, "policy_ok": False}
        )
        try:
            self.m.ledger.save_identities(self.m.id, [(repairing, record.status)])
        except StaleLedgerWrite:
            return
        self.reopened.add(record.arn)
        batch = self.m.ledger.batch(self.m.id, record.batch)
        if batch.status is BatchStatus.DONE:
            self.m.ledger.save_batch(self.m.id, batch.model_copy(update={"status": BatchStatus.VERIFYING}), "DONE")
            self.m.ledger.count_batches_done(self.m.id, -1)

    def _load(self) -> Verification:
        key = self.m.key(VERIFICATION)
        if artifacts.exists(self.bucket, key):
            return artifacts.get_model(self.bucket, key, Verification)
        return Verification()

    def _save(self, state: Verification) -> None:
        artifacts.put_model(self.bucket, self.m.key(VERIFICATION), state)


def verify_from_consumers(migration: Migration, remaining_ms: Callable[[], int]) -> tuple[bool, int]:
    """(finished, identities sent back for repair)."""
    hold_share_lock(migration)
    verifier = ConsumerVerifier(migration, remaining_ms)
    finished = verifier.run()
    return finished, len(verifier.reopened)
