"""`eum-share --offline start|plan`: a request run end to end on a fresh offline AWS inside this one command.

The offline AWS lives only as long as the command: it is seeded with an owner (the request's owner account),
its organization and consuming accounts, the stack is deployed onto it, and the real state machine runs the
request, with its principals and consumers replaced by the seeded accounts (a request's own accounts do not
exist there). Everything is gone when the command ends, which is why the other commands have no offline mode.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from eum_share_cli.deployment import CONSUMER_ROLE_NAME, OWNER_ROLE_NAME, Deployment
from eum_share_cli.failures import CommandFailed
from eum_share_cli.follow import RunEnd, follow_execution
from eum_share_cli.launch import (
    as_dry_run,
    execution_name,
    launch,
    new_migration_id,
    plan_id,
    utc_now,
    validated,
)
from eum_share_cli.migrations import caller_arn
from eum_share_cli.offline_runtime import quiet_functions, require_twin
from eum_share_cli.progress import ProgressPrinter
from eum_share_cli.report import print_outcome, print_report

if TYPE_CHECKING:
    from eum_share.models.request import MigrationRequest

    from twin.offline import OfflineAWS
    from twin.seed import Scenario

DEFAULT_IDENTITIES = 40
POLL_SECONDS = 0.05  # wall time between reads; the offline workflow waits in simulated time
ONLINE_ONLY = (
    "{command} reads a deployed stack: offline state lives only within one command. Run a request offline with "
    "`eum-share --offline start --input FILE` (or `plan`), or a whole seeded migration with `eum-share demo`."
)


def add_options(parser: argparse.ArgumentParser, *, gated: bool) -> None:
    group = parser.add_argument_group("with --offline")
    group.add_argument(
        "--identities",
        type=int,
        metavar="N",
        help=f"identities seeded in the offline owner account ({DEFAULT_IDENTITIES})",
    )
    if gated:
        group.add_argument(
            "--decision",
            choices=("approve", "reject"),
            help="the answer at an approval gate (default: asked on a terminal, else reject)",
        )
    else:
        parser.set_defaults(decision=None)


def refuse_offline_options(args: argparse.Namespace) -> None:
    if args.identities is not None or args.decision is not None:
        raise CommandFailed("--identities and --decision apply only with --offline (eum-share --offline ...)", 2)


def run(args: argparse.Namespace, raw: Any, *, dry_run: bool) -> int:
    require_twin()
    import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session

    identities = DEFAULT_IDENTITIES if args.identities is None else args.identities
    if not 1 <= identities <= 5000:
        raise CommandFailed("--identities: between 1 and 5000", 2)
    now = utc_now()
    # The offline stack is deployed with the template's defaults: its role names, no callback allow-list.
    request = validated(
        raw,
        source=args.input,
        default_migration_id=new_migration_id(now),
        role_names=frozenset({OWNER_ROLE_NAME, CONSUMER_ROLE_NAME}),
        callback_origins=frozenset(),
    )
    assert request.migration_id is not None
    migration_id = plan_id(request.migration_id, now) if dry_run else request.migration_id
    name = migration_id if dry_run else execution_name(migration_id, now)
    with ExitStack() as stack:
        stack.enter_context(quiet_functions())
        code = _run_offline(stack, args, request, migration_id, name, identities, dry_run=dry_run)
    return code


def _run_offline(
    stack: ExitStack,
    args: argparse.Namespace,
    request: MigrationRequest,
    migration_id: str,
    name: str,
    identities: int,
    *,
    dry_run: bool,
) -> int:
    offline, deployment, seeded = deploy_seeded(stack, request, identities)
    payload = as_dry_run(seeded, migration_id) if dry_run else seeded
    final = validated(
        payload,
        source=args.input,
        default_migration_id=migration_id,
        role_names=deployment.role_names,
        callback_origins=deployment.callback_origins,
    )
    launched = launch(deployment, final, name)
    print(f"{'plan' if dry_run else 'migration'} {migration_id}: execution {launched.execution_name}")
    printer = ProgressPrinter(prefix=lambda: f"[{offline.clock.now():8.1f} s] ")
    end = follow_execution(deployment, migration_id, launched.execution_arn, printer, POLL_SECONDS)
    plan_shown = end.waiting
    if end.waiting:
        end = _decide_at_gate(args, deployment, end, migration_id, launched.execution_arn, printer)
    return print_outcome(deployment, end, plan_shown=plan_shown)


def deploy_seeded(
    stack: ExitStack, request: MigrationRequest, identities: int
) -> tuple[OfflineAWS, Deployment, dict[str, Any]]:
    """A fresh offline AWS for the rest of `stack`: seeded for the request, the stack deployed on it; the request
    with the seeded accounts in place of its own. The command's own reads are someone looking on from here."""
    from twin.offline import OfflineAWS
    from twin.runner import local_migration_workflow
    from twin.seed import seed

    # The offline stack deploys in the twin's default Region only (its S3 buckets are created without a
    # location constraint), so the request runs there.
    offline = stack.enter_context(OfflineAWS())
    consumers = max(1, len(request.consumers))
    external = 1 if request.share.allow_external_principals else 0
    scenario = seed(
        offline, identities=identities, consumers=consumers, external_consumers=external, owner=request.owner.account_id
    )
    with offline.world.faults.paused():
        offline.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
    seeded = seeded_request(request, scenario)
    print(
        f"offline AWS (this command only): owner {scenario.owner} seeded with {identities} identities "
        f"in {offline.region}"
    )
    if request.region != offline.region:
        print(f"region {request.region} replaced by {offline.region} (the offline stack's Region)")
    print(f"principals {', '.join(request.principals)} replaced by {', '.join(seeded['principals'])} (seeded)")
    print(
        f"consumers {', '.join(c.account_id for c in request.consumers) or 'none'} replaced by "
        f"{', '.join(c['accountId'] for c in seeded['consumers'])} (seeded)"
    )
    workflow = stack.enter_context(local_migration_workflow(offline, parameters={"LogLevel": "ERROR"}))
    # The command's own reads and its start are someone looking on: the call log keeps the workflow's calls.
    stack.enter_context(offline.observing())
    assert workflow.stack is not None
    return offline, _deployment(workflow.stack.stack_name), seeded


