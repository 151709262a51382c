"""`eum-share plan --input FILE`: the request as a dry run: planned and reported, nothing changed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from eum_share_cli import offline
from eum_share_cli.deployment import resolve
from eum_share_cli.follow import follow_execution
from eum_share_cli.launch import as_dry_run, launch, new_migration_id, plan_id, read_raw, utc_now, validated
from eum_share_cli.progress import ProgressPrinter
from eum_share_cli.report import print_outcome
from eum_share_cli.watch import positive_seconds


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "plan",
        help="plan a migration request as a dry run and print its report",
        description="Runs the request with options.dryRun true under an ID of its own (<migrationId>-plan-<UTC "
        "time>, so the request's migrationId stays free for `start`), follows it to the end and prints the "
        "report: what would be shared, in which batches, and what configuration would be created. Nothing changes.",
    )
    parser.add_argument("--input", required=True, type=Path, metavar="FILE", help="the request (JSON)")
    parser.add_argument(
        "--interval", type=positive_seconds, default=2.0, metavar="SECONDS", help="seconds between reads (2)"
    )
    offline.add_options(parser, gated=False)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raw = read_raw(args.input)
    if args.offline:
        return offline.run(args, raw, dry_run=True)
    offline.refuse_offline_options(args)
    deployment = resolve(args.stack_name)
    now = utc_now()
    roles, origins = deployment.role_names, deployment.callback_origins
    # The request as written is judged first, so the fields named are the file's own.
    request = validated(
        raw, source=args.input, default_migration_id=new_migration_id(now), role_names=roles, callback_origins=origins
    )
    assert request.migration_id is not None
    planned_id = plan_id(request.migration_id, now)
    dry_run = validated(
        as_dry_run(raw, planned_id),
        source=args.input,
        default_migration_id=planned_id,
        role_names=roles,
        callback_origins=origins,
    )
    launched = launch(deployment, dry_run, planned_id)
    print(f"plan {planned_id}: a dry run of migration {request.migration_id}; nothing changes")
    print(f"execution {launched.execution_arn}")
    end = follow_execution(deployment, planned_id, launched.execution_arn, ProgressPrinter(), args.interval)
    return print_outcome(deployment, end)
