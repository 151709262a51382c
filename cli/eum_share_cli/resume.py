"""`eum-share resume ID`: start a migration's own request again; the new run continues where the last one stopped."""

from __future__ import annotations

import argparse
from typing import Any

from eum_share_cli.deployment import resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.launch import execution_name, launch, utc_now
from eum_share_cli.migrations import read_artifact
from eum_share_cli.start import print_started


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "resume",
        help="start a stopped migration's request again, to continue it",
        description="Reads the request the migration was started with from the stack's artifact bucket and starts "
        "it again as a new execution: what the ledger records as done is not done again, and the run has a "
        "deadline of its own (options.deadlineSeconds). For a migration that stopped (DeadlineExceeded, a crash, "
        "an execution stopped from the console).",
    )
    parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
    parser.set_defaults(run=run, online_only=True)


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import ClientError
    from eum_share.dal.artifacts import key
    from eum_share.logic.context import REQUEST
    from eum_share.models.request import MigrationRequest

    deployment = resolve(args.stack_name)
    try:
        stored = read_artifact(deployment, key(args.migration_id, REQUEST))
    except ClientError as error:
        if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
            raise CommandFailed(f"migration {args.migration_id}: no request stored; nothing to resume") from None
        raise
    request = MigrationRequest.model_validate_json(stored)
    print_started(args, launch(deployment, request, execution_name(args.migration_id, utc_now())))
    return 0
