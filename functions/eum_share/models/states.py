"""What the state machine passes between states: small, and never growing with the number of resources."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from eum_share.models.base import WireModel
from eum_share.models.request import Strategy


class ValidateRequestInput(WireModel):
    # The request stays untyped here so that validate_request can name every bad field in one error.
    request: Any
    execution_name: Annotated[str, Field(min_length=1, max_length=80)]


class MigrationOpened(WireModel):
    """ValidateRequest's output: what the Choice states route on, nothing that grows with the migration."""

    migration_id: str
    dry_run: bool
    strategy: Strategy
    already_complete: bool
    # Stop after planning until a person decides (requireApproval, not a dry run, not approved before).
    needs_approval: bool = False
    approval_timeout_seconds: int = 86_400
    report_key: str | None = None


class MigrationRef(WireModel):
    migration_id: Annotated[str, Field(min_length=1, max_length=80)]


class PreflightInput(MigrationRef):
    """What earlier calls of this execution's Preflight checked already (empty on the first)."""

    checked: dict[str, Any] = Field(default_factory=dict)


class PreflightProgress(MigrationRef):
    """Preflight's answer: done (with its warnings, recorded in the ledger), or checked in part and to be called
    again after `wait_seconds` with `checked`."""

    done: bool
    warnings: int
    wait_seconds: int
    checked: dict[str, Any]


class InventoryInput(MigrationRef):
    """The execution's name keeps what one execution's Inventory read apart from another's: a re-run reads afresh."""

    execution: Annotated[str, Field(min_length=1, max_length=80)] | None = None
    # Whether an earlier call saved what it read (read only then: a missing object would need s3:ListBucket to tell).
    saved: bool = False


class InventoryProgress(MigrationRef):
    """Inventory's answer: done, or read in part and to be called again after `wait_seconds`."""

    done: bool
    identities: int
    wait_seconds: int
    saved: bool


class ApprovalGateInput(MigrationRef):
    """The gate's input: the task token Step Functions waits on (`$$.Task.Token`)."""

    task_token: Annotated[str, Field(min_length=1, max_length=1024, repr=False)]


class ChunkRef(MigrationRef):
    chunk: Annotated[int, Field(ge=0)]


class StateError(WireModel):
    """What a Catch with ResultPath "$.error" puts in the state input."""

    model_config = WireModel.model_config | {"alias_generator": None}

    Error: str
    Cause: str = ""

    @field_validator("Cause", mode="before")
    @classmethod
    def _no_cause_is_empty(cls, value: Any) -> Any:
        # SendTaskFailure's cause is optional; the Catch then carries a null Cause.
        return "" if value is None else value


class RecordFailureInput(WireModel):
    migration_id: Annotated[str, Field(min_length=1, max_length=80)]
    error: StateError


class FailureRecorded(WireModel):
    migration_id: str
    error: str
    cause: str
    status: str = "FAILED"


class LockTaken(WireModel):
    migration_id: str
    lock: str
    expires_at: int


class LoopInput(MigrationRef):
    """A polling state's input: how many times it has looked already."""

    checks: Annotated[int, Field(ge=0)] = 0


class LoopOutput(WireModel):
    migration_id: str
    ready: bool
    checks: int
    wait_seconds: int


class ChunkProgress(WireModel):
    migration_id: str
    chunk: int
    done: bool
    wait_seconds: int


class VerificationProgress(WireModel):
    migration_id: str
    done: bool
    repairs: int
    wait_seconds: int


class Planned(WireModel):
    migration_id: str
    identities: int
    batches: int
    # The child executions' inputs: one number per chunk of batches.
    chunks: list[int]