def _deployment(stack_name: str) -> Deployment:
    from eum_share.dal.clients import client

    return Deployment.from_stack(client("cloudformation"), stack_name)


def seeded_request(request: MigrationRequest, scenario: Scenario) -> dict[str, Any]:
    """The request with the seeded accounts and Region in place of its own: an organization or OU principal
    becomes the seeded organization or its consumers' OU, account principals the seeded accounts."""
    from eum_share.models.identifiers import principal_kind

    from twin.seed import external_id

    kinds = {principal_kind(p) for p in request.principals}
    principals: list[str] = []
    if "ORGANIZATION" in kinds and scenario.org_consumers:
        principals.append(scenario.organization_arn)
    elif "OU" in kinds and scenario.org_consumers:
        principals.append(scenario.consumer_ou)
    covered = scenario.org_consumers if principals else []
    principals += [account for account in scenario.consumers if account not in covered]
    document: dict[str, Any] = request.model_dump(mode="json", by_alias=True, exclude_none=True)
    return document | {
        "region": scenario.region,
        # The seeded owner role's ExternalId, as the consumers' below: the request's own opens nothing here.
        "owner": document["owner"] | {"externalId": external_id(scenario.owner)},
        "principals": principals,
        "consumers": scenario.consumer_entries(),
    }


def _decide_at_gate(
    args: argparse.Namespace,
    deployment: Deployment,
    end: RunEnd,
    migration_id: str,
    execution_arn: str,
    printer: ProgressPrinter,
) -> RunEnd:
    from eum_share_cli.decide import record_decision

    assert end.view is not None
    print()
    print_report(deployment, end.view)
    approve, why = _decision(args, migration_id)
    approver = caller_arn()
    print(f"{'approving' if approve else 'rejecting'} ({why}) as {approver}")
    record_decision(deployment, migration_id, approve=approve, approver=approver)
    return follow_execution(deployment, migration_id, execution_arn, printer, POLL_SECONDS)


def _decision(args: argparse.Namespace, migration_id: str) -> tuple[bool, str]:
    if args.decision is not None:
        return args.decision == "approve", f"--decision {args.decision}"
    if sys.stdin.isatty():
        try:
            answer = input(f"approve migration {migration_id}? [y/N] ")
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes"), "answered on the terminal"
    return False, "no --decision given and no terminal to ask on, so nothing changes"
