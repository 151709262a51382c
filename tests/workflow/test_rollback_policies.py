"""Rolling back the RESOURCE_POLICY strategy, and a rollback under throttling and emptied policies: every policy
ends as it was before the migration, statements others had kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import mutating_calls
from tests.support.policies import put_existing_statements
from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _existing_policies(aws: OfflineAWS, scenario: Scenario) -> None:
    put_existing_statements(aws, scenario.owner, scenario.phone_numbers[:8])


@pytest.fixture(scope="module")
def by_policy() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-rollback-policy", before=_existing_policies, options={"strategy": "RESOURCE_POLICY"}
    ) as outcome:
        yield outcome


def test_resource_policy_strategy_rollback_leaves_every_account_as_before(by_policy: RolledBack) -> None:
    assert by_policy.migration.status == "SUCCEEDED", by_policy.migration.cause
    assert by_policy.migrated != by_policy.before
    assert by_policy.rollback.status == "SUCCEEDED", by_policy.rollback.cause
    assert by_policy.after == by_policy.before


def test_the_statements_it_wrote_are_revoked_and_nothing_shared_through_ram(by_policy: RolledBack) -> None:
    assert by_policy.report["counts"] == {"REVOKED": len(by_policy.migrated_arns)}
    assert [c for c in mutating_calls(by_policy.rollback_calls) if c.service == "ram"] == []
    # A policy that did not exist before is deleted, one that did is written back without the grants
    owner = by_policy.scenario.owner
    operations = {c.operation for c in mutating_calls(by_policy.rollback_calls) if c.account == owner}
    assert operations == {"DeleteResourcePolicy", "PutResourcePolicy"}


def test_a_second_resource_policy_rollback_changes_nothing(by_policy: RolledBack) -> None:
    assert by_policy.again.status == "SUCCEEDED", by_policy.again.cause
    assert mutating_calls(by_policy.again_calls) == []
