"""Rolling back a migration that used a share which existed before it: the share and its members stay, only the
identities and principals the migration added leave."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import mutating_calls
from tests.support.policies import put_existing_statements
from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario

OTHER_TEAM = "999999999999"  # an account outside the organization the share already invited


def _share_in_use(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner already shares three numbers (one with a policy statement of its own) with another team."""
    members = scenario.phone_numbers[:3]
    put_existing_statements(aws, scenario.owner, members[:1])
    ram = aws.client("ram", account=scenario.owner)
    ram.create_resource_share(
        name="sms-production", principals=[OTHER_TEAM], resourceArns=members, allowExternalPrincipals=True
    )
    aws.world.settle()


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(name="mig-rollback-shared", before=_share_in_use) as outcome:
        yield outcome


def _share(state: dict[str, Any], owner: str) -> dict[str, Any]:
    [share] = state["aws"]["accounts"][owner]["us-east-1"]["ram"]["shares"]
    return dict(share)


def test_the_migration_used_the_existing_share_and_added_principals_to_it(run: RolledBack) -> None:
    assert run.migration.status == "SUCCEEDED", run.migration.cause
    share = _share(run.migrated, run.scenario.owner)
    assert len(share["principals"]) > 1


def test_after_the_rollback_every_account_is_as_it_was_before_the_migration(run: RolledBack) -> None:
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    assert run.after == run.before


def test_the_share_keeps_its_members_from_before(run: RolledBack) -> None:
    # Then the share is still there, with the other team and the three numbers it had
    share = _share(run.after, run.scenario.owner)
    assert [p["entity"] for p in share["principals"]] == [OTHER_TEAM]
    assert sorted(r["entity"] for r in share["resources"]) == sorted(run.scenario.phone_numbers[:3])
    assert not [c for c in run.rollback_calls if c.operation == "DeleteResourceShare"]
    assert "existed before this migration: kept" in run.report["share"]


def test_only_the_principals_the_migration_added_are_removed(run: RolledBack) -> None:
    assert run.report["principalsRemoved"] == sorted(p for p in run.scenario.request()["principals"])
    removed = [
        c for c in run.rollback_calls if c.operation == "DisassociateResourceShare" and c.params.get("principals")
    ]
    assert [sorted(c.params["principals"]) for c in removed] == [sorted(run.report["principalsRemoved"])]


def test_the_identities_that_were_in_the_share_are_not_disassociated(run: RolledBack) -> None:
    left = {
        arn
        for c in run.rollback_calls
        if c.operation == "DisassociateResourceShare"
        for arn in c.params.get("resourceArns", [])
    }
    assert left.isdisjoint(run.scenario.phone_numbers[:3])
    assert left == set(run.migrated_arns) - set(run.scenario.phone_numbers[:3])


def test_a_second_rollback_changes_nothing(run: RolledBack) -> None:
    assert run.again.status == "SUCCEEDED", run.again.cause
    assert mutating_calls(run.again_calls) == []
