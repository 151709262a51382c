"""`eum-share report ID`: the migration's Markdown report from S3; before the end, its plan report if it has one.
With `--html`, report.html and the consumers' handoffs written to a local folder instead."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eum_share_cli.deployment import Deployment, resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.follow import ENDED, RunEnd
from eum_share_cli.invocation import command
from eum_share_cli.migrations import read_artifact, read_view
from eum_share_cli.progress import counts_text

if TYPE_CHECKING:
    from eum_share.models.doors import MigrationView


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "report",
        help="print a migration's Markdown report",
        description="Prints the migration's Markdown report from the stack's artifact bucket. Before the migration "
        "ends, prints its plan report if it was planned for approval, and says so.",
    )
    parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
    parser.add_argument(
        "--html",
        nargs="?",
        const="",
        metavar="DIR",
        help="write report.html, with each consuming account's handoff beside it as the page links it, into DIR "
        "(default out/ID) instead of printing the Markdown report",
    )
    parser.set_defaults(run=run, online_only=True)


def run(args: argparse.Namespace) -> int:
    deployment = resolve(args.stack_name)
    view = read_view(deployment, args.migration_id)
    if not (view.markdown_key or view.plan_report_key):
        raise CommandFailed(_no_report(view, command(args, "watch", view.migration_id)))
    if args.html is not None:
        if not view.markdown_key:
            raise CommandFailed(
                f"no report.html yet: migration {view.migration_id} is {view.status}; it is written when the "
                f"migration ends (its plan report: {command(args, 'report', view.migration_id)})"
            )
        folder = Path(args.html) if args.html else OUT / view.migration_id
        pages = save_pages(lambda key: _artifact(deployment, key), view.migration_id, folder)
        for line in pages.lines():
            print(line)
        return 0
    print_report(deployment, view)
    return 0


OUT = Path("out")


@dataclass(frozen=True)
class SavedPages:
    """Where report.html and each consumer's Markdown handoff were written, and their keys in S3."""

    html: Path
    html_key: str
    handoffs: dict[str, Path | None]  # None: the migration wrote no handoff for the consumer
    handoff_keys: dict[str, str]

    def lines(self) -> list[str]:
        found = [f"report.html: {self.html} (in S3 under {self.html_key})"]
        for account, path in self.handoffs.items():
            key = self.handoff_keys[account]
            found.append(
                f"handoff for {account}: " + (f"{path} (in S3 under {key})" if path else f"none in S3 under {key}")
            )
        return found


def save_pages(read: Callable[[str], str | None], migration_id: str, folder: Path) -> SavedPages:
    """report.html and each consumer's handoff (Markdown, CSV, JSON), from the migration's folder in S3 into
    `folder` at the same relative paths, so that the page's links open them. `read` answers None for a key
    that is not there."""
    from eum_share.dal.artifacts import key
    from eum_share.logic.report import REPORT_HTML, REPORT_JSON
    from eum_share.logic.report_html import handoff_names

    html = read(key(migration_id, REPORT_HTML))
    if html is None:
        raise CommandFailed(
            f"migration {migration_id} has no {REPORT_HTML} (reported before the page existed); "
            f"its Markdown report: eum-share report {migration_id}"
        )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / REPORT_HTML).write_text(html)
    report = json.loads(read(key(migration_id, REPORT_JSON)) or "{}")
    handoffs: dict[str, Path | None] = {}
    handoff_keys: dict[str, str] = {}
    for consumer in report.get("consumers", []):
        account = consumer["account"]
        handoffs[account] = None
        for name in handoff_names(account):
            if name.endswith(".md"):
                handoff_keys[account] = key(migration_id, name)
            text = read(key(migration_id, name))
            if text is None:
                continue
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text)
            if name.endswith(".md"):
                handoffs[account] = folder / name
    return SavedPages(folder / REPORT_HTML, key(migration_id, REPORT_HTML), handoffs, handoff_keys)


def _artifact(deployment: Deployment, object_key: str) -> str | None:
    from eum_share.dal.artifacts import exists

    return read_artifact(deployment, object_key) if exists(deployment.artifact_bucket, object_key) else None


def print_report(deployment: Deployment, view: MigrationView) -> None:
    """The final report; else the plan report, introduced by what it is. Nothing when there is neither."""
    if view.markdown_key:
        _print_text(read_artifact(deployment, view.markdown_key))
    elif view.plan_report_key:
        if view.status in ENDED:
            when = f"migration {view.migration_id} ended {view.status} with nothing changed; this is its plan"
        else:
            when = f"migration {view.migration_id} is {view.status}; the final report comes when it ends"
        print(f"plan report ({when}):")
        print()
        _print_text(read_artifact(deployment, view.plan_report_key))


def print_outcome(deployment: Deployment, end: RunEnd, *, plan_shown: bool = False) -> int:
    """How a run this command followed ended: its report (the plan report unless already shown), then one line;
    exit 0 only when it succeeded."""
    print()
    if end.view is not None:
        if end.view.markdown_key or not plan_shown:
            print_report(deployment, end.view)
            print()
        print(f"migration {end.view.migration_id}: {end.view.status}: {counts_text(end.view.counts)}")
    execution = end.execution
    if end.succeeded:
        return 0
    print(
        f"execution {execution['name']} ended {execution['status']}: "
        f"{execution.get('error', '(no error)')}: {execution.get('cause', '(no cause)')}"
    )
    return 1


def _no_report(view: MigrationView, watch: str) -> str:
    if view.status in ENDED:
        return f"no report: migration {view.migration_id} ended {view.status}: {view.error}: {view.cause}"
    return f"no report yet: migration {view.migration_id} is {view.status} (phase {view.phase}); follow it: {watch}"


def _print_text(text: str) -> None:
    print(text, end="" if text.endswith("\n") else "\n")
