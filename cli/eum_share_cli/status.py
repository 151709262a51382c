"""`eum-share status ID`: where a migration is, from the ledger."""

from __future__ import annotations

import argparse
import json
from typing import Any

from eum_share_cli.deployment import resolve
from eum_share_cli.follow import at_gate
from eum_share_cli.invocation import command
from eum_share_cli.migrations import read_view
from eum_share_cli.progress import summary_lines


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "status",
        help="show a migration's status, progress and reports",
        description="Shows a migration's status and phase, identities per status, percent done, batches, the "
        "approval, where its reports are in S3, and the error when it failed.",
    )
    parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
    parser.add_argument("--json", action="store_true", help="print the status as one JSON object")
    parser.set_defaults(run=run, online_only=True)


def run(args: argparse.Namespace) -> int:
    deployment = resolve(args.stack_name)
    view = read_view(deployment, args.migration_id)
    if args.json:
        document = view.model_dump(mode="json", by_alias=True)
        for field, key in (("reportUri", view.markdown_key), ("planReportUri", view.plan_report_key)):
            document[field] = deployment.s3_uri(key) if key else None
        print(json.dumps(document))
        return 0
    for line in summary_lines(view, deployment.s3_uri):
        print(line)
    if at_gate(view):
        mid = view.migration_id
        print(f"decide with: {command(args, 'approve', mid)} | {command(args, 'reject', mid)}")
    return 0
