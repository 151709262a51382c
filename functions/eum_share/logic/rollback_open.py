"""OpenRollback: the first state of every rollback and restore. It refuses what it must (a migration still running,
one whose changes it cannot know exactly), then plans the run: which identities to undo, in which batches."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from eum_share.dal import artifacts, executions
from eum_share.dal.rollback_ledger import RollbackLedger
from eum_share.errors import InvalidRequest, MigrationNotFound, MigrationStillRunning, RollbackNotPossible
from eum_share.logic.context import PLAN, Migration
from eum_share.logic.share import share_before
from eum_share.logic.validate_request import field_path
from eum_share.models.ledger import BatchStatus, IdentityStatus, MigrationRecord, MigrationStatus
from eum_share.models.plan import Plan
from eum_share.models.request import MigrationRequest, Strategy
from eum_share.models.rollback import (
    RestoreProgress,
    RollbackInput,
    RollbackMode,
    RollbackOpened,
    RollbackPhase,
    RollbackRecord,
    RollbackRequest,
    RollbackStatus,
    UndoBatch,
)
from eum_share.settings import RollbackSettings, Settings

RESTORE_PROGRESS = "restore/progress.json"
WAITING = (MigrationStatus.RUNNING, MigrationStatus.AWAITING_APPROVAL)


def open_rollback(received: RollbackInput, settings: RollbackSettings) -> RollbackOpened:
    request = rollback_request(received.request)
    ledger = RollbackLedger(settings.ledger_table)
    record = ledger.migration(request.migration_id)
    if record is None:
        raise MigrationNotFound(f"no migration {request.migration_id!r} in the ledger; nothing was changed")
    _refuse_while_running(ledger, record, received, settings)
    if record.dry_run:
        raise RollbackNotPossible(f"migration {record.migration_id} was a dry run: it changed nothing to undo")
    if not record.records_changes:
        raise RollbackNotPossible(
            f"migration {record.migration_id} ran before migrations recorded what they add; its rollback cannot "
            "tell its changes from what existed before, so nothing is done"
        )
    migration = Migration(settings, record, ledger)
    migration_request = _request(migration)
    if request.mode is RollbackMode.RESTORE:
        _check_identities(migration, request.identities)
        artifacts.put_model(settings.artifact_bucket, migration.key(RESTORE_PROGRESS), RestoreProgress())
        batches: list[UndoBatch] = []
        phase = RollbackPhase.POLICIES
    else:
        batches = plan_undo(migration, migration_request)
        phase = RollbackPhase.ASSOCIATIONS
    run = RollbackRecord(
        mode=request.mode, phase=phase, execution_name=received.execution_name, identities=request.identities
    )
    ledger.open_rollback(record.migration_id, run, batches)
    return RollbackOpened(
        migration_id=record.migration_id,
        mode=request.mode,
        strategy=migration_request.options.strategy if migration_request else Strategy.RAM,
        batches=len(batches),
        poll_seconds=migration_request.options.poll_seconds if migration_request else 0,
    )


def load_rollback(settings: Settings, migration_id: str) -> tuple[Migration, RollbackLedger]:
    """A later state's view of the migration being rolled back, with the ledger's rollback records."""
    ledger = RollbackLedger(settings.ledger_table)
    record = ledger.migration(migration_id)
    if record is None:
        raise MigrationNotFound(f"no migration {migration_id!r} in the ledger")
    return Migration(settings, record, ledger), ledger


def rollback_request(raw: Any) -> RollbackRequest:
    """The request, or InvalidRequest naming every bad field (nothing is changed)."""
    if not isinstance(raw, dict):
        raise InvalidRequest([f"request: must be a JSON object, got {type(raw).__name__}"])
    try:
        return RollbackRequest.model_validate(raw)
    except ValidationError as error:
        raise InvalidRequest(
            [f"{field_path(e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        ) from None


def _refuse_while_running(
    ledger: RollbackLedger, record: MigrationRecord, received: RollbackInput, settings: RollbackSettings
) -> None:
    """The migration's execution, or another rollback or restore of it, still runs: two would work the same
    resources at once. A ledger that says RUNNING of an execution that ended without saying so does not count."""
    if record.status in WAITING:
        arn = executions.execution_arn(settings.migration_state_machine_arn, record.execution_name)
        running = executions.describe(arn)
        if running is not None and running.status == "RUNNING":
            raise MigrationStillRunning(
                f"migration {record.migration_id} is {record.status.value} (execution {record.execution_name}); "
                "a rollback or restore starts only once it has ended: let it finish, or stop its execution"
            )
    for mode in RollbackMode:
        other = ledger.rollback(record.migration_id, mode)
        if other is None or other.status is not RollbackStatus.RUNNING:
            continue
        if other.execution_name == received.execution_name:
            continue  # this very execution, retried
        running = executions.describe(executions.execution_arn(received.state_machine_arn, other.execution_name))
        if running is not None and running.status == "RUNNING":
            raise MigrationStillRunning(
                f"a {mode.value.lower()} of migration {record.migration_id} is running as execution "
                f"{other.execution_name}; wait for it to end"
            )


def _request(migration: Migration) -> MigrationRequest | None:
    """The migration's request; None when the migration stopped before planning (it changed nothing then)."""
    return migration.request if migration.record.planned else None


def _check_identities(migration: Migration, arns: list[str]) -> None:
    known = {record.arn for record in migration.ledger.identities(migration.id, arns)} if arns else set()
    problems = [
        f"identities[{index}]: {arn} is not an identity of migration {migration.id}"
        for index, arn in enumerate(arns)
        if arn not in known
    ]
    if problems:
        raise InvalidRequest(problems)


def plan_undo(migration: Migration, request: MigrationRequest | None) -> list[UndoBatch]:
    """Identities whose batch was started (so an associate call or a policy write may have been made), less those
    that were in the share before the migration; in reverse of the order they were shared, batch by batch, so pools
    and opt-out lists go before the members they hold; at most batchSize a batch."""
    record = migration.record
    if request is None or not record.planned:
        return []  # nothing is changed before the plan is written
    if request.options.strategy is Strategy.RAM and record.share_arn is None:
        return []  # no share yet: nothing was associated
    plan = artifacts.get_model(migration.settings.artifact_bucket, migration.key(PLAN), Plan)
    unfinished = migration.ledger.every_unfinished_batch(migration.id, 0, len(plan.batches))
    unstarted = {batch.index for batch in unfinished if batch.status is BatchStatus.PLANNED}
    moved = {r.arn for r in migration.ledger.all_identities(migration.id) if r.status is not IdentityStatus.PLANNED}
    kept = set(share_before(migration).resources) if request.options.strategy is Strategy.RAM else set()
    leaving = [
        [arn for arn in batch.arns if arn not in kept and (batch.index not in unstarted or arn in moved)]
        for batch in reversed(plan.batches)
    ]
    # Within the plan's own batches: a pool or opt-out list is planned in a later batch than all it holds, so it
    # leaves in an earlier call; batches made anew from the whole list could put one in a call with its members.
    size = request.options.batch_size
    chunks = [arns[at : at + size] for arns in leaving for at in range(0, len(arns), size)]
    return [UndoBatch(index=i, arns=arns) for i, arns in enumerate(chunks)]
