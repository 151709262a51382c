"""Before its first change to an identity the migration keeps the identity's resource policy (the ledger's
snapshot), in every strategy and every path that changes it: RAM's associations, policies written directly,
principals added to a share the identity is already in, and repairs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.policies import put_existing_statements
from twin.faults import FaultConfig
from twin.inspect import ARN_KEYS, state_dump
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow
from twin.seed import Scenario, seed
from twin.world import CallRecord

# The first change each path makes to an identity's policy (the call, and where the identity is named in it).
CHANGES: dict[str, Callable[[CallRecord], list[str]]] = {
    "AssociateResourceShare": lambda c: list(c.params.get("resourceArns", [])),
    "PutResourcePolicy": lambda c: [c.params["ResourceArn"]],
    "DisassociateResourceShare": lambda c: list(c.params.get("resourceArns", [])),
}


def _own_policies(aws: OfflineAWS, scenario: Scenario) -> None:
    put_existing_statements(aws, scenario.owner, scenario.phone_numbers[:6])


def _and_a_share_holding_three(aws: OfflineAWS, scenario: Scenario) -> None:
    _own_policies(aws, scenario)
    aws.client("ram", account=scenario.owner).create_resource_share(
        name="sms-production", principals=["999999999999"], resourceArns=scenario.phone_numbers[:3]
    )


SCENARIOS: dict[str, dict[str, Any]] = {
    "ram": {},
    "resource-policy": {"options": {"strategy": "RESOURCE_POLICY"}},
    "existing-share": {"before": _and_a_share_holding_three},
    "repairs": {"faults": {"seed": 5, "fail_rate": 0.3, "policy_write_capacity": 4, "empty_policy_rate": 0.5}},
}


def _policies(aws: OfflineAWS, owner: str) -> dict[str, Any]:
    sms = state_dump(aws)["accounts"][owner]["us-east-1"]["sms"]
    return {item[key]: item["Policy"] for kind, key in ARN_KEYS.items() for item in sms[kind]}


def _snapshots(aws: OfflineAWS, table: str, migration_id: str) -> dict[str, Any]:
    with aws.observing():
        items = aws.client("dynamodb").query(
            TableName=table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :identity)",
            ExpressionAttributeValues={":pk": {"S": f"MIGRATION#{migration_id}"}, ":identity": {"S": "IDENTITY#"}},
        )["Items"]
    return {item["arn"]["S"]: json.loads(item["snapshot"]["S"]) if item["snapshot"]["S"] else None for item in items}


@pytest.mark.parametrize("path", list(SCENARIOS))
def test_the_policy_is_kept_before_the_first_change_as_it_was_before_the_migration(path: str) -> None:
    scenario_options = dict(SCENARIOS[path])
    before_hook = scenario_options.pop("before", _own_policies)
    faults = scenario_options.pop("faults", {})
    with OfflineAWS(FaultConfig(**faults)) as aws:
        scenario = seed(aws, identities=20, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        with aws.world.faults.paused():
            before_hook(aws, scenario)
        aws.world.settle()
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            # Given the owner's policies before the migration
            policies = _policies(aws, scenario.owner)
            first = len(aws.world.calls)
            # When the migration runs this path
            execution = workflow.run(scenario.request(migrationId=f"mig-snap-{path}", **scenario_options))
            assert execution.status == "SUCCEEDED", execution.cause
            calls = aws.world.calls[first:]
            snapshots = _snapshots(aws, workflow.resource_name("LedgerTable"), f"mig-snap-{path}")
    # Then every identity's snapshot is its policy from before the migration
    assert snapshots == {arn: policies[arn] for arn in snapshots}
    # ... read before any call changed it (adding principals to a share rewrites the policies of what it holds)
    owner = scenario.owner
    read: set[str] = set()
    held = set(scenario.phone_numbers[:3]) if path == "existing-share" else set()
    for call in calls:
        if call.account != owner:
            continue
        if call.operation == "GetResourcePolicy":
            read.add(call.params["ResourceArn"])
        if call.operation == "AssociateResourceShare" and call.params.get("principals"):
            assert held <= read, f"principals added before {sorted(held - read)} were kept"
        changed = CHANGES.get(call.operation, lambda c: [])(call)
        assert set(changed) & set(snapshots) <= read, f"{call.operation} before the snapshot of {changed}"
