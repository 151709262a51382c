"""What happens when any state fails: the ledger says why, and subscribers hear of it."""

from __future__ import annotations

import json

from eum_share.dal import events
from eum_share.dal.ledger import Ledger
from eum_share.models.events import (
    MigrationApprovalExpired,
    MigrationEnded,
    MigrationFailed,
    MigrationRejected,
)
from eum_share.models.ledger import MigrationStatus
from eum_share.models.states import FailureRecorded, RecordFailureInput
from eum_share.settings import Settings


def readable_cause(cause: str) -> str:
    """A Lambda error's Cause is its JSON error payload; keep only the message a person needs."""
    try:
        payload = json.loads(cause)
    except ValueError:
        return cause
    message = payload.get("errorMessage") if isinstance(payload, dict) else None
    return message if isinstance(message, str) else cause


# A Fail state may not name an error in the States namespace; such errors are reported under this name.
STEP_FAILED = "MigrationStepFailed"

# How the migration ends, by error: the ledger status and the event subscribers hear. The gate's two ways of
# ending change nothing, and say so.
ENDINGS: dict[str, tuple[MigrationStatus, type[MigrationEnded]]] = {
    "ApprovalRejected": (MigrationStatus.REJECTED, MigrationRejected),
    "ApprovalExpired": (MigrationStatus.EXPIRED, MigrationApprovalExpired),
}
FAILED = (MigrationStatus.FAILED, MigrationFailed)


def record_failure(failure: RecordFailureInput, settings: Settings) -> FailureRecorded:
    error, cause = failure.error.Error, readable_cause(failure.error.Cause)
    if error.startswith("States."):
        error, cause = STEP_FAILED, f"{error}: {cause}"
    status, announcement = ENDINGS.get(error, FAILED)
    ledger = Ledger(settings.ledger_table)
    lock = ledger.record_failure(failure.migration_id, error, cause, status.value)
    if lock is not None:
        ledger.release_share_lock(lock, failure.migration_id)
    recorded = FailureRecorded(migration_id=failure.migration_id, error=error, cause=cause, status=status.value)
    events.publish(settings.event_bus, settings.event_source, announcement.model_validate(recorded.model_dump()))
    return recorded
