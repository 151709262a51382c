"""RecordRollbackFailure: a rollback or restore that stopped on an error says why in the ledger and on the bus."""

from __future__ import annotations

from eum_share.dal import events
from eum_share.dal.rollback_ledger import RollbackLedger
from eum_share.logic.record_failure import STEP_FAILED, readable_cause
from eum_share.models.events import MigrationRollbackFailed
from eum_share.models.rollback import RollbackFailureInput, RollbackMode, RollbackStatus
from eum_share.models.states import FailureRecorded
from eum_share.settings import Settings


def record_rollback_failure(failure: RollbackFailureInput, settings: Settings) -> FailureRecorded:
    """The run that failed is marked FAILED (a rollback's migration ROLLBACK_FAILED: a new rollback continues it).
    A run that failed before it was opened changed nothing, and the ledger is left as it is."""
    error, cause = str(failure.error.get("Error", STEP_FAILED)), readable_cause(str(failure.error.get("Cause") or ""))
    if error.startswith("States."):
        error, cause = STEP_FAILED, f"{error}: {cause}"
    ledger = RollbackLedger(settings.ledger_table)
    mode = "UNKNOWN"
    for candidate in RollbackMode:
        run = ledger.rollback(failure.migration_id, candidate)
        if run is not None and run.execution_name == failure.execution_name and run.status is RollbackStatus.RUNNING:
            ledger.fail_rollback(failure.migration_id, candidate, error, cause)
            mode = candidate.value
    events.publish(
        settings.event_bus,
        settings.event_source,
        MigrationRollbackFailed(
            migration_id=failure.migration_id,
            execution_name=failure.execution_name,
            mode=mode,
            error=error,
            cause=cause,
        ),
    )
    status = "ROLLBACK_FAILED" if mode == RollbackMode.ROLLBACK.value else "FAILED"
    return FailureRecorded(migration_id=failure.migration_id, error=error, cause=cause, status=status)
