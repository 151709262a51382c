"""`eum-share report ID`: the migration's Markdown report from S3; before the end, its plan report if it has one."""

from __future__ import annotations

import argparse
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
    parser.set_defaults(run=run, online_only=True)


def run(args: argparse.Namespace) -> int:
    deployment = resolve(args.stack_name)
    view = read_view(deployment, args.migration_id)
    if not (view.markdown_key or view.plan_report_key):
        raise CommandFailed(_no_report(view, command(args, "watch", view.migration_id)))
    print_report(deployment, view)
    return 0


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
