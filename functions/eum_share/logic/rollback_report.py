"""ReportRollback: what a rollback or restore did, JSON for machines and Markdown for people, in S3; the run closed
in the ledger (a rollback's migration ROLLED_BACK) and announced on the bus."""

from __future__ import annotations

from collections import Counter

from pydantic import Field

from eum_share.clock import isonow
from eum_share.dal import artifacts, events
from eum_share.dal.rollback_ledger import RollbackLedger
from eum_share.logic.context import Migration
from eum_share.logic.rollback_open import RESTORE_PROGRESS
from eum_share.models.base import WireModel
from eum_share.models.changes import AddedKind
from eum_share.models.events import MigrationPoliciesRestored, MigrationRolledBack
from eum_share.models.rollback import (
    RemovalOutcome,
    RemovedItem,
    RestoreProgress,
    RollbackMode,
    RollbackPhase,
    RollbackRecord,
)

ROLLBACK_JSON, ROLLBACK_MARKDOWN = "rollback/report.json", "rollback/report.md"
RESTORE_JSON, RESTORE_MARKDOWN = "restore/report.json", "restore/report.md"


def removal_key(account: str) -> str:
    return f"rollback/configuration/{account}.json"


class ConsumerRemoval(WireModel):
    account: str
    items: list[RemovedItem] = Field(default_factory=list)


class UndoLine(WireModel):
    arn: str
    type: str
    outcome: str
    restored: bool


class Invitation(WireModel):
    account: str
    invitation_arn: str


class RollbackReport(WireModel):
    migration_id: str
    execution_name: str
    outcome: str
    owner: str | None
    region: str | None
    strategy: str | None
    share: str
    principals_removed: list[str]
    invitations: list[Invitation]
    started_at: str | None
    finished_at: str
    counts: dict[str, int]
    identities: list[UndoLine]
    restored: list[str]
    configuration: dict[str, list[RemovedItem]]


class RestoreReport(WireModel):
    migration_id: str
    execution_name: str
    started_at: str | None
    finished_at: str
    restored: dict[str, list[str]]
    already_fine: list[str]
    untouched: list[str]


def publish_rollback_report(
    migration: Migration, ledger: RollbackLedger, mode: RollbackMode
) -> MigrationPoliciesRestored | MigrationRolledBack:
    run = ledger.rollback(migration.id, mode)
    assert run is not None, "OpenRollback opens the run"
    ledger.update_rollback(migration.id, mode, phase=RollbackPhase.REPORTING.value)
    bucket = migration.settings.artifact_bucket
    if mode is RollbackMode.RESTORE:
        json_key, markdown_key = migration.key(RESTORE_JSON), migration.key(RESTORE_MARKDOWN)
        restore = _restore_report(migration, run)
        artifacts.put_model(bucket, json_key, restore)
        artifacts.put_text(bucket, markdown_key, render_restore(restore), "text/markdown")
        announced: MigrationPoliciesRestored | MigrationRolledBack = MigrationPoliciesRestored(
            migration_id=migration.id,
            execution_name=run.execution_name,
            restored=len(restore.restored),
            already_fine=len(restore.already_fine),
            untouched=len(restore.untouched),
            report_key=json_key,
            markdown_key=markdown_key,
        )
    else:
        json_key, markdown_key = migration.key(ROLLBACK_JSON), migration.key(ROLLBACK_MARKDOWN)
        report = _rollback_report(migration, ledger, run)
        artifacts.put_model(bucket, json_key, report)
        artifacts.put_text(bucket, markdown_key, render_rollback(report), "text/markdown")
        removed = Counter(item.outcome.value for items in report.configuration.values() for item in items)
        announced = MigrationRolledBack(
            migration_id=migration.id,
            execution_name=run.execution_name,
            identities=report.counts,
            restored=len(report.restored),
            share=report.share,
            configuration=dict(removed),
            report_key=json_key,
            markdown_key=markdown_key,
        )
    ledger.close_rollback(migration.id, mode, json_key, markdown_key)
    events.publish(migration.settings.event_bus, migration.settings.event_source, announced)
    return announced


