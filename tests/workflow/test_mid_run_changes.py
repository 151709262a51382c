"""The world changing under a running migration: a number released by its owner, an invitation a consumer rejects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _release_when_its_batch_is_associated(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner releases a number (in no pool) right after RAM accepted the association of its batch."""
    pooled = {member for members in scenario.pool_members.values() for member in members}
    number = next(arn for arn in scenario.phone_numbers if arn not in pooled)
    aws.world.after_call(
        "ram",
        "AssociateResourceShare",
        lambda: aws.sms.release(number),
        when=lambda params: number in params.get("resourceArns", []),
    )


@pytest.fixture(scope="module")
def released() -> Iterator[MigrationRun]:
    with migration_run(identities=20, before=_release_when_its_batch_is_associated, name="mig-released") as run:
        yield run


def test_a_number_released_mid_run_is_failed_with_the_reason_and_the_others_complete(released: MigrationRun) -> None:
    assert released.execution.status == "SUCCEEDED", released.execution.cause
    failed = [line for line in released.report["identities"] if line["status"] == "FAILED"]
    assert len(failed) == 1
    assert "released or deleted during the migration" in failed[0]["reason"]
    assert all(
        line["status"] in ("VERIFIED", "REPAIRED") for line in released.report["identities"] if line not in failed
    )


@pytest.fixture
def rejected() -> Iterator[MigrationRun]:
    with migration_run(identities=8, faults={"rejecting_accounts": ("900000000001",)}, name="mig-rejected") as run:
        yield run


def test_a_rejected_invitation_ends_the_migration_at_once_naming_the_consumer(rejected: MigrationRun) -> None:
    execution = rejected.execution
    assert (execution.status, execution.error) == ("FAILED", "ShareNotUsable")
    assert "consumer 900000000001" in (execution.cause or "")
    assert "rejected by the account" in (execution.cause or "")
    # At once: the first look at the invitations, not after the 120 checks spent waiting for one still to come.
    assert len([c for c in rejected.calls if c.operation == "GetResourceShareInvitations"]) == 1
    assert not [c for c in rejected.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")]
