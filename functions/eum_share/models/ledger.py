"""What the ledger remembers: one record per migration, per batch and per identity."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from eum_share.models.base import WireModel


class MigrationStatus(StrEnum):
    RUNNING = "RUNNING"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    # Ended at the approval gate with nothing changed: a person said no, or nobody answered in time.
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    # A rollback (statemachine/rollback.asl.json) is undoing what the migration added, has undone it, or stopped
    # on an error (a new rollback continues it).
    ROLLING_BACK = "ROLLING_BACK"
    ROLLED_BACK = "ROLLED_BACK"
    ROLLBACK_FAILED = "ROLLBACK_FAILED"


ENDED = frozenset(
    {
        MigrationStatus.SUCCEEDED,
        MigrationStatus.FAILED,
        MigrationStatus.REJECTED,
        MigrationStatus.EXPIRED,
        MigrationStatus.ROLLED_BACK,
        MigrationStatus.ROLLBACK_FAILED,
    }
)
# A migration being rolled back, or rolled back, is not run again: its ledger no longer says what is shared.
ROLLED = frozenset({MigrationStatus.ROLLING_BACK, MigrationStatus.ROLLED_BACK, MigrationStatus.ROLLBACK_FAILED})


class Decision(StrEnum):
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class ApprovalRecord(WireModel):
    """Only who decided, what, and when: the gate keeps nothing else about the approver."""

    decision: Decision
    approver: str
    decided_at: str


class Phase(StrEnum):
    VALIDATED = "VALIDATED"
    PREFLIGHT = "PREFLIGHT"
    INVENTORY = "INVENTORY"
    PLANNED = "PLANNED"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    SHARING = "SHARING"
    INVITATIONS = "INVITATIONS"
    ASSOCIATING = "ASSOCIATING"
    CONFIGURATION = "CONFIGURATION"
    VERIFYING = "VERIFYING"
    REPORTING = "REPORTING"
    DONE = "DONE"


class IdentityStatus(StrEnum):
    PLANNED = "PLANNED"
    ASSOCIATING = "ASSOCIATING"
    ASSOCIATED = "ASSOCIATED"
    REPAIRING = "REPAIRING"
    VERIFIED = "VERIFIED"
    REPAIRED = "REPAIRED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"


FINAL_STATUSES = frozenset({IdentityStatus.VERIFIED, IdentityStatus.REPAIRED, IdentityStatus.FAILED})


class BatchStatus(StrEnum):
    PLANNED = "PLANNED"
    # The associate call is about to be made with this client token; after a crash, the same call again.
    REQUESTED = "REQUESTED"
    ASSOCIATING = "ASSOCIATING"
    VERIFYING = "VERIFYING"
    DONE = "DONE"


class Repair(WireModel):
    cause: str
    at: str


class IdentityRecord(WireModel):
    arn: str
    type: str
    batch: int
    chunk: int
    # The country a DryRun probe sends to (the identity's, or a pool's members'); None: the US.
    country: str | None = None
    status: IdentityStatus = IdentityStatus.PLANNED
    # The resource policy before this migration first changed anything: "" when there was none,
    # None while not taken yet.
    snapshot: str | None = None
    attempts: int = 0
    repairs: list[Repair] = Field(default_factory=list)
    # A repair in progress: the step it is at (DISASSOCIATING, ASSOCIATING) and since when.
    repair_step: str | None = None
    visibility_checks: int = 0
    # The owner-side policy check passed since the last association; consumer visibility may still lag.
    policy_ok: bool = False
    # A DryRun send from every consumer went through since the last association (the batch loop probes each
    # batch while the next one associates); the final verification does not send again.
    probed: bool = False
    reason: str | None = None
    updated_at: str | None = None

    def to_repair(self, cause: str) -> IdentityRecord:
        """Sent back for repair: what the last association proved (policy, probes) no longer counts."""
        return self.model_copy(
            update={
                "status": IdentityStatus.REPAIRING,
                "reason": cause,
                "repair_step": None,
                "policy_ok": False,
                "probed": False,
            }
        )


class BatchRecord(WireModel):
    index: int
    chunk: int
    status: BatchStatus = BatchStatus.PLANNED
    client_token: str | None = None
    checks: int = 0
    started_at: str | None = None
    # When RAM had settled the batch's associations (the batch loop waited on RAM until then).
    associated_at: str | None = None
    finished_at: str | None = None


class ShareLock(WireModel):
    """The ledger's lock of one share: which migration (and execution) holds it, and until when (epoch seconds)."""

    key: str
    migration_id: str
    execution_name: str
    acquired_at: str
    expires_at: int


class MigrationRecord(WireModel):
    migration_id: str
    status: MigrationStatus = MigrationStatus.RUNNING
    phase: Phase = Phase.VALIDATED
    request_hash: str
    execution_name: str
    dry_run: bool = False
    share_arn: str | None = None
    share_note: str | None = None
    # The share was created by this migration (a rollback deletes it); else it existed, and what it held before
    # is in S3 (share-before.json).
    share_created: bool = False
    # The migration records what it adds (ADDED# items, share-before.json), so a rollback can undo exactly that.
    # False for a migration whose ledger predates those records: its rollback is refused.
    records_changes: bool = False
    # The key of the share lock this migration took (LockShare); released when it ends.
    share_lock: str | None = None
    # When this run must stop (epoch seconds): LockShare sets it from options.deadlineSeconds on every run.
    deadline_at: int | None = None
    planned: bool = False
    identities: int = 0
    batches: int = 0
    batches_done: int = 0
    current_batch: int | None = None
    warnings: list[str] = Field(default_factory=list)
    approval: ApprovalRecord | None = None
    # The gate's Step Functions task token while it waits; removed once a decision is sent or the gate closes.
    approval_token: str | None = Field(default=None, repr=False)
    plan_report_key: str | None = None
    report_key: str | None = None
    markdown_key: str | None = None
    error: str | None = None
    cause: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    # How long RAM took to associate the last batch, in milliseconds (its associations' creation to last
    # update): the batch loop waits that long after each associate call before it looks again.
    association_ms: int | None = None
