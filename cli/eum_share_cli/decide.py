"""`eum-share approve ID` and `eum-share reject ID`: a decision at a migration's approval gate."""

from __future__ import annotations

import argparse
import re
from typing import Any

from eum_share_cli.deployment import Deployment, resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.invocation import command
from eum_share_cli.migrations import caller_arn, not_found

# As the other doors take an approver (eum_share.models.doors.APPROVER): it goes into logs and the report as is.
APPROVER = re.compile(r"[^\x00-\x1f\x7f]{1,256}")


def add_parser(commands: Any) -> None:
    for name, verb, outcome in (
        ("approve", "approve", "the migration goes on"),
        ("reject", "reject", "the migration ends with nothing changed"),
    ):
        parser = commands.add_parser(
            name,
            help=f"{verb} a migration waiting at its approval gate",
            description=f"Records who decided and resumes the gate: {outcome}. Only a migration waiting for a "
            "decision takes one; the first decision wins.",
        )
        parser.add_argument("migration_id", metavar="ID", help="the migration's ID")
        parser.add_argument(
            "--approver",
            help="for whom you decide, recorded after the ARN of your AWS identity, which is always the approver",
        )
        parser.set_defaults(run=run, decision=name, online_only=True)


def run(args: argparse.Namespace) -> int:
    deployment = resolve(args.stack_name)
    # The approver is who the credentials say, never only what the caller writes (as the HTTP API records its IAM
    # caller, and the signed route the approvals key): a name given is recorded as for whom.
    approver = caller_arn() if args.approver is None else f"{caller_arn()}, for {args.approver}"
    decision = record_decision(deployment, args.migration_id, approve=args.decision == "approve", approver=approver)
    print(f"migration {args.migration_id}: {decision} by {approver}")
    if decision == "APPROVED":
        print(f"it goes on; follow it: {command(args, 'watch', args.migration_id)}")
    else:
        print(f"it ends with nothing changed; see {command(args, 'status', args.migration_id)}")
    return 0


def record_decision(deployment: Deployment, migration_id: str, *, approve: bool, approver: str) -> str:
    from eum_share.dal.ledger import Ledger
    from eum_share.errors import MigrationNotFound, NotAwaitingApproval
    from eum_share.logic.approval import decide
    from eum_share.models.ledger import Decision

    if not APPROVER.fullmatch(approver):
        raise CommandFailed("--approver: 1 to 256 characters, no control characters", 2)
    decision = Decision.APPROVED if approve else Decision.REJECTED
    try:
        decide(Ledger(deployment.ledger_table), migration_id, decision, approver)
    except MigrationNotFound:
        raise not_found(deployment, migration_id) from None
    except NotAwaitingApproval as refused:
        raise CommandFailed(f"refused: {refused}") from None
    return decision.value
