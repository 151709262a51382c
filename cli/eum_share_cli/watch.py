"""`eum-share watch ID`: a live view of a migration from the ledger, until it ends or waits for approval."""

from __future__ import annotations

import argparse
from typing import Any

from eum_share_cli.deployment import resolve
from eum_share_cli.follow import at_gate, follow_ledger
from eum_share_cli.invocation import command
from eum_share_cli.progress import ProgressPrinter, summary_lines


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "watch",
        help="follow a migration live until it ends",
        description="Prints a line per change of phase and a bar of the batches while identities are associated, "
        "read from the ledger, until the migration ends (exit 0 only when it succeeded) or waits for approval.",
    )
    parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
    parser.add_argument(
        "--interval", type=positive_seconds, default=2.0, metavar="SECONDS", help="seconds between reads (2)"
    )
    parser.set_defaults(run=run, online_only=True)


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("between 0 and 3600 seconds")
    return value


def run(args: argparse.Namespace) -> int:
    deployment = resolve(args.stack_name)
    watched = follow_ledger(deployment, args.migration_id, ProgressPrinter(), args.interval, say=print)
    view = watched.view
    print()
    for line in summary_lines(view, deployment.s3_uri):
        print(line)
    if at_gate(view):
        mid = view.migration_id
        print(f"waiting for approval: {command(args, 'approve', mid)} or {command(args, 'reject', mid)}")
        print(f"the plan: {command(args, 'report', mid)}")
        return 1
    if watched.lost_execution:
        print(
            f"execution {view.execution_name} ended {watched.lost_execution} without the ledger recording it; "
            f"start the same request again to continue: {command(args, 'start', '--input', 'FILE')}"
        )
        return 1
    if view.status == "SUCCEEDED":
        print(f"the report: {command(args, 'report', view.migration_id)}")
        return 0
    return 1
