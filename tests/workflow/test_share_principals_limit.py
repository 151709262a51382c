"""EnsureShareWithPrincipals when a principal is removed by hand every time the migration adds it: the migration
stops at the check limit with the principal named, instead of adding it for ever."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.workflow.test_share_principals import _existing_share, _owner_share
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _remove_the_ou_each_time(aws: OfflineAWS, scenario: Scenario) -> None:
    _existing_share(aws, scenario)

    def remove() -> None:
        share = _owner_share(aws, scenario)
        aws.client("ram", account=scenario.owner).disassociate_resource_share(
            resourceShareArn=share.arn, principals=[scenario.consumer_ou]
        )
        watch()

    def watch() -> None:
        aws.world.after_call("ram", "AssociateResourceShare", remove, when=lambda p: bool(p.get("principals")))

    watch()


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with migration_run(
        identities=4, external_consumers=0, before=_remove_the_ou_each_time, name="mig-removed-always"
    ) as run:
        yield run


def test_a_principal_that_never_stays_fails_the_migration_at_the_check_limit_naming_it(run: MigrationRun) -> None:
    execution = run.execution
    assert (execution.status, execution.error) == ("FAILED", "ShareNotUsable")
    assert "after 120" in (execution.cause or "")
    assert run.scenario.consumer_ou in (execution.cause or "")
