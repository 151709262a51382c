"""AcceptInvitations when the consumer accepts the invitation by hand first: accepted is done, not a failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _accept_by_hand_once_listed(aws: OfflineAWS, scenario: Scenario) -> None:
    """Right after AcceptInvitations has read the external consumer's pending invitation, someone in that account
    accepts it, so the migration's own AcceptResourceShareInvitation meets an accepted one."""
    [external] = scenario.external_consumers

    def accept() -> None:
        ram = aws.client("ram", account=external)
        for invitation in ram.get_resource_share_invitations()["resourceShareInvitations"]:
            if invitation["status"] == "PENDING":
                ram.accept_resource_share_invitation(
                    resourceShareInvitationArn=invitation["resourceShareInvitationArn"]
                )

    aws.world.after_call("ram", "GetResourceShareInvitations", accept)


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with migration_run(identities=8, before=_accept_by_hand_once_listed, name="mig-accepted-1") as run:
        yield run


def test_an_invitation_accepted_by_hand_first_does_not_fail_the_migration(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_the_migration_met_the_accepted_invitation(run: MigrationRun) -> None:
    # AcceptResourceShareInvitation: "ResourceShareInvitationAlreadyAcceptedException ... the specified invitation
    # was already accepted" -- what the migration's own accept got.
    refused = [c.error for c in run.calls if c.operation == "AcceptResourceShareInvitation" and c.error]
    assert refused == ["ResourceShareInvitationAlreadyAcceptedException"]
