"""`eum-share demo`: a whole migration on the offline AWS, from a seeded owner account to its consumers."""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eum_share_cli.report import OUT, save_pages

if TYPE_CHECKING:
    from twin.seed import Scenario


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "demo",
        help="run a migration on the offline AWS (no AWS account needed)",
        description="Seeds an owner account with identities of every kind, deploys template.yaml onto the offline "
        "AWS and runs the real state machine, with faults injected, then prints where the report, report.html and "
        "each consuming account's handoff are.",
    )
    parser.add_argument("--identities", type=int, default=200, help="identities in the owner account (default 200)")
    parser.add_argument("--consumers", type=int, default=2, help="consuming accounts in all (default 2)")
    parser.add_argument("--external-consumers", type=int, default=1, help="of which outside the organization (1)")
    parser.add_argument("--throttle-rate", type=float, default=0.02, help="share of RAM/SMS calls throttled (0.02)")
    parser.add_argument(
        "--empty-policy-rate", type=float, default=0.3, help="throttled RAM policy writes that empty the policy (0.3)"
    )
    parser.add_argument("--fail-rate", type=float, default=0.02, help="associations that end FAILED (0.02)")
    parser.add_argument(
        "--policy-write-capacity",
        type=int,
        default=8,
        help="policy writes RAM takes at once before throttling itself (8: batches of 10 meet the fault)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of identifiers and faults (7)")
    parser.add_argument("--dry-run", action="store_true", help="plan and report only; change nothing")
    parser.add_argument("--json", action="store_true", help="end with one JSON summary line")
    parser.add_argument("--dump-state", metavar="FILE", help="write the call log and the final state as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from eum_share_cli.offline_runtime import quiet_functions, require_twin

    require_twin()
    import twin.moto_compat  # noqa: F401 - moto, at a version the twin supports, before any boto3 session
    from twin.faults import FAKED_SERVICES, FaultConfig
    from twin.offline import OfflineAWS
    from twin.runner import local_migration_workflow
    from twin.seed import seed

    say = _printer(args.json)
    faults = FaultConfig(
        seed=args.seed,
        throttle_rate=args.throttle_rate,
        throttled_services=FAKED_SERVICES,
        empty_policy_rate=args.empty_policy_rate,
        fail_rate=args.fail_rate,
        policy_write_capacity=args.policy_write_capacity,
    )
    wall = time.perf_counter()
    with quiet_functions(), OfflineAWS(faults) as offline:
        scenario = seed(
            offline,
            identities=args.identities,
            consumers=args.consumers,
            external_consumers=args.external_consumers,
            consumer_targets=True,
        )
        with offline.world.faults.paused():
            offline.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        _describe_scenario(scenario, say)
        with local_migration_workflow(offline, parameters={"LogLevel": "ERROR"}) as workflow:
            first_call = len(offline.world.calls)
            name = f"demo-{args.seed}{'-dry-run' if args.dry_run else ''}"
            execution_arn = workflow.start(_request(scenario, args.dry_run), name=name)
            _watch(offline, workflow, execution_arn, name, args.json)
            execution = workflow.wait(execution_arn)
            summary = _finish(offline, workflow, execution, scenario, say)
            if args.dump_state:
                _dump(offline, workflow, execution, scenario, first_call, Path(args.dump_state))
                say(f"call log and final state: {args.dump_state}")
    summary["wallSeconds"] = round(time.perf_counter() - wall, 2)
    if args.json:
        print(json.dumps(summary))
    return 0 if execution.status == "SUCCEEDED" else 1


def _request(scenario: Scenario, dry_run: bool) -> dict[str, Any]:
    """Every identity, and every event destination recreated in the consumers: mapped to the Firehose delivery
    stream each consumer has, the others provisioned there."""
    return scenario.request(
        configuration={"eventDestinations": scenario.event_destinations()}, options={"dryRun": dry_run}
    )


def _printer(quiet: bool) -> Any:
    def say(line: str) -> None:
        if not quiet:
            print(line, flush=True)

    return say


def _describe_scenario(scenario: Scenario, say: Any) -> None:
    say(
        f"owner {scenario.owner}: {len(scenario.phone_numbers)} phone numbers, {len(scenario.sender_ids)} sender IDs, "
        f"{len(scenario.pools)} pools, {len(scenario.opt_out_lists)} opt-out lists, "
        f"{len(scenario.configuration_sets)} configuration sets"
    )
    say(
        f"consumers: {', '.join(scenario.org_consumers) or 'none'} (organization), "
        f"{', '.join(scenario.external_consumers) or 'none'} (external)"
    )


def _watch(offline: Any, workflow: Any, execution_arn: str, migration_id: str, quiet: bool) -> None:
    """Progress from the ledger, as `eum-share watch` shows it, until the execution ends."""
    from eum_share.dal.ledger import Ledger
    from eum_share.errors import MigrationNotFound
    from eum_share.logic.status import migration_view

    from eum_share_cli.progress import ProgressPrinter

    ledger = Ledger(workflow.resource_name("LedgerTable"))
    sfn = offline.client("stepfunctions")
    printer = ProgressPrinter(prefix=lambda: f"[{offline.clock.now():8.1f} s] ")
    while True:
        with offline.observing():
            status = sfn.describe_execution(executionArn=execution_arn)["status"]
            try:
                view = migration_view(ledger, migration_id)
            except MigrationNotFound:
                view = None
        if view is not None and not quiet:
            printer.show(view)
        if status != "RUNNING":
            printer.close()
            return
        time.sleep(0.05)


def _finish(offline: Any, workflow: Any, execution: Any, scenario: Scenario, say: Any) -> dict[str, Any]:
    from eum_share_cli.handoff import save_local

    summary: dict[str, Any] = {
        "identities": len(scenario.identities),
        "consumers": len(scenario.consumers),
        "status": execution.status,
        "simulatedSeconds": round(offline.clock.now(), 1),
    }
    if execution.status != "SUCCEEDED":
        say(f"execution {execution.name}: {execution.status}: {execution.error}: {execution.cause}")
        return summary | {"error": execution.error, "cause": execution.cause}
    output = execution.output
    if "markdownKey" not in output:
        say(f"execution {execution.name}: already complete, nothing to do")
        return summary | {"counts": {}, "failed": 0, "repairs": 0, "reportPath": None}
    folder = OUT / output["migrationId"]
    folder.mkdir(parents=True, exist_ok=True)
    with offline.observing():
        markdown = workflow.read_artifact(output["markdownKey"])
        report = json.loads(workflow.read_artifact(output["reportKey"]))
        save_local(folder, [c["account"] for c in report["consumers"]], output["reportKey"], workflow.read_artifact)
    (folder / "report.md").write_text(markdown)
    (folder / "report.json").write_text(json.dumps(report, indent=2))
    pages = save_pages(partial(_artifact, offline, workflow), output["migrationId"], folder)
    say("")
    say(f"outcome {output['outcome']}: " + ", ".join(f"{n} {s}" for s, n in sorted(output["counts"].items())))
    say(f"repairs {output['repairs']}, failed {output['failed']}, manual actions {len(report['manualActions'])}")
    for consumer in report["consumers"]:
        say(f"consumer {consumer['account']}: {consumer['usable']} of {consumer['shared']} identities usable")
        recreated = _configuration_text(report["configuration"].get(consumer["account"], []))
        say(f"  configuration recreated there: {recreated}")
    say(f"simulated time {offline.clock.now():.0f} s")
    say(f"report: {folder / 'report.md'} (report.json beside it; in S3 under {output['markdownKey']})")
    for line in pages.lines():
        say(line)
    return summary | {
        "outcome": output["outcome"],
        "counts": output["counts"],
        "failed": output["failed"],
        "repairs": output["repairs"],
        "reportPath": str(folder / "report.md"),
        "htmlPath": str(pages.html),
        "handoffPaths": {account: str(path) if path else None for account, path in pages.handoffs.items()},
    }


def _artifact(offline: Any, workflow: Any, key: str) -> str | None:
    from botocore.exceptions import ClientError

    with offline.observing():
        try:
            return str(workflow.read_artifact(key))
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise


def _configuration_text(items: list[dict[str, Any]]) -> str:
    """What the report lists for one consumer, by kind: "configuration set: 3 CREATED; event destination: ..."."""
    by_kind: dict[str, Counter[str]] = {}
    for item in items:
        by_kind.setdefault(item["kind"], Counter())[item["status"]] += 1
    if not by_kind:
        return "nothing"
    return "; ".join(
        f"{kind.lower().replace('_', ' ')}: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        for kind, counts in sorted(by_kind.items())
    )


def _dump(offline: Any, workflow: Any, execution: Any, scenario: Scenario, first_call: int, path: Path) -> None:
    """The calls the migration made (seeding excluded) and the state it left."""
    from twin.inspect import state_dump

    dump = state_dump(offline)
    planned: list[str] = []
    if execution.status == "SUCCEEDED" and "reportKey" in execution.output:
        with offline.observing():
            planned = [
                i["arn"] for i in json.loads(workflow.read_artifact(execution.output["reportKey"]))["identities"]
            ]
    region = scenario.region
    accounts = dump["accounts"]
    final = {
        "owner": scenario.owner,
        "consumers": scenario.consumers,
        "identities": [
            {"arn": arn, "policy": json.dumps(doc) if (doc := offline.sms.policy_document(arn)) else None}
            for arn in planned
        ],
        "sharedVisible": {c: accounts.get(c, {}).get(region, {}).get("sharedVisible", []) for c in scenario.consumers},
        "configurationSets": {
            account: accounts.get(account, {}).get(region, {}).get("sms", {}).get("configuration_sets", [])
            for account in [scenario.owner, *scenario.consumers]
        },
    }
    calls = [call.as_dict() for call in offline.world.calls[first_call:]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"calls": calls, "final": final}, indent=1, default=str))
