"""What the doors (ticket webhook, EventBridge, CLI) take and answer, besides the MigrationRequest itself."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.utilities.parser.models import EventBridgeModel
from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.ledger import ApprovalRecord, Decision
from eum_share.models.rollback import RollbackMode

# Ticket keys such as MIG-42 or CHG0030001; they name the execution and the migration, so Step Functions'
# and the ledger's character rules both apply.
TICKET_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
# Who decided, as the ticket system or the caller's identity names them: an e-mail, a user name, an IAM ARN.
# No control characters: the name goes into logs, the ledger and the report as it is.
APPROVER = r"^[^\x00-\x1f\x7f]+$"


class BusEvent(EventBridgeModel):
    """An EventBridge event whose detail is a JSON object (every event the project sends or takes)."""

    detail: dict[str, Any]


class GenericTicket(WireModel):
    """The documented generic ticket body: the ticket's key and the migration request it carries."""

    ticket_id: Annotated[str, Field(pattern=TICKET_ID)]
    request: dict[str, Any]


class ApprovalDecision(WireModel):
    """A decision at the approval gate, from the HTTP API or an EventBridge event."""

    approver: Annotated[str, Field(min_length=1, max_length=256, pattern=APPROVER)]


class ApprovalDecidedEvent(ApprovalDecision):
    """detail of an "SMS Migration Approval Decided" event."""

    migration_id: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]
    decision: Decision


class HttpDecision(WireModel):
    """The body of an HTTP approve or reject. Who decided is not taken from it: the IAM principal API Gateway
    authorized, or the holder of the approvals key, `approver` saying only for whom."""

    migration_id: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")]
    decision: Decision
    approver: Annotated[str, Field(min_length=1, max_length=200, pattern=APPROVER)] | None = None


class StartedMigration(WireModel):
    migration_id: str
    execution_name: str
    execution_arn: str
    # True when this delivery found the execution an earlier delivery started (a retry or a duplicate).
    already_started: bool
    status_path: str


class StartedRollback(WireModel):
    migration_id: str
    mode: RollbackMode
    execution_arn: str


class MigrationView(WireModel):
    """A migration's progress as the status API, the CLI and a ticket see it, read from the ledger."""

    migration_id: str
    status: str
    phase: str
    execution_name: str
    dry_run: bool
    identities: int
    counts: dict[str, int]
    percent_done: float
    batches: int
    batches_done: int
    share_arn: str | None = None
    approval: ApprovalRecord | None = None
    plan_report_key: str | None = None
    report_key: str | None = None
    markdown_key: str | None = None
    error: str | None = None
    cause: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
