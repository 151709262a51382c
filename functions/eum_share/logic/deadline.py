"""options.deadlineSeconds: a run that cannot finish in time stops cleanly and says how far it got."""

from __future__ import annotations

from eum_share.clock import epoch
from eum_share.dal.pacing import describe_throttles, throttles_seen
from eum_share.errors import DeadlineExceeded
from eum_share.logic.context import Migration


def past_deadline(migration: Migration) -> bool:
    deadline = migration.record.deadline_at
    return deadline is not None and epoch() >= deadline


def stop_at_deadline(migration: Migration) -> None:
    """Raise DeadlineExceeded, with how far the migration got and why (the throttles AWS answered, per action),
    once its run is past its deadline."""
    if not past_deadline(migration):
        return
    record = migration.record
    request = migration.request
    throttled = throttles_seen([request.owner.account_id, *(c.account_id for c in request.consumers)])
    raise DeadlineExceeded(
        f"migration {migration.id} did not finish within options.deadlineSeconds "
        f"({migration.request.options.deadline_seconds} s): it stopped in phase {record.phase.value} with "
        f"{record.batches_done} of {record.batches} batches done; {describe_throttles(throttled)} in its accounts "
        "(counted over every migration in them, as the pacing keeps them). "
        "Nothing done is lost (the ledger keeps it) and the "
        "share lock is released. Start the same request again (or run `eum-share resume "
        f"{migration.id}`) to continue where it stopped."
    )
