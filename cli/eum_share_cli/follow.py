"""Following a migration from the ledger until it stops: it ended, it waits at its approval gate, or its
execution is gone without the ledger saying so."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eum_share.models.ledger import ENDED as ENDED_STATUSES

from eum_share_cli.deployment import Deployment
from eum_share_cli.failures import CommandFailed
from eum_share_cli.migrations import (
    describe_execution,
    execution_arn,
    find_view,
    not_found,
    running_execution_names,
)
from eum_share_cli.progress import AWAITING_APPROVAL, ProgressPrinter

if TYPE_CHECKING:
    from eum_share.models.doors import MigrationView

# By value: the ledger's view carries statuses as strings.
ENDED = frozenset(status.value for status in ENDED_STATUSES)
ROLLING_BACK = "ROLLING_BACK"
Sleep = Callable[[float], None]


def at_gate(view: MigrationView) -> bool:
    """Waiting for a person; a rejected migration still reads AWAITING_APPROVAL until the workflow closes it."""
    return view.status == AWAITING_APPROVAL and view.approval is None


@dataclass(frozen=True)
class RunEnd:
    view: MigrationView | None
    execution: dict[str, Any]

    @property
    def succeeded(self) -> bool:
        return bool(self.execution["status"] == "SUCCEEDED")

    @property
    def waiting(self) -> bool:
        return self.execution["status"] == "RUNNING" and self.view is not None and at_gate(self.view)


def follow_execution(
    deployment: Deployment,
    migration_id: str,
    arn: str,
    printer: ProgressPrinter,
    interval: float,
    sleep: Sleep = time.sleep,
) -> RunEnd:
    """A run this command started: until its execution ends or stops at the gate (the ledger may not have the
    migration yet when the execution starts, and never will when the workflow refuses the request)."""
    while True:
        view = find_view(deployment, migration_id)
        if view is not None:
            printer.show(view)
        execution = describe_execution(arn)
        if execution is None:
            raise CommandFailed(f"execution {arn} is gone")
        if execution["status"] != "RUNNING" or (view is not None and at_gate(view)):
            break
        sleep(interval)
    final = find_view(deployment, migration_id)
    if final is not None:
        printer.show(final)
    printer.close()
    return RunEnd(final, execution)


@dataclass(frozen=True)
class Watched:
    view: MigrationView
    # The status of the execution the ledger names, when it ended without the ledger recording it.
    lost_execution: str | None = None


def follow_ledger(
    deployment: Deployment,
    migration_id: str,
    printer: ProgressPrinter,
    interval: float,
    say: Callable[[str], None],
    sleep: Sleep = time.sleep,
) -> Watched:
    """Any run of the migration, from whichever door started it."""
    announced: set[str] = set()
    while True:
        view = find_view(deployment, migration_id)
        state, detail = _state(deployment, migration_id, view)
        if state == "lost":
            # The ledger was read before the execution was: a run that ended in between recorded its end first.
            view = find_view(deployment, migration_id)
            state, detail = _state(deployment, migration_id, view)
        if state == "unknown":
            raise not_found(deployment, migration_id)
        if state == "starting":
            if detail not in announced:
                printer.close()
                say(f"execution {detail} is starting a run of {migration_id}; waiting for it to open the migration")
                announced.add(detail)
        elif view is not None:
            printer.show(view)
            if state in ("stopped", "lost"):
                printer.close()
                return Watched(view, lost_execution=detail or None)
        sleep(interval)


def _state(deployment: Deployment, migration_id: str, view: MigrationView | None) -> tuple[str, str]:
    """following, stopped, lost (its execution ended without a word in the ledger: the execution's status),
    starting (a newer run has not reached the ledger yet: its name) or unknown."""
    if view is not None and (at_gate(view) or view.status == ROLLING_BACK):
        # A rollback is not the migration's run: `eum-share rollback ID` follows it.
        return "stopped", ""
    lost = ""
    if view is not None and view.status not in ENDED:
        execution = describe_execution(execution_arn(deployment, view.execution_name))
        if execution is not None and execution["status"] == "RUNNING":
            return "following", ""
        lost = execution["status"] if execution is not None else "MISSING"
    # A run started moments ago has a new execution name; until its first state opens the migration, the ledger
    # has nothing yet, or still shows the run before it.
    newer = [name for name in _running_runs(deployment, migration_id) if view is None or name != view.execution_name]
    if newer:
        return "starting", newer[0]
    if view is None:
        return "unknown", ""
    return ("lost", lost) if lost else ("stopped", "")


def _running_runs(deployment: Deployment, migration_id: str) -> list[str]:
    """Running executions named as the doors name a migration's runs: the ID itself (the console's default),
    or the ID and a UTC time (`eum-share start`)."""
    stem = migration_id[:65]
    own_name = re.compile(rf"{re.escape(migration_id)}|{re.escape(stem)}-\d{{14}}")
    return [name for name in running_execution_names(deployment, stem) if own_name.fullmatch(name)]
