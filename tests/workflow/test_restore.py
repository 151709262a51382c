"""Restore (the rollback state machine with mode RESTORE): statements a policy held before the migration and lost
since (RAM's throttled writes empty policies) are put back, whatever was added since is kept, nothing else
changes; the report says what was restored and what was already fine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.migration import bus_events, mutating_calls, policy_of, wait_for_status
from tests.support.policies import EXISTING, LATER, policy_document
from twin.faults import FaultConfig
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed
from twin.world import CallRecord

# RAM throttles its policy writes above 4 in flight and empties half of the throttled ones; with no repair
# attempts, an identity whose policy was emptied ends FAILED.
FAULTS = {"seed": 3, "policy_write_capacity": 4, "empty_policy_rate": 0.5}


@dataclass
class Restored:
    aws: OfflineAWS
    scenario: Scenario
    workflow: LocalStateMachine
    migration: dict[str, Any]
    damaged: list[str]
    restore: Execution
    report: dict[str, Any]
    markdown: str
    calls: list[CallRecord]
    again: Execution
    again_calls: list[CallRecord]
    chosen: Execution
    chosen_report: dict[str, Any]
    named: str
    left_alone: str


@pytest.fixture(scope="module")
def restored() -> Iterator[Restored]:
    with OfflineAWS(FaultConfig(**FAULTS)) as aws:
        scenario = seed(aws, identities=30, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
        with aws.world.faults.paused():
            for arn in scenario.phone_numbers:
                sms.put_resource_policy(ResourceArn=arn, Policy=policy_document(arn, EXISTING))
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            # Given a migration that left some identities FAILED with their policies emptied
            request = scenario.request(migrationId="mig-restore", options={"maxRepairAttempts": 0})
            migration = workflow.run(request, name="mig-restore")
            assert migration.status == "SUCCEEDED", migration.cause
            report = json.loads(workflow.read_artifact(migration.output["reportKey"]))
            # ... and, since, two verified numbers emptied, one of them then given a statement by someone else
            verified = [
                line["arn"]
                for line in report["identities"]
                if line["status"] == "VERIFIED" and line["arn"] in scenario.phone_numbers
            ]
            damaged = verified[:2]
            with aws.world.faults.paused():
                for arn in damaged:
                    aws.sms.empty_policy(arn)
                sms.put_resource_policy(ResourceArn=damaged[0], Policy=policy_document(damaged[0], LATER))
            # When the policies are restored, then restored again
            first = len(aws.world.calls)
            restore = workflow.rollback.run({"migrationId": "mig-restore", "mode": "RESTORE"}, name="restore-1")
            second = len(aws.world.calls)
            restore_report = json.loads(workflow.read_artifact(restore.output["reportKey"]))
            markdown = workflow.read_artifact(restore.output["markdownKey"])
            again = workflow.rollback.run({"migrationId": "mig-restore", "mode": "RESTORE"}, name="restore-2")
            third = len(aws.world.calls)
            # ... and then only one of two numbers emptied again is named
            with aws.world.faults.paused():
                for arn in verified[2:4]:
                    aws.sms.empty_policy(arn)
            chosen = workflow.rollback.run(
                {"migrationId": "mig-restore", "mode": "RESTORE", "identities": [verified[2]]}, name="restore-3"
            )
            chosen_report = json.loads(workflow.read_artifact(chosen.output["reportKey"]))
            yield Restored(
                aws,
                scenario,
                workflow,
                report,
                damaged,
                restore,
                restore_report,
                markdown,
                aws.world.calls[first:second],
                again,
                aws.world.calls[second:third],
                chosen,
                chosen_report,
                verified[2],
                verified[3],
            )


def test_the_migration_left_failed_identities_that_lost_statements(restored: Restored) -> None:
    failed = [line["arn"] for line in restored.migration["identities"] if line["status"] == "FAILED"]
    assert set(failed) & set(restored.scenario.phone_numbers)


def test_every_statement_from_before_the_migration_is_back(restored: Restored) -> None:
    assert restored.restore.status == "SUCCEEDED", restored.restore.cause
    for arn in restored.scenario.phone_numbers:
        policy = policy_of(restored.aws, restored.scenario.owner, arn)
        if arn == restored.left_alone:
            continue
        assert policy is not None, arn
        assert EXISTING | {"Resource": arn} in policy["Statement"], arn


def test_a_statement_added_since_the_migration_is_kept(restored: Restored) -> None:
    policy = policy_of(restored.aws, restored.scenario.owner, restored.damaged[0])
    assert policy is not None
    assert LATER | {"Resource": restored.damaged[0]} in policy["Statement"]


def test_the_report_lists_what_was_restored_and_what_was_already_fine(restored: Restored) -> None:
    failed = {line["arn"] for line in restored.migration["identities"] if line["status"] == "FAILED"}
    lost = (failed & set(restored.scenario.phone_numbers)) | set(restored.damaged)
    assert set(restored.report["restored"]) == lost
    assert all(sids == ["LetPinpointSend"] for sids in restored.report["restored"].values())
    everything = {line["arn"] for line in restored.migration["identities"]}
    assert set(restored.report["alreadyFine"]) == everything - lost
    assert restored.markdown.startswith("# Restore of migration mig-restore's resource policies")


def test_the_restore_changes_only_the_policies_it_restores(restored: Restored) -> None:
    changed = mutating_calls(restored.calls)
    assert {c.operation for c in changed} == {"PutResourcePolicy"}
    assert {c.params["ResourceArn"] for c in changed} == set(restored.report["restored"])


def test_the_restore_is_announced_and_leaves_the_migration_as_it_was(restored: Restored) -> None:
    [announced, *_] = bus_events(restored.aws, "MigrationPoliciesRestored")
    assert announced["restored"] == len(restored.report["restored"])
    assert announced["reportKey"] == restored.restore.output["reportKey"]
    assert wait_for_status(restored.aws, restored.workflow, "mig-restore", "SUCCEEDED")["status"]["S"] == "SUCCEEDED"


def test_a_second_restore_changes_nothing(restored: Restored) -> None:
    assert restored.again.status == "SUCCEEDED", restored.again.cause
    assert mutating_calls(restored.again_calls) == []


def test_a_restore_of_named_identities_looks_at_those_only(restored: Restored) -> None:
    assert restored.chosen.status == "SUCCEEDED", restored.chosen.cause
    assert list(restored.chosen_report["restored"]) == [restored.named]
    assert restored.chosen_report["alreadyFine"] == []
    assert policy_of(restored.aws, restored.scenario.owner, restored.left_alone) is None
