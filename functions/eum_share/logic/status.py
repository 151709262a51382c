"""A migration's progress from the ledger: what the status API, `eum-share status` and `watch` show."""

from __future__ import annotations

from eum_share.dal.ledger import Ledger
from eum_share.errors import MigrationNotFound
from eum_share.models.doors import MigrationView
from eum_share.models.ledger import FINAL_STATUSES, MigrationStatus


def migration_view(ledger: Ledger, migration_id: str) -> MigrationView:
    record = ledger.migration(migration_id)
    if record is None:
        raise MigrationNotFound(f"no migration {migration_id!r} in the ledger")
    counts = ledger.status_counts(migration_id) if record.planned else {}
    finished = sum(n for status, n in counts.items() if status in FINAL_STATUSES)
    if record.status is MigrationStatus.SUCCEEDED:
        percent = 100.0
    else:
        percent = round(100.0 * finished / record.identities, 1) if record.identities else 0.0
    return MigrationView(
        migration_id=record.migration_id,
        status=record.status.value,
        phase=record.phase.value,
        execution_name=record.execution_name,
        dry_run=record.dry_run,
        identities=record.identities,
        counts=counts,
        percent_done=percent,
        batches=record.batches,
        batches_done=record.batches_done,
        share_arn=record.share_arn,
        approval=record.approval,
        plan_report_key=record.plan_report_key,
        report_key=record.report_key,
        markdown_key=record.markdown_key,
        error=record.error,
        cause=record.cause,
        created_at=record.created_at,
        updated_at=record.updated_at,
        finished_at=record.finished_at,
    )
