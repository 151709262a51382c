"""EnsureShareWithPrincipals when a principal the migration added to an existing share is removed by hand: it is
added again, with a new client token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _existing_share(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner already shares two numbers through a share of the request's name, with nobody yet: the migration
    adds its principals to it with AssociateResourceShare."""
    ram = aws.client("ram", account=scenario.owner)
    ram.create_resource_share(name="sms-production", resourceArns=scenario.phone_numbers[-2:])
    aws.world.settle()


def _principal_calls(run: MigrationRun) -> list[Any]:
    return [c for c in run.calls if c.operation == "AssociateResourceShare" and c.params.get("principals")]


def _owner_share(aws: OfflineAWS, scenario: Scenario) -> Any:
    [share] = aws.world.fake("ram").state(scenario.owner, scenario.region).shares.values()
    return share


def _remove_the_ou_once_added(aws: OfflineAWS, scenario: Scenario) -> None:
    _existing_share(aws, scenario)

    def remove() -> None:
        share = _owner_share(aws, scenario)
        aws.client("ram", account=scenario.owner).disassociate_resource_share(
            resourceShareArn=share.arn, principals=[scenario.consumer_ou]
        )

    aws.world.after_call("ram", "AssociateResourceShare", remove, when=lambda params: bool(params.get("principals")))


@pytest.fixture(scope="module")
def removed() -> Iterator[MigrationRun]:
    with migration_run(
        identities=8, external_consumers=0, before=_remove_the_ou_once_added, name="mig-removed-1"
    ) as run:
        yield run


def test_a_principal_removed_by_hand_after_it_was_added_is_added_again(removed: MigrationRun) -> None:
    assert removed.execution.status == "SUCCEEDED", removed.execution.cause
    share = _owner_share(removed.aws, removed.scenario)
    assert share.principals[removed.scenario.consumer_ou].status == "ASSOCIATED"


def test_adding_it_again_sends_a_new_client_token(removed: MigrationRun) -> None:
    tokens = [c.params["clientToken"] for c in _principal_calls(removed)]
    assert len(tokens) >= 2
    assert len(set(tokens)) == len(tokens)
