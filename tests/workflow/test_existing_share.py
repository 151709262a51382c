"""An existing share that already holds many resources never gets new principals: the migration uses its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _busy_share(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner already shares 12 identities with another account through a share of the same name."""
    ram = aws.client("ram", account=scenario.owner)
    ram.create_resource_share(
        name="sms-production", principals=["999999999999"], resourceArns=scenario.phone_numbers[-12:]
    )
    aws.world.settle()


@pytest.fixture(scope="module")
def busy() -> Iterator[MigrationRun]:
    with migration_run(identities=30, before=_busy_share, name="mig-busy-1") as run:
        yield run


def test_principals_are_never_added_to_a_share_holding_more_than_ten_resources(busy: MigrationRun) -> None:
    assert busy.execution.status == "SUCCEEDED", busy.execution.cause
    added = [c for c in busy.calls if c.operation == "AssociateResourceShare" and c.params.get("principals")]
    assert added == []
    [created] = [c for c in busy.calls if c.operation == "CreateResourceShare"]
    assert created.params["name"] == "sms-production-mig-busy-1"


def test_the_report_says_why_a_new_share_was_used(busy: MigrationRun) -> None:
    report = busy.report
    assert "already holds 12 resources" in report["shareNote"]
    assert report["shareArn"] in [
        c.params.get("resourceShareArn") for c in busy.calls if c.operation == "AssociateResourceShare"
    ]
