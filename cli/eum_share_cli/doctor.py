"""`eum-share doctor --request FILE`: what the first migration relies on, checked read-only in the real accounts.

It assumes the roles the stack would (the owner role, each consumer's role with its ExternalId), reads and
DryRun-sends only, prints one row per check (check, expected, seen, verdict) and exits 1 on a blocking finding.
`eum-share doctor --offline` shows it on the demo's accounts in the offline AWS.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eum_share_cli.deployment import CONSUMER_ROLE_NAME, OWNER_ROLE_NAME, resolve
from eum_share_cli.failures import CommandFailed
from eum_share_cli.launch import new_migration_id, read_raw, utc_now, validated

if TYPE_CHECKING:
    from eum_share.models.doctor import Diagnosis

    from twin.offline import OfflineAWS
    from twin.seed import Scenario

# The offline checker's own role, in the orchestrator's account: the accounts' roles trust exactly the roles named
# in OrchestratorRoleArns, so the seeded roles stacks name this one too, as an operator adds the role they run
# doctor with (twin.seed.OFFLINE_OPERATOR_ROLE_ARN).
OFFLINE_IDENTITIES = 20
HEADERS = ("check", "expected", "seen", "verdict")


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "doctor",
        help="check the accounts a request names, read-only, before the first migration",
        description="Assumes the stack's roles in the owner and consuming accounts of the request and checks, "
        "with reads and DryRun sends only: account tiers, the Region, sharing with AWS Organizations, RAM's "
        "managed permissions for each resource type, the shape of identities' policies, the quotas in force, a "
        "DryRun send with an identity already shared, and every IAM action each role needs (simulated). Prints "
        "a table and exits 1 when something would block the migration. Nothing changes. The roles trust the "
        "orchestrator's roles only: run it with credentials of a role the OrchestratorRoleArns of "
        "roles/cross-account-roles.yaml match.",
    )
    parser.add_argument("--request", type=Path, metavar="FILE", help="the migration request (JSON)")
    parser.add_argument(
        "--offline",
        action="store_true",
        default=argparse.SUPPRESS,
        help="check the demo's accounts on a fresh offline AWS instead (no account needed)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.offline:
        if args.request is not None:
            raise CommandFailed("doctor --offline checks the demo's accounts; --request is for real accounts", 2)
        return run_offline()
    if args.request is None:
        raise CommandFailed("doctor needs --request FILE (or --offline for the demo's accounts)", 2)
    import boto3
    from eum_share.logic.doctor import Doctor

    raw = read_raw(args.request)
    deployment = resolve(args.stack_name)
    request = validated(
        raw,
        source=args.request,
        default_migration_id=new_migration_id(utc_now()),
        role_names=deployment.role_names,
        callback_origins=deployment.callback_origins,
    )
    print(f"doctor: request {args.request}, stack {deployment.stack_name} in {deployment.region}; read-only")
    doctor = Doctor(
        request,
        owner_role_name=deployment.owner_role_name,
        consumer_role_name=deployment.consumer_role_name,
        base=boto3.Session(),
    )
    return print_diagnosis(_diagnosed(doctor))


def run_offline() -> int:
    from eum_share_cli.offline_runtime import quiet_functions, require_twin

    require_twin()
    import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session
    from twin.offline import OfflineAWS
    from twin.seed import seed

    with quiet_functions(), OfflineAWS() as offline:
        scenario = seed(offline, identities=OFFLINE_IDENTITIES, consumers=2, external_consumers=1)
        with offline.world.faults.paused():
            offline.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        print(
            f"offline AWS (this command only): the demo's accounts, owner {scenario.owner} and consumers "
            f"{', '.join(scenario.consumers)} in {scenario.region}; read-only"
        )
        return print_diagnosis(diagnose_offline(offline, scenario, offline_operator(offline)))


def diagnose_offline(
    offline: OfflineAWS, scenario: Scenario, operator: Any, request: dict[str, Any] | None = None
) -> Diagnosis:
    """Doctor on the offline AWS as `operator` (a session: see `offline_operator`), for the scenario's request
    (or `request`) with the template's role names."""
    from botocore.config import Config
    from eum_share.logic.doctor import Doctor

    raw = request if request is not None else scenario.request(migrationId="doctor")
    checked = validated(
        raw,
        source=Path("<offline request>"),
        default_migration_id="doctor",
        role_names=frozenset({OWNER_ROLE_NAME, CONSUMER_ROLE_NAME}),
        callback_origins=frozenset(),
    )
    doctor = Doctor(
        checked,
        owner_role_name=OWNER_ROLE_NAME,
        consumer_role_name=CONSUMER_ROLE_NAME,
        base=operator,
        # Offline, doctor's own patience does all the waiting, in simulated time (the SDK's retries sleep).
        wait=offline.clock.sleep,
        sdk_config=Config(retries={"total_max_attempts": 1}),
    )
    return _diagnosed(doctor)


def offline_operator(offline: OfflineAWS) -> Any:
    """A session of the offline operator's role, created here, as `--profile` with a role would give on AWS."""
    import json

    import boto3

    from twin.offline import DEFAULT_ACCOUNT
    from twin.seed import OFFLINE_OPERATOR_ROLE_ARN

    iam = boto3.client("iam", region_name=offline.region)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{DEFAULT_ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    with offline.unthrottled():  # making the operator is the offline world's setup, not what doctor checks
        iam.create_role(
            RoleName=OFFLINE_OPERATOR_ROLE_ARN.rsplit("/", 1)[1], AssumeRolePolicyDocument=json.dumps(trust)
        )
        credentials = boto3.client("sts", region_name=offline.region).assume_role(
            RoleArn=OFFLINE_OPERATOR_ROLE_ARN, RoleSessionName="doctor"
        )["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=offline.region,
    )


def _diagnosed(doctor: Any) -> Diagnosis:
    from eum_share.logic.doctor import TooBusy

    try:
        return doctor.diagnose()  # type: ignore[no-any-return]
    except TooBusy as busy:
        raise CommandFailed(f"{busy}; nothing was judged: run doctor again later", 1) from None


def print_diagnosis(diagnosis: Diagnosis) -> int:
    """The table, then one line: 0 when nothing blocks, 1 otherwise (naming what blocks)."""
    rows = [(f.check, f.expected, f.seen, f.verdict.value) for f in diagnosis.findings]
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(3)]
    for row in [HEADERS, (*("-" * w for w in widths), "-------"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)) + "  " + row[3])
    blocking = diagnosis.blocking
    print()
    if blocking:
        print(f"doctor: {len(blocking)} blocking: " + "; ".join(f"{f.check}: {f.seen}" for f in blocking))
        return 1
    print(f"doctor: {len(diagnosis.findings)} checks, nothing blocking; nothing was changed")
    return 0
