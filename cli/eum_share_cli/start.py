"""`eum-share start --input FILE`: validate a migration request here, then start it on the deployed stack."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

from eum_share_cli import offline
from eum_share_cli.deployment import resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.invocation import command
from eum_share_cli.launch import Launched, execution_name, launch, new_migration_id, read_raw, utc_now, validated

EXECUTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "start",
        help="validate a migration request and start it",
        description="Validates the request as the stack's ValidateRequest would (nothing starts if a field is "
        "wrong), then starts a new execution of the migration state machine. The migrationId is the request's, "
        "else a new one; starting the same migrationId again continues where the last run stopped.",
    )
    parser.add_argument("--input", required=True, type=Path, metavar="FILE", help="the request (JSON)")
    parser.add_argument("--name", help="the execution's name (default: <migrationId>-<UTC yyyymmddHHMMSS>)")
    offline.add_options(parser, gated=True)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    raw = read_raw(args.input)
    if args.offline:
        return offline.run(args, raw, dry_run=False)
    offline.refuse_offline_options(args)
    if args.name is not None and not EXECUTION_NAME.fullmatch(args.name):
        raise CommandFailed("--name: 1 to 80 letters, digits, - and _", 2)
    deployment = resolve(args.stack_name)
    now = utc_now()
    request = validated(
        raw,
        source=args.input,
        default_migration_id=new_migration_id(now),
        role_names=deployment.role_names,
        callback_origins=deployment.callback_origins,
    )
    assert request.migration_id is not None
    launched = launch(deployment, request, args.name or execution_name(request.migration_id, now))
    print_started(args, launched)
    return 0


def print_started(args: argparse.Namespace, launched: Launched) -> None:
    mid = launched.migration_id
    print(f"migration {mid} started" + (" (a dry run: nothing will change)" if launched.dry_run else ""))
    print(f"execution {launched.execution_arn}")
    if launched.gated:
        print(
            "it stops for approval after planning, with nothing changed: "
            f"{command(args, 'approve', mid)} | {command(args, 'reject', mid)}"
        )
    print("next:")
    print(f"  {command(args, 'watch', mid)}")
    print(f"  {command(args, 'report', mid)}")
