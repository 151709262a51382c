"""A rollback under throttling, with RAM's throttled policy writes emptying policies as it removes its statements:
the rollback retries, puts back what was there before, and every account ends as it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.policies import EXISTING, put_existing_statements
from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario

FAULTS = {
    "seed": 7,
    "throttle_rate": 0.05,
    # RAM throttles its own policy writes above 4 in flight: every batch of 10 hits it, migrating and rolling back.
    "policy_write_capacity": 4,
    "empty_policy_rate": 0.5,
}


def _existing_policies(aws: OfflineAWS, scenario: Scenario) -> None:
    put_existing_statements(aws, scenario.owner, scenario.phone_numbers)


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-rollback-faults", identities=30, faults=FAULTS, before=_existing_policies
    ) as outcome:
        yield outcome


def test_faults_hit_the_rollback(run: RolledBack) -> None:
    assert any(c.error == "ThrottlingException" for c in run.rollback_calls)
    assert run.report["restored"], "no policy was emptied while the rollback removed RAM's statements"


def test_the_rollback_completes_and_every_account_is_as_before(run: RolledBack) -> None:
    assert run.migration.status == "SUCCEEDED", run.migration.cause
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    assert run.after == run.before


def test_every_statement_from_before_is_there_after_the_rollback(run: RolledBack) -> None:
    numbers = {
        item["PhoneNumberArn"]: item["Policy"]
        for item in run.after["aws"]["accounts"][run.scenario.owner]["us-east-1"]["sms"]["phone_numbers"]
    }
    for arn in run.scenario.phone_numbers:
        assert numbers[arn] is not None, arn
        assert EXISTING | {"Resource": arn} in numbers[arn]["Statement"], arn
