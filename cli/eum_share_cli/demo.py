"""`eum-share demo`: a migration on the offline AWS, from a seeded owner account to its consumers."""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from twin.faults import FaultConfig
from twin.seed import Scenario


def add_parser(commands: Any) -> None:
    parser = commands.add_parser("demo", help="run a migration on the offline AWS (no AWS account needed)")
    parser.add_argument("--identities", type=int, default=200, help="identities in the owner account")
    parser.add_argument("--consumers", type=int, default=2, help="consuming accounts in all")
    parser.add_argument("--external-consumers", type=int, default=1, help="of which outside the organization")
    parser.add_argument("--throttle-rate", type=float, default=0.02, help="share of RAM/SMS calls throttled")
    parser.add_argument("--empty-policy-rate", type=float, default=0.1, help="throttled policy writes that empty")
    parser.add_argument("--fail-rate", type=float, default=0.02, help="associations that end FAILED")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="end with one JSON summary line")
    parser.set_defaults(run=run)


def request_for(scenario: Scenario) -> dict[str, Any]:
    """The request a platform team would write for this scenario: the consumers' OU plus external accounts."""
    principals = ([scenario.consumer_ou] if scenario.org_consumers else []) + scenario.external_consumers
    return {
        "region": scenario.region,
        "owner": {"accountId": scenario.owner},
        "share": {"name": "sms-production", "allowExternalPrincipals": bool(scenario.external_consumers)},
        "principals": principals,
        "consumers": [{"accountId": account} for account in scenario.consumers],
        "resources": {"select": "ALL"},
    }


def run(args: argparse.Namespace) -> int:
    import moto  # noqa: F401 - before any boto3 session, so every client is served offline

    from twin.offline import OfflineAWS
    from twin.runner import local_migration_workflow
    from twin.seed import seed

    faults = FaultConfig(
        seed=args.seed,
        throttle_rate=args.throttle_rate,
        empty_policy_rate=args.empty_policy_rate,
        fail_rate=args.fail_rate,
    )
    with OfflineAWS(faults) as offline:
        scenario = seed(
            offline,
            identities=args.identities,
            consumers=args.consumers,
            external_consumers=args.external_consumers,
        )
        _say(
            args,
            f"owner {scenario.owner}: {len(scenario.phone_numbers)} phone numbers, "
            f"{len(scenario.sender_ids)} sender IDs, {len(scenario.pools)} pools, "
            f"{len(scenario.opt_out_lists)} opt-out lists, "
            f"{len(scenario.configuration_sets)} configuration sets",
        )
        _say(
            args,
            f"consumers: {', '.join(scenario.org_consumers)} (organization), "
            f"{', '.join(scenario.external_consumers) or 'none'} (external)",
        )
        # The functions log and emit metrics as in Lambda; on a terminal only warnings are worth showing.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        with local_migration_workflow(offline, parameters={"LogLevel": "WARNING"}) as workflow:
            execution = workflow.run(request_for(scenario), name=f"demo-{args.seed}")
        _say(
            args,
            f"execution {execution.name}: {execution.status}"
            + (f" ({execution.error}: {execution.cause})" if execution.error else ""),
        )
        summary = {
            "identities": len(scenario.identities),
            "consumers": len(scenario.consumers),
            "status": execution.status,
            "simulatedSeconds": round(offline.clock.now(), 3),
        }
    if args.json:
        print(json.dumps(summary))
    return 0 if execution.status == "SUCCEEDED" else 1


def _say(args: argparse.Namespace, line: str) -> None:
    if not args.json:
        print(line)
