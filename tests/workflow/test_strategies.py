"""The RESOURCE_POLICY strategy, and the events the workflow publishes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run, mutating_calls
from twin.inspect import state_dump


@pytest.fixture(scope="module")
def by_policy() -> Iterator[MigrationRun]:
    with migration_run(identities=20, name="mig-policy-1", options={"strategy": "RESOURCE_POLICY"}) as run:
        yield run


def test_the_resource_policy_strategy_makes_every_identity_visible_without_ram(by_policy: MigrationRun) -> None:
    assert by_policy.execution.status == "SUCCEEDED", by_policy.execution.cause
    assert [c for c in mutating_calls(by_policy.calls) if c.service == "ram"] == []
    dump = state_dump(by_policy.aws)
    planned = {line["arn"] for line in by_policy.report["identities"]}
    for consumer in by_policy.scenario.consumers:
        assert planned <= set(dump["accounts"][consumer]["us-east-1"]["sharedVisible"]), consumer


def test_the_workflow_announces_start_batches_and_success_on_its_bus(by_policy: MigrationRun) -> None:
    kinds = [e["DetailType"] for c in by_policy.calls if c.operation == "PutEvents" for e in c.params["Entries"]]
    assert kinds[0] == "MigrationStarted"
    assert kinds[-1] == "MigrationSucceeded"
    assert kinds.count("BatchCompleted") == by_policy.report["batches"]
