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


@pytest.fixture
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


EXTERNAL = "900000000001"


def _reject_once_the_share_is_ready(aws: OfflineAWS, scenario: Scenario) -> None:
    """The external consumer rejects the invitation after the share is ready, right before it would be accepted:
    once AcceptInvitations has found the share visible to the consumer inside the organization, the first it asks
    (the external one cannot see it yet: RAM answers UnknownResourceException, which fires no hook)."""

    def reject() -> None:
        ram = aws.client("ram", account=EXTERNAL)
        for invitation in ram.get_resource_share_invitations()["resourceShareInvitations"]:
            ram.reject_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])

    aws.world.after_call(
        "ram", "GetResourceShares", reject, when=lambda params: params.get("resourceOwner") == "OTHER-ACCOUNTS", nth=1
    )


@pytest.fixture
def rejected() -> Iterator[MigrationRun]:
    with migration_run(identities=8, before=_reject_once_the_share_is_ready, name="mig-rejected") as run:
        yield run


def test_an_invitation_rejected_before_it_is_accepted_ends_the_migration_at_once(rejected: MigrationRun) -> None:
    execution = rejected.execution
    assert (execution.status, execution.error) == ("FAILED", "ShareNotUsable")
    assert f"consumer {EXTERNAL} can never see share" in (execution.cause or "")
    assert "rejected by the account" in (execution.cause or "")
    # At once: at the first look, not after the 120 checks spent waiting for an invitation still to come.
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in rejected.workflow.history(execution.arn)
        if e["type"] == "TaskStateEntered"
    ]
    assert entered.count("AcceptInvitations") == 1
    assert not [c for c in rejected.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")]
