"""`eum-share rollback ID` and `eum-share restore ID [--identity ARN ...]`: the rollback state machine of a deployed
stack, started and followed to its report. With --offline, a rehearsal on a fresh offline AWS (rehearsal.py)."""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eum_share_cli import offline
from eum_share_cli.deployment import Deployment, resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.invocation import command
from eum_share_cli.launch import NAME_LIMIT, STAMP, utc_now
from eum_share_cli.migrations import describe_execution, not_found, read_artifact, still_running
from eum_share_cli.watch import positive_seconds

if TYPE_CHECKING:
    from eum_share.models.rollback import RollbackRecord, RollbackRequest

Say = Callable[[str], None]


def add_parser(commands: Any) -> None:
    rollback = commands.add_parser(
        "rollback",
        help="undo everything a migration added",
        description="Starts the rollback state machine for the migration and follows it to its report: the "
        "identities it shared leave the share (at most ten at a time, each batch waited for and verified), its "
        "share is deleted or the principals it added are removed, and the configuration it created in the "
        "consuming accounts is removed. Nothing that existed before the migration is touched. Refused while the "
        "migration runs. Running it again changes nothing.",
    )
    rollback.add_argument("migration_id", metavar="ID", nargs="?", help="the migration's ID")
    _options(rollback)
    rollback.set_defaults(run=run, mode="ROLLBACK", identity=[], damage=None)
    restore = commands.add_parser(
        "restore",
        help="put back resource policy statements a migration's identities lost",
        description="Starts the rollback state machine in RESTORE mode: every statement an identity's resource "
        "policy held before the migration, and does not hold now, is put back (RAM's throttled policy writes can "
        "empty a policy); statements added since are kept, nothing else changes. Prints what was restored and "
        "what was already fine.",
    )
    restore.add_argument("migration_id", metavar="ID", nargs="?", help="the migration's ID")
    restore.add_argument(
        "--identity",
        action="append",
        default=[],
        metavar="ARN",
        help="only this identity (repeatable; default: every identity the migration changed)",
    )
    _options(restore)
    restore.add_argument(
        "--damage",
        type=int,
        metavar="N",
        help="with --offline: after the migration, empty the policies of N identities as RAM's throttled writes "
        "can (3)",
    )
    restore.set_defaults(run=run, mode="RESTORE")


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--interval", type=positive_seconds, default=2.0, metavar="SECONDS", help="seconds between reads (2)"
    )
    parser.add_argument(
        "--input",
        type=Path,
        metavar="FILE",
        help="with --offline: the migration request to run on a fresh offline AWS, then roll back (or restore)",
    )
    offline.add_options(parser, gated=False)


def run(args: argparse.Namespace) -> int:
    if args.offline:
        from eum_share_cli.rehearsal import rehearse

        return rehearse(args)
    if args.input is not None or args.identities is not None or args.damage is not None:
        raise CommandFailed("--input, --identities and --damage apply only with --offline (eum-share --offline ...)", 2)
    if args.migration_id is None:
        raise CommandFailed(f"{args.command}: give the migration's ID", 2)
    deployment = resolve(args.stack_name)
    request = rollback_request(args.migration_id, args.mode, args.identity)
    refuse_while_running(deployment, request.migration_id)
    arn = start(deployment, request, execution_name(request))
    print(f"{args.command} of migration {request.migration_id} started: execution {arn}")
    hint = f"nothing it did is lost: `{command(args, args.command, request.migration_id)}` again continues it"
    return follow(deployment, request, arn, args.interval, print, hint)


def rollback_request(migration_id: str, mode: str, identities: list[str]) -> RollbackRequest:
    """The rollback state machine's input, validated here as OpenRollback would (nothing starts if it is wrong)."""
    from eum_share.errors import InvalidRequest
    from eum_share.logic.rollback_open import rollback_request as validate

    try:
        return validate({"migrationId": migration_id, "mode": mode, "identities": identities})
    except InvalidRequest as refused:
        lines = ["refused, nothing started:", *(f"  {problem}" for problem in refused.problems)]
        raise CommandFailed("\n".join(lines), 2) from None


def execution_name(request: RollbackRequest) -> str:
    """Unique per start: a rollback that follows another within the same second gets a name of its own."""
    stamp = f"-{utc_now():{STAMP}}-{secrets.token_hex(2)}"
    prefix = f"{request.mode.value.lower()}-"
    return prefix + request.migration_id[: NAME_LIMIT - len(prefix) - len(stamp)] + stamp


def refuse_while_running(deployment: Deployment, migration_id: str) -> None:
    """What the rollback would refuse only after starting, refused before: an unknown migration, one still running."""
    from eum_share.dal.ledger import Ledger

    record = Ledger(deployment.ledger_table).migration(migration_id)
    if record is None:
        raise not_found(deployment, migration_id)
    if still_running(deployment, record):
        raise CommandFailed(
            f"refused: migration {migration_id} is {record.status.value} (execution {record.execution_name}); "
            "a rollback or restore starts only once it has ended: let it finish, or stop its execution"
        )


def start(deployment: Deployment, request: RollbackRequest, name: str) -> str:
    from eum_share.dal import executions

    if deployment.rollback_state_machine_arn is None:
        raise CommandFailed(
            f"stack {deployment.stack_name} has no output RollbackStateMachineArn: deploy the current template.yaml"
        )
    payload = request.model_dump_json(by_alias=True)
    try:
        return executions.start(deployment.rollback_state_machine_arn, name, payload)
    except executions.ExecutionExists:
        raise CommandFailed(f"an execution named {name} already exists; start again") from None


def follow(
    deployment: Deployment,
    request: RollbackRequest,
    arn: str,
    interval: float,
    say: Say,
    hint: str,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Until the execution ends: one line each time the run moves on; then its report, or why it stopped."""
    from eum_share.dal.rollback_ledger import RollbackLedger

    ledger = RollbackLedger(deployment.ledger_table)
    name = arn.rsplit(":", 1)[-1]
    shown = ""
    while True:
        run = ledger.rollback(request.migration_id, request.mode)
        line = progress_line(run) if run is not None and run.execution_name == name else ""
        if line and line != shown:
            say(line)
            shown = line
        execution = describe_execution(arn)
        if execution is None:
            raise CommandFailed(f"execution {arn} is gone")
        if execution["status"] != "RUNNING":
            break
        sleep(interval)
    run = ledger.rollback(request.migration_id, request.mode)
    if execution["status"] == "SUCCEEDED" and run is not None and run.markdown_key:
        say("")
        text = read_artifact(deployment, run.markdown_key)
        say(text.rstrip("\n"))
        say(f"report: {deployment.s3_uri(run.markdown_key)}")
        return 0
    ended = f"execution {execution['name']} ended {execution['status']}"
    say(f"{ended}: {execution.get('error', '(no error)')}: {execution.get('cause', '(no cause)')}")
    say(hint)
    return 1


PHASES = {
    "PRINCIPALS": "share: undoing what the migration did to it",
    "CONFIGURATION": "configuration: removing what the migration created in the consuming accounts",
    "POLICIES": "policies: putting back lost statements",
    "REPORTING": "report: writing",
    "DONE": "done",
}


def progress_line(run: RollbackRecord) -> str:
    if run.phase.value == "ASSOCIATIONS":
        return f"identities: {run.batches_done}/{run.batches} batches undone"
    return PHASES.get(run.phase.value, run.phase.value.lower())
