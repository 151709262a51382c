"""RAM's quota of pending invitations counts every invitation the owner has sent, inside its organization or not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run, mutating_calls
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _twenty_invitations_inside_the_organization(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner invited 20 of its own organization's accounts to another share while the organization did not share
    with RAM: 20 invitations pending, none of them to an account outside the organization."""
    organizations = aws.client("organizations", account=scenario.owner)
    ram = aws.client("ram", account=scenario.owner)
    organizations.disable_aws_service_access(ServicePrincipal="ram.amazonaws.com")
    ram.create_resource_share(name="elsewhere", principals=scenario.org_consumers, allowExternalPrincipals=True)
    ram.enable_sharing_with_aws_organization()


@pytest.fixture(scope="module")
def invitations_pending() -> Iterator[MigrationRun]:
    with migration_run(
        identities=6,
        consumers=21,
        before=_twenty_invitations_inside_the_organization,
        name="mig-pending-1",
    ) as run:
        yield run


def test_invitations_pending_inside_the_organization_count_toward_rams_limit(
    invitations_pending: MigrationRun,
) -> None:
    # RAM's quota is "Maximum number of pending invitations per account | 20" (AWS RAM User Guide), whoever they
    # went to. Then the migration that would invite one more account stops at Preflight, saying so
    run = invitations_pending
    assert (run.execution.status, run.execution.error) == ("FAILED", "PreflightFailed"), run.execution.cause
    assert "20 invitations already pending" in (run.execution.cause or "")
    assert mutating_calls(run.calls) == []
