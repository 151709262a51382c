"""`eum-share handoff ID`: what each consuming account's team needs to start sending, as the migration wrote it.

Online, from the stack's artifact bucket. With --offline, from the copies `eum-share demo` leaves in out/ID/
(an offline AWS lives only within one command, so its bucket is gone when the demo ends).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eum_share_cli.deployment import resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.follow import ENDED
from eum_share_cli.migrations import read_artifact, read_view

FORMATS = ("md", "csv", "json")
LOCAL = Path("out")
FOLDER = "handoff"  # under the migration's folder: handoff/<account-id>.<md|csv|json>


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "handoff",
        help="print what each consuming account needs to start sending",
        description="Prints the handoff of each consuming account of a finished migration (a preview for a dry "
        "run): the identities it can send with by name and full ARN, its configuration, how to send, the IAM "
        "policy, and what only that account can do. With --offline, reads what `eum-share demo` wrote in out/.",
    )
    parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
    parser.add_argument("--consumer", metavar="ACCOUNT", help="only this consuming account (default: every one)")
    parser.add_argument("--format", choices=FORMATS, default="md", help="Markdown, CSV or JSON (md)")
    parser.add_argument(
        "--from",
        dest="folder",
        metavar="DIR",
        default=str(LOCAL),
        help="with --offline: the folder the demo wrote its migrations in (out)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    accounts, read = _local(args) if args.offline else _online(args)
    if args.consumer is not None:
        if args.consumer not in accounts:
            raise CommandFailed(
                f"--consumer: {args.consumer} is not a consuming account of migration {args.migration_id} "
                f"(its consumers: {', '.join(accounts)})",
                2,
            )
        accounts = [args.consumer]
    _print(args.format, [read(account, args.format) for account in accounts], several=args.consumer is None)
    return 0


Reader = Callable[[str, str], str]


def _online(args: argparse.Namespace) -> tuple[list[str], Reader]:
    deployment = resolve(args.stack_name)
    view = read_view(deployment, args.migration_id)
    if not view.report_key:
        state = "ended" if view.status in ENDED else "is"
        raise CommandFailed(
            f"no handoff: migration {view.migration_id} {state} {view.status} (phase {view.phase}); the handoffs "
            "are written with the report when a migration (or a dry run) finishes"
        )
    folder = view.report_key.rsplit("/", 1)[0]
    report = json.loads(read_artifact(deployment, view.report_key))
    accounts = [str(consumer["account"]) for consumer in report["consumers"]]

    def read(account: str, fmt: str) -> str:
        return read_artifact(deployment, f"{folder}/{FOLDER}/{account}.{fmt}")

    return accounts, read


def _local(args: argparse.Namespace) -> tuple[list[str], Reader]:
    folder = Path(args.folder) / args.migration_id / FOLDER
    accounts = sorted(path.stem for path in folder.glob("*.json"))
    if not accounts:
        raise CommandFailed(
            f"no handoff of migration {args.migration_id} in {folder}: offline, the handoffs are the copies "
            "`eum-share demo` writes there (run it, or name its folder with --from)"
        )

    def read(account: str, fmt: str) -> str:
        return str((folder / f"{account}.{fmt}").read_text())

    return accounts, read


def _print(fmt: str, bodies: list[str], *, several: bool) -> None:
    if fmt == "json":
        documents = [json.loads(body) for body in bodies]
        print(json.dumps(documents if several else documents[0], indent=2))
    elif fmt == "csv":
        # One table: the header once, every account's rows under it.
        rows = [line for index, body in enumerate(bodies) for line in body.splitlines()[(1 if index else 0) :]]
        print("\n".join(rows))
    else:
        print("\n".join(body.rstrip("\n") + "\n" for body in bodies), end="")


def save_local(folder: Path, accounts: list[str], report_key: str, read: Callable[[str], str]) -> dict[str, Path]:
    """Copies of the handoffs next to a local copy of the report: account -> its Markdown handoff."""
    prefix = report_key.rsplit("/", 1)[0]
    (folder / FOLDER).mkdir(parents=True, exist_ok=True)
    written = {}
    for account in accounts:
        for fmt in FORMATS:
            (folder / FOLDER / f"{account}.{fmt}").write_text(read(f"{prefix}/{FOLDER}/{account}.{fmt}"))
        written[account] = folder / FOLDER / f"{account}.md"
    return written
