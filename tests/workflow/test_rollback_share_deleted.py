"""Rolling back a migration whose share, which existed before it, was deleted by hand since: nothing is left in it to
undo, and the report says so."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _share_in_use(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner already shares two numbers through a share of the request's name."""
    ram = aws.client("ram", account=scenario.owner)
    ram.create_resource_share(name="sms-production", resourceArns=scenario.phone_numbers[:2])
    aws.world.settle()


def _share_deleted(aws: OfflineAWS, scenario: Scenario) -> None:
    ram = aws.client("ram", account=scenario.owner)
    [share] = ram.get_resource_shares(resourceOwner="SELF", name="sms-production")["resourceShares"]
    ram.delete_resource_share(resourceShareArn=share["resourceShareArn"])
    aws.world.settle()


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-rollback-deleted", identities=8, before=_share_in_use, between=_share_deleted
    ) as outcome:
        yield outcome


def test_the_rollback_of_a_share_deleted_since_succeeds(run: RolledBack) -> None:
    assert run.migration.status == "SUCCEEDED", run.migration.cause
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause


def test_the_report_says_the_share_was_deleted_and_nothing_was_left_to_undo(run: RolledBack) -> None:
    assert "was deleted before the rollback reached it: nothing left in it to undo" in run.report["share"]


def test_nothing_is_asked_of_the_deleted_share(run: RolledBack) -> None:
    changes = ("DisassociateResourceShare", "DeleteResourceShare", "AssociateResourceShare")
    assert not [c for c in run.rollback_calls if c.operation in changes]
