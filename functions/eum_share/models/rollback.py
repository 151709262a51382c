"""The rollback state machine (statemachine/rollback.asl.json): its request, its ledger records, what its states
pass and what it reports."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, model_validator

from eum_share.models.base import WireModel
from eum_share.models.changes import AddedKind
from eum_share.models.identifiers import IdentityArn
from eum_share.models.request import MAX_BATCH_SIZE, Strategy

MIGRATION_ID = r"^[A-Za-z0-9_-]+$"


class RollbackMode(StrEnum):
    # Undo everything the migration added.
    ROLLBACK = "ROLLBACK"
    # Put back resource policy statements that existed before the migration and are missing now; nothing else.
    RESTORE = "RESTORE"


class RollbackRequest(WireModel):
    """What every door passes: the console's input, the "SMS Migration Rollback Requested" event's detail, the CLI."""

    migration_id: Annotated[str, Field(min_length=1, max_length=80, pattern=MIGRATION_ID)]
    mode: RollbackMode = RollbackMode.ROLLBACK
    # RESTORE only: the identities to look at (full ARNs); none means every identity the migration changed.
    identities: Annotated[list[IdentityArn], Field(max_length=10_000)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _identities_only_to_restore(self) -> RollbackRequest:
        if self.identities and self.mode is not RollbackMode.RESTORE:
            raise ValueError("identities: only a RESTORE takes identities; a ROLLBACK undoes the whole migration")
        return self


class RollbackInput(WireModel):
    """OpenRollback's payload: the request as received, and where it runs."""

    request: Any
    execution_name: Annotated[str, Field(min_length=1, max_length=80)]
    state_machine_arn: Annotated[str, Field(min_length=1, max_length=2048)]


class RollbackStatus(StrEnum):
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class RollbackPhase(StrEnum):
    ASSOCIATIONS = "ASSOCIATIONS"
    PRINCIPALS = "PRINCIPALS"
    CONFIGURATION = "CONFIGURATION"
    POLICIES = "POLICIES"  # RESTORE
    REPORTING = "REPORTING"
    DONE = "DONE"


class RollbackRecord(WireModel):
    """One run of the rollback state machine in the ledger (sk ROLLBACK or RESTORE, by mode): the latest run."""

    mode: RollbackMode
    status: RollbackStatus = RollbackStatus.RUNNING
    phase: RollbackPhase = RollbackPhase.ASSOCIATIONS
    execution_name: str
    identities: list[str] = Field(default_factory=list)
    batches: int = 0
    batches_done: int = 0
    # Polls of the current wait (principals leaving the share).
    checks: int = 0
    # What happened to the share: the migration's own share deleted or kept (and why), or its principals removed.
    share_outcome: str | None = None
    principals_removed: list[str] = Field(default_factory=list)
    # The policies of what an existing share held, as they were before the rollback removed the migration's
    # principals (which makes RAM rewrite each of them): their statements from before the migration, kept.
    keep: dict[str, str] = Field(default_factory=dict)
    report_key: str | None = None
    markdown_key: str | None = None
    error: str | None = None
    cause: str | None = None
    started_at: str | None = None
    finished_at: str | None = None


class UndoBatchStatus(StrEnum):
    PLANNED = "PLANNED"
    DISASSOCIATING = "DISASSOCIATING"
    VERIFYING = "VERIFYING"
    DONE = "DONE"


class UndoOutcome(StrEnum):
    DISASSOCIATED = "DISASSOCIATED"  # the association this migration made is gone
    REVOKED = "REVOKED"  # RESOURCE_POLICY: the statements this migration wrote are gone
    NOTHING_TO_UNDO = "NOTHING_TO_UNDO"  # never associated (a crash before the call) or undone before


class UndoBatch(WireModel):
    """At most ten identities undone together, in reverse of the order they were shared (pools before members)."""

    index: int
    arns: Annotated[list[str], Field(min_length=1, max_length=MAX_BATCH_SIZE)]
    status: UndoBatchStatus = UndoBatchStatus.PLANNED
    checks: int = 0
    outcomes: dict[str, UndoOutcome] = Field(default_factory=dict)
    # Per identity, the statements from before the migration its policy still held when the rollback came (as a
    # policy, "" for none): they must be there after RAM removes the share's statements, else they are put back.
    keep: dict[str, str] = Field(default_factory=dict)
    # Identities whose statements from before the migration had gone missing and were put back.
    restored: list[str] = Field(default_factory=list)


class RollbackOpened(WireModel):
    migration_id: str
    mode: RollbackMode
    strategy: Strategy
    batches: int
    poll_seconds: int


class RollbackRef(WireModel):
    migration_id: Annotated[str, Field(min_length=1, max_length=80, pattern=MIGRATION_ID)]


class RollbackStep(RollbackRef):
    mode: RollbackMode


class RollbackProgress(WireModel):
    migration_id: str
    done: bool
    wait_seconds: int


class RollbackFailureInput(RollbackRef):
    execution_name: Annotated[str, Field(min_length=1, max_length=80)]
    # What a Catch with ResultPath "$.error" puts in the state input (Error, Cause).
    error: dict[str, Any]


class RemovalOutcome(StrEnum):
    REMOVED = "REMOVED"
    ALREADY_GONE = "ALREADY_GONE"
    # Not removed: something that is not this migration's uses it now (the detail says what).
    KEPT = "KEPT"


class RemovedItem(WireModel):
    kind: AddedKind
    name: str
    outcome: RemovalOutcome
    detail: str = ""


class ConfigurationRemoved(WireModel):
    """RemoveConfiguration's answer: how many of the items the migration added were removed, gone or kept."""

    migration_id: str
    counts: dict[str, int]


class RestoreProgress(WireModel):
    """RestorePolicies' progress in S3, so a long restore can span invocations and a retry reports truly."""

    model_config = WireModel.model_config | {"frozen": False}

    # ARN -> the Sids (or "(no Sid)") of the statements put back.
    restored: dict[str, list[str]] = Field(default_factory=dict)
    already_fine: list[str] = Field(default_factory=list)
    # Identities the migration never changed (no snapshot was taken): nothing to compare with.
    untouched: list[str] = Field(default_factory=list)
