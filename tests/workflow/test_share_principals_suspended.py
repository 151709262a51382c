"""EnsureShareWithPrincipals when RAM suspends a principal the migration added: the wait ends with the reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.workflow.test_share_principals import _existing_share, _owner_share
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _suspend_the_ou_once_added(aws: OfflineAWS, scenario: Scenario) -> None:
    _existing_share(aws, scenario)

    def suspend() -> None:
        association = _owner_share(aws, scenario).principals[scenario.consumer_ou]
        association.move("SUSPENDED", aws.world.clock.datetime(aws.world.now()))

    aws.world.after_call("ram", "AssociateResourceShare", suspend, when=lambda params: bool(params.get("principals")))


@pytest.fixture(scope="module")
def suspended() -> Iterator[MigrationRun]:
    with migration_run(identities=8, before=_suspend_the_ou_once_added, name="mig-suspended-1") as run:
        yield run


def test_a_principal_ram_suspended_fails_the_migration_with_the_reason(suspended: MigrationRun) -> None:
    execution = suspended.execution
    assert (execution.status, execution.error) == ("FAILED", "ShareNotUsable")
    assert f"{suspended.scenario.consumer_ou}: suspended by RAM (SUSPENDED)" in (execution.cause or "")


def test_a_suspended_principal_ends_the_wait_at_the_first_look(suspended: MigrationRun) -> None:
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in suspended.workflow.history(suspended.execution.arn)
        if e["type"] == "TaskStateEntered"
    ]
    # The look that adds the principals reads them back and sees one suspended: not 120 checks spent waiting.
    assert entered.count("EnsureShareWithPrincipals") == 1
