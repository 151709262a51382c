"""Throttling, FAILED associations and emptied policies injected: nothing is stranded, nothing is lost."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run, policy_of
from tests.support.policies import EXISTING, put_existing_statements
from twin.inspect import state_dump
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _existing_policies(aws: OfflineAWS, scenario: Scenario) -> None:
    put_existing_statements(aws, scenario.owner, scenario.phone_numbers[:15])


FAULTS = {
    "seed": 11,
    "throttle_rate": 0.05,
    "fail_rate": 0.1,
    # RAM throttles its own policy writes above 4 in flight: every batch of 10 hits it.
    "policy_write_capacity": 4,
    "empty_policy_rate": 0.3,
    "visibility_lag_seconds": 3.0,
}


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with migration_run(identities=60, faults=FAULTS, before=_existing_policies, name="mig-faults-1") as outcome:
        yield outcome


def test_the_faults_were_really_injected(run: MigrationRun) -> None:
    injected = run.aws.world.faults.injected
    assert injected.get("throttle", 0) > 0
    assert injected.get("empty-policy", 0) > 0
    assert any(c.operation == "GetResourceShareAssociations" for c in run.aws.world.calls)


def test_the_migration_completes(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_every_identity_is_usable_by_every_consumer_or_failed_with_a_reason(run: MigrationRun) -> None:
    dump = state_dump(run.aws)
    report = run.report
    for line in report["identities"]:
        if line["status"] == "FAILED":
            assert line["reason"], line
            continue
        assert line["status"] in ("VERIFIED", "REPAIRED"), line
        for consumer in run.scenario.consumers:
            assert line["arn"] in dump["accounts"][consumer]["us-east-1"]["sharedVisible"], (consumer, line)


def test_no_statement_that_existed_before_is_lost(run: MigrationRun) -> None:
    for arn in run.scenario.phone_numbers[:15]:
        policy = policy_of(run.aws, run.scenario.owner, arn)
        assert policy is not None, arn
        assert EXISTING | {"Resource": arn} in policy["Statement"], arn


def test_a_policy_that_held_statements_is_reread_from_the_owner_side_before_the_next_batch(run: MigrationRun) -> None:
    # Given phone numbers whose policies held a statement before the migration: the consumers seeing them does
    # not prove that statement survived, so the owner reads each policy again after its association.
    calls = run.aws.world.calls
    batches = [
        (i, c.params["resourceArns"])
        for i, c in enumerate(calls)
        if c.operation == "AssociateResourceShare" and c.error is None and len(c.params.get("resourceArns", [])) > 1
    ]
    for arn in run.scenario.phone_numbers[:15]:
        first = next(i for i, arns in batches if arn in arns)
        later = next((i for i, arns in batches if i > first), None)
        between = calls[first:later]
        assert [c for c in between if c.operation == "GetResourcePolicy" and c.params["ResourceArn"] == arn], arn


def test_repairs_are_listed_with_their_causes(run: MigrationRun) -> None:
    repaired = [line for line in run.report["identities"] if line["repairs"]]
    assert repaired
    assert all(repair["cause"] for line in repaired for repair in line["repairs"])
    assert "## Repairs" in run.markdown


def test_the_ledger_agrees_with_what_consumers_see(run: MigrationRun) -> None:
    report: dict[str, Any] = run.report
    assert sum(report["counts"].values()) == len(report["identities"])
    assert report["counts"].get("FAILED", 0) == run.execution.output["failed"]
