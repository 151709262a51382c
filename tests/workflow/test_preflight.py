"""Requests that cannot succeed fail before anything changes, and say why."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run, mutating_calls
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _sandboxed_consumer(aws: OfflineAWS, scenario: Scenario) -> None:
    aws.sms.set_account_tier(scenario.org_consumers[0], scenario.region, "SANDBOX")


@pytest.fixture(scope="module")
def sandboxed() -> Iterator[MigrationRun]:
    with migration_run(identities=20, before=_sandboxed_consumer, name="mig-sandbox-1") as run:
        yield run


def test_a_sandboxed_consumer_fails_preflight_naming_the_account(sandboxed: MigrationRun) -> None:
    assert (sandboxed.execution.status, sandboxed.execution.error) == ("FAILED", "PreflightFailed")
    consumer = sandboxed.scenario.org_consumers[0]
    assert f"consuming account {consumer} is in the SANDBOX tier" in (sandboxed.execution.cause or "")


def test_a_failed_preflight_changes_nothing_in_any_account(sandboxed: MigrationRun) -> None:
    seeded = max(
        i for i, c in enumerate(sandboxed.aws.world.calls) if c.operation == "EnableSharingWithAwsOrganization"
    )
    assert mutating_calls(sandboxed.aws.world.calls[seeded + 1 :]) == []


def test_a_failed_preflight_is_recorded_as_failed_in_the_ledger(sandboxed: MigrationRun) -> None:
    key = {"pk": {"S": "MIGRATION#mig-sandbox-1"}, "sk": {"S": "MIGRATION"}}
    item = sandboxed.aws.client("dynamodb").get_item(TableName="eum-share-local-LedgerTable", Key=key)["Item"]
    assert (item["status"]["S"], item["error"]["S"]) == ("FAILED", "PreflightFailed")
