"""The workflow's events on the project's bus (source "eum-share"), one model per detail-type.

Other teams subscribe to these; docs/events.md shows each detail's JSON Schema, generated from these models.
"""

from __future__ import annotations

from typing import ClassVar

from eum_share.models.base import WireModel


class EventDetail(WireModel):
    DETAIL_TYPE: ClassVar[str]


class MigrationStarted(EventDetail):
    """A migration's request validated and its ledger opened (also on a re-run that continues it)."""

    DETAIL_TYPE = "MigrationStarted"
    migration_id: str
    execution_name: str
    dry_run: bool


class BatchCompleted(EventDetail):
    """One batch of at most ten identities associated and verified from both sides."""

    DETAIL_TYPE = "BatchCompleted"
    migration_id: str
    batch: int
    of: int
    counts: dict[str, int]


class MigrationAwaitingApproval(EventDetail):
    """A gated migration planned, nothing changed; it waits for approve or reject until the timeout."""

    DETAIL_TYPE = "MigrationAwaitingApproval"
    migration_id: str
    execution_name: str
    identities: int
    identities_by_type: dict[str, int]
    batches: int
    consumers: list[str]
    principals: list[str]
    share: str
    plan_report_key: str
    timeout_seconds: int
    decide_with: dict[str, str]


class MigrationSucceeded(EventDetail):
    """The migration ended with its report (outcome SUCCEEDED, COMPLETED_WITH_FAILURES or DRY_RUN)."""

    DETAIL_TYPE = "MigrationSucceeded"
    migration_id: str
    outcome: str
    counts: dict[str, int]
    failed: int
    repairs: int
    report_key: str
    markdown_key: str


class MigrationEnded(EventDetail):
    migration_id: str
    error: str
    cause: str
    status: str


class MigrationFailed(MigrationEnded):
    """A state failed after every retry; the ledger keeps what was done, and a re-run continues from there."""

    DETAIL_TYPE = "MigrationFailed"


class MigrationRejected(MigrationEnded):
    """A person rejected the migration at its approval gate; nothing was changed."""

    DETAIL_TYPE = "MigrationRejected"


class MigrationApprovalExpired(MigrationEnded):
    """Nobody decided before the gate's timeout; nothing was changed."""

    DETAIL_TYPE = "MigrationApprovalExpired"


class MigrationRequestRefused(EventDetail):
    """An event at the EventBridge door that could not start or steer a migration, with every reason."""

    DETAIL_TYPE = "MigrationRequestRefused"
    event_id: str
    detail_type: str
    problems: list[str]


class MigrationRolledBack(EventDetail):
    """A rollback undid what the migration added (statemachine/rollback.asl.json); the report says item by item."""

    DETAIL_TYPE = "MigrationRolledBack"
    migration_id: str
    execution_name: str
    # Identities by what the rollback did: DISASSOCIATED, REVOKED, NOTHING_TO_UNDO.
    identities: dict[str, int]
    # Statements from before the migration that had gone missing and were put back.
    restored: int
    share: str
    # The consumers' configuration the migration added, by what the rollback did: REMOVED, ALREADY_GONE, KEPT.
    configuration: dict[str, int]
    report_key: str
    markdown_key: str


class MigrationPoliciesRestored(EventDetail):
    """A restore put back the resource policy statements that existed before the migration and had gone missing."""

    DETAIL_TYPE = "MigrationPoliciesRestored"
    migration_id: str
    execution_name: str
    restored: int
    already_fine: int
    untouched: int
    report_key: str
    markdown_key: str


class MigrationRollbackFailed(EventDetail):
    """A rollback or restore stopped on an error; a new one continues it (each of its steps is safe to repeat)."""

    DETAIL_TYPE = "MigrationRollbackFailed"
    migration_id: str
    execution_name: str
    mode: str
    error: str
    cause: str


EVENTS: tuple[type[EventDetail], ...] = (
    MigrationStarted,
    BatchCompleted,
    MigrationAwaitingApproval,
    MigrationSucceeded,
    MigrationFailed,
    MigrationRejected,
    MigrationApprovalExpired,
    MigrationRequestRefused,
    MigrationRolledBack,
    MigrationPoliciesRestored,
    MigrationRollbackFailed,
)