def _rollback_report(migration: Migration, ledger: RollbackLedger, run: RollbackRecord) -> RollbackReport:
    bucket = migration.settings.artifact_bucket
    batches = ledger.undo_batches(migration.id)
    arns = [arn for batch in batches for arn in batch.arns]
    types = {record.arn: record.type for record in ledger.identities(migration.id, arns)}
    lines = [
        UndoLine(arn=arn, type=types.get(arn, ""), outcome=batch.outcomes[arn].value, restored=arn in batch.restored)
        for batch in batches
        for arn in batch.arns
        if arn in batch.outcomes
    ]
    added = ledger.added_items(migration.id)
    accounts = sorted({i.account for i in added if i.kind not in (AddedKind.PRINCIPAL, AddedKind.INVITATION)})
    configuration = {
        account: artifacts.get_model(bucket, migration.key(removal_key(account)), ConsumerRemoval).items
        for account in accounts
    }
    request = migration.request if migration.record.planned else None
    return RollbackReport(
        migration_id=migration.id,
        execution_name=run.execution_name,
        outcome="ROLLED_BACK",
        owner=request.owner.account_id if request else None,
        region=request.region if request else None,
        strategy=request.options.strategy.value if request else None,
        share=run.share_outcome or "no share",
        principals_removed=run.principals_removed,
        invitations=[
            Invitation(account=i.account, invitation_arn=i.name) for i in added if i.kind is AddedKind.INVITATION
        ],
        started_at=run.started_at,
        finished_at=isonow(),
        counts=dict(Counter(line.outcome for line in lines)),
        identities=lines,
        restored=[line.arn for line in lines if line.restored],
        configuration=configuration,
    )


def _restore_report(migration: Migration, run: RollbackRecord) -> RestoreReport:
    progress = artifacts.get_model(migration.settings.artifact_bucket, migration.key(RESTORE_PROGRESS), RestoreProgress)
    return RestoreReport(
        migration_id=migration.id,
        execution_name=run.execution_name,
        started_at=run.started_at,
        finished_at=isonow(),
        restored=progress.restored,
        already_fine=progress.already_fine,
        untouched=progress.untouched,
    )


def render_rollback(report: RollbackReport) -> str:
    lines = [
        f"# Rollback of migration {report.migration_id}: {report.outcome}",
        "",
        f"- Owner account {report.owner or '(unknown)'} in {report.region or '(unknown)'}; "
        f"strategy {report.strategy or '(unknown)'}; execution {report.execution_name}",
        f"- Share: {report.share}",
        f"- Started {report.started_at}, finished {report.finished_at}",
        "",
        "## Identities",
        "",
    ]
    if report.counts:
        lines += ["| outcome | count |", "|---|---|"]
        lines += [f"| {outcome} | {count} |" for outcome, count in sorted(report.counts.items())]
    else:
        lines.append("- none: the migration had shared no identity")
    if report.restored:
        lines += ["", "### Statements from before the migration put back", ""]
        lines += [f"- {arn}" for arn in report.restored]
    if report.invitations:
        lines += ["", "## Invitations the migration accepted (undone with the share or its principal)", ""]
        lines += [f"- {i.account}: {i.invitation_arn}" for i in report.invitations]
    lines += ["", "## Configuration in consuming accounts", ""]
    if not report.configuration:
        lines.append("- none: the migration created nothing in the consuming accounts")
    for account, items in sorted(report.configuration.items()):
        counts = Counter(item.outcome.value for item in items)
        lines.append(f"- {account}: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))
    kept = [(a, i) for a, items in report.configuration.items() for i in items if i.outcome is RemovalOutcome.KEPT]
    if kept:
        lines += ["", "### Kept (something else uses it)", ""]
        lines += [f"- {account} {item.kind.value} {item.name}: {item.detail}" for account, item in kept]
    return "\n".join(lines) + "\n"


def render_restore(report: RestoreReport) -> str:
    lines = [
        f"# Restore of migration {report.migration_id}'s resource policies",
        "",
        f"- Execution {report.execution_name}; started {report.started_at}, finished {report.finished_at}",
        f"- {len(report.restored)} restored, {len(report.already_fine)} already fine, "
        f"{len(report.untouched)} never changed by the migration",
        "- A restore puts back what each policy held before the migration; the statements RAM writes for the "
        "share are RAM's, written again when an identity is associated again (a migration's repair).",
    ]
    if report.restored:
        lines += ["", "## Restored (statements from before the migration put back)", ""]
        lines += [f"- {arn}: {', '.join(sids)}" for arn, sids in sorted(report.restored.items())]
    if report.already_fine:
        lines += ["", "## Already fine", ""] + [f"- {arn}" for arn in report.already_fine]
    return "\n".join(lines) + "\n"
