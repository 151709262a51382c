"""Open (or reopen) a migration in the ledger once its request is valid."""

from __future__ import annotations

import hashlib

from eum_share.dal import artifacts, events
from eum_share.dal.ledger import Ledger
from eum_share.errors import InvalidRequest
from eum_share.logic.context import REQUEST
from eum_share.models.events import MigrationStarted
from eum_share.models.ledger import ROLLED, Decision, MigrationRecord, MigrationStatus
from eum_share.models.request import MigrationRequest
from eum_share.models.states import MigrationOpened
from eum_share.settings import Settings


def request_hash(request: MigrationRequest) -> str:
    return hashlib.sha256(request.model_dump_json(by_alias=True).encode()).hexdigest()


def open_migration(request: MigrationRequest, execution_name: str, settings: Settings) -> MigrationOpened:
    """A new migration, or the same one again: a re-run continues where the last one stopped, and a
    finished one is reported as already complete without touching any account."""
    assert request.migration_id is not None
    ledger = Ledger(settings.ledger_table)
    record = ledger.begin(
        MigrationRecord(
            migration_id=request.migration_id,
            request_hash=request_hash(request),
            execution_name=execution_name,
            dry_run=request.options.dry_run,
            records_changes=True,
        )
    )
    if record.status in ROLLED:
        # Its ledger no longer says what is shared: a new migration starts from what is there now.
        raise InvalidRequest(
            [
                f"migrationId: migration {record.migration_id} is {record.status.value}; "
                "give a new migrationId to migrate again"
            ]
        )
    opened = MigrationOpened(
        migration_id=record.migration_id,
        dry_run=request.options.dry_run,
        strategy=request.options.strategy,
        already_complete=record.status is MigrationStatus.SUCCEEDED,
        # A re-run of an approved migration does not ask again; a rejected or expired one does.
        needs_approval=approval_needed(request, settings.approval_required)
        and not request.options.dry_run
        and not (record.approval is not None and record.approval.decision is Decision.APPROVED),
        approval_timeout_seconds=request.options.approval_timeout_seconds,
        report_key=record.report_key,
    )
    if opened.already_complete:
        return opened
    artifacts.put_model(settings.artifact_bucket, artifacts.key(record.migration_id, REQUEST), request)
    ledger.update_migration(record.migration_id, status=MigrationStatus.RUNNING.value, executionName=execution_name)
    events.publish(
        settings.event_bus,
        settings.event_source,
        MigrationStarted(migration_id=record.migration_id, execution_name=execution_name, dry_run=opened.dry_run),
    )
    return opened


def approval_needed(request: MigrationRequest, required: str) -> bool:
    """The stack's rule (ApprovalRequired) or the request's own wish. A share that allows external principals may
    reach accounts outside the organization: RAM's allowExternalPrincipals "lets you share with individual Amazon
    Web Services accounts that are not in your organization"."""
    if required == "ALWAYS":
        return True
    if required == "EXTERNAL_PRINCIPALS" and request.share.allow_external_principals:
        return True
    return request.options.require_approval
