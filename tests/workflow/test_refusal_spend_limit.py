"""A consumer that reached its monthly spend limit: told to raise it, and nothing is taken out of the share."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.support.refusals import consumer_problems, disassociated, identity_line
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _spent(aws: OfflineAWS, scenario: Scenario) -> None:
    aws.sms.reach_spend_limit(scenario.consumers[1], scenario.region)


@pytest.fixture(scope="module")
def spent() -> Iterator[MigrationRun]:
    def selection(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": scenario.phone_numbers[:2]}

    with migration_run(identities=8, before=_spent, name="mig-spent-1", resources=selection) as outcome:
        yield outcome


def test_a_consumer_over_its_spend_limit_is_told_to_raise_it_and_nothing_is_repaired(spent: MigrationRun) -> None:
    # Given a consumer that has reached its monthly SMS spend limit / When two numbers are migrated
    within, over = spent.scenario.consumers
    numbers = spent.scenario.phone_numbers[:2]
    # Then both are verified and stay shared, and the report tells that consumer, for each, to raise its limit
    assert spent.execution.output["outcome"] == "SUCCEEDED"
    assert [identity_line(spent, n)["status"] for n in numbers] == ["VERIFIED", "VERIFIED"]
    assert not any(disassociated(spent, n) for n in numbers)
    problems = consumer_problems(spent, over)
    assert sorted(p["identity"] for p in problems) == sorted(numbers)
    assert all("MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT" in p["problem"] for p in problems)
    assert all("spend limit" in p["action"] for p in problems)
    assert consumer_problems(spent, within) == []
