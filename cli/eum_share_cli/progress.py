"""A migration's progress on a terminal, drawn from the ledger's view of it (eum_share.logic.status)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from eum_share.models.doors import MigrationView

BAR_WIDTH = 30
ASSOCIATING = "ASSOCIATING"
AWAITING_APPROVAL = "AWAITING_APPROVAL"


def bar(done: int, total: int, width: int = BAR_WIDTH) -> str:
    filled = width * min(done, total) // max(1, total)
    return "[" + "#" * filled + "." * (width - filled) + "]"


def phase_line(view: MigrationView) -> str:
    """One line for where the migration is: batches as a bar while associating, else what the phase has."""
    if view.phase == ASSOCIATING:
        drawn = bar(view.batches_done, view.batches)
        return f"{view.phase:<17} {drawn} {view.batches_done}/{view.batches} batches verified"
    if view.phase == "PLANNED":
        return f"{view.phase:<17} {view.identities} identities in {view.batches} batches"
    if view.phase == "SHARING" and view.share_arn:
        return f"{view.phase:<17} {view.share_arn}"
    if view.status == AWAITING_APPROVAL:
        # An approval sets the migration RUNNING again; a rejection leaves it here until the workflow ends it.
        if view.approval is None:
            return f"{view.phase:<17} waiting for a decision"
        return f"{view.phase:<17} rejected by {view.approval.approver}; ending with nothing changed"
    return f"{view.phase:<17} {view.status.lower()}"


def counts_text(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none planned yet"


def summary_lines(view: MigrationView, s3_uri: Callable[[str], str]) -> list[str]:
    """What `status` prints, and `watch` at the end: state, counts, approval, where the reports are, why it failed."""
    lines = [
        f"migration {view.migration_id}: {view.status} (phase {view.phase})" + (" - a dry run" if view.dry_run else ""),
        f"execution {view.execution_name}",
        f"identities {view.identities}, {view.percent_done:g}% done: {counts_text(view.counts)}",
        f"batches {view.batches_done}/{view.batches} done",
    ]
    if view.share_arn:
        lines.append(f"share {view.share_arn}")
    if view.approval is not None:
        decided = view.approval
        lines.append(f"approval {decided.decision.value} by {decided.approver} at {decided.decided_at}")
    if view.plan_report_key:
        lines.append(f"plan report {s3_uri(view.plan_report_key)}")
    if view.markdown_key:
        lines.append(f"report {s3_uri(view.markdown_key)}")
    if view.error:
        lines.append(f"error {view.error}: {view.cause or '(no cause given)'}")
    return lines


class ProgressPrinter:
    """Prints a line when the migration's line changes; on a terminal the batch bar is redrawn in place."""

    def __init__(
        self, stream: TextIO | None = None, *, tty: bool | None = None, prefix: Callable[[], str] = lambda: ""
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.prefix = prefix
        self._last = ""
        self._open = False  # a bar line drawn without its newline

    def show(self, view: MigrationView) -> None:
        line = phase_line(view)
        if line == self._last:
            return
        self._last = line
        if view.phase == ASSOCIATING and self.tty:
            self.stream.write(f"\r{self.prefix()}{line}")
            self._open = True
        else:
            self.close()
            self.stream.write(f"{self.prefix()}{line}\n")
        self.stream.flush()

    def close(self) -> None:
        """End a bar drawn in place, so what is printed next starts on its own line."""
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False
