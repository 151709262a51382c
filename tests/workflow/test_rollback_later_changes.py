"""What the owner changed in a policy after the migration is respected by its rollback: a statement removed since
stays removed, a statement added since stays."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.support.migration import policy_of
from tests.support.policies import EXISTING, LATER, put_existing_statements
from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _owner_statements(aws: OfflineAWS, scenario: Scenario) -> None:
    put_existing_statements(aws, scenario.owner, scenario.phone_numbers[:2])


def _owner_changes_them(aws: OfflineAWS, scenario: Scenario) -> None:
    """After the migration the owner takes its statement off the first number and adds one to the second."""
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
    first, second = scenario.phone_numbers[:2]
    for arn, drop, add in ((first, EXISTING, None), (second, None, LATER)):
        document = json.loads(sms.get_resource_policy(ResourceArn=arn)["Policy"])
        kept = [s for s in document["Statement"] if drop is None or s != drop | {"Resource": arn}]
        document["Statement"] = kept + ([add | {"Resource": arn}] if add else [])
        sms.put_resource_policy(ResourceArn=arn, Policy=json.dumps(document))


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-rollback-later", before=_owner_statements, between=_owner_changes_them
    ) as outcome:
        yield outcome


def test_a_statement_removed_since_the_migration_is_not_put_back(run: RolledBack) -> None:
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    assert policy_of(run.aws, run.scenario.owner, run.scenario.phone_numbers[0]) is None


def test_a_statement_added_since_the_migration_stays(run: RolledBack) -> None:
    arn = run.scenario.phone_numbers[1]
    policy = policy_of(run.aws, run.scenario.owner, arn)
    assert policy is not None
    assert sorted(s["Sid"] for s in policy["Statement"]) == ["AddedAfterTheMigration", "LetPinpointSend"]
