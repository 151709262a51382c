"""The live view's lines: a line per change, the batch bar redrawn in place only on a terminal."""

from __future__ import annotations

from io import StringIO
from typing import Any

from eum_share.models.doors import MigrationView
from eum_share_cli.progress import ProgressPrinter


def view(phase: str, batches_done: int = 0, **changes: Any) -> MigrationView:
    fields: dict[str, Any] = {
        "migration_id": "mig-1",
        "status": "RUNNING",
        "phase": phase,
        "execution_name": "mig-1-20260105090000",
        "dry_run": False,
        "identities": 40,
        "counts": {},
        "percent_done": 0.0,
        "batches": 4,
        "batches_done": batches_done,
    }
    return MigrationView.model_validate(fields | changes)


def shown(printer: ProgressPrinter, *views: MigrationView) -> None:
    for each in views:
        printer.show(each)
    printer.close()


def test_off_a_terminal_a_line_is_printed_only_when_it_changes() -> None:
    # Given a printer writing to a file
    stream = StringIO()
    # When the same progress is read several times
    reads = [view("PLANNED"), view("ASSOCIATING"), view("ASSOCIATING"), view("ASSOCIATING", 1)]
    shown(ProgressPrinter(stream, tty=False), *reads)
    # Then each distinct line is printed once, on its own line
    assert stream.getvalue().splitlines() == [
        "PLANNED           40 identities in 4 batches",
        "ASSOCIATING       [..............................] 0/4 batches verified",
        "ASSOCIATING       [#######.......................] 1/4 batches verified",
    ]


def test_on_a_terminal_the_batch_bar_is_redrawn_in_place() -> None:
    # Given a printer writing to a terminal
    stream = StringIO()
    # When batches are verified one after another, then the phase changes
    shown(ProgressPrinter(stream, tty=True), view("ASSOCIATING", 1), view("ASSOCIATING", 2), view("VERIFYING", 4))
    # Then the bar is rewritten with a carriage return, and the next phase starts on a new line
    assert stream.getvalue() == (
        "\rASSOCIATING       [#######.......................] 1/4 batches verified"
        "\rASSOCIATING       [###############...............] 2/4 batches verified"
        "\nVERIFYING         running\n"
    )


def test_a_rejected_migration_at_the_gate_is_not_shown_as_waiting() -> None:
    # Given a migration rejected at its gate, which the workflow has not closed yet
    decided = {"decision": "REJECTED", "approver": "ana.ops@example.com", "decidedAt": "2026-01-05T09:00:00Z"}
    stream = StringIO()
    # When it is shown
    shown(ProgressPrinter(stream, tty=False), view("AWAITING_APPROVAL", status="AWAITING_APPROVAL", approval=decided))
    # Then the line says who rejected it
    assert "rejected by ana.ops@example.com" in stream.getvalue()
