"""The rollback's RemoveConfiguration that a storm stops half way goes on, when the state is tried again, from where
it stopped: what it read and removed in the consumers' accounts is not asked again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.support.rollback import RolledBack, migrated_and_rolled_back
from tests.support.throttled import ALWAYS_THROTTLED
from twin.offline import OfflineAWS
from twin.seed import Scenario

PROVISION = {"eventDestinations": {"mode": "PROVISION"}}
STORMY = "sms-voice:DeleteProtectConfiguration"
FUNCTION = "RemoveConfigurationFunction"
runs: list[str] = []
started: list[int] = []  # where in the call log each run of the function starts


def _storm_in_the_first_removal(aws: OfflineAWS, scenario: Scenario) -> None:
    """While RemoveConfiguration first runs, every DeleteProtectConfiguration is throttled (after the event
    destinations and configuration sets are removed), for longer than its calls wait."""
    name = next(n for n in aws.lambdas.functions if n.endswith(FUNCTION))
    function = aws.lambdas.functions[name]

    def storm_then_calm(event: dict[str, Any], context: Any) -> Any:
        faults = aws.world.faults
        calm = faults.config
        started.append(len(aws.world.calls))
        if runs:
            runs.append("calm")
            return function.handler(event, context)
        runs.append("throttled")
        faults.config = replace(calm, rate_limits={**calm.rate_limits, STORMY: ALWAYS_THROTTLED})
        try:
            return function.handler(event, context)
        finally:
            faults.config = calm

    aws.lambdas.register(name, replace(function, handler=storm_then_calm))


@pytest.fixture(scope="module")
def rolled_back() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-removal-storm", between=_storm_in_the_first_removal, configuration=PROVISION
    ) as outcome:
        yield outcome


def test_the_retried_removal_finishes_and_leaves_the_accounts_as_they_were(rolled_back: RolledBack) -> None:
    assert rolled_back.rollback.status == "SUCCEEDED", rolled_back.rollback.cause
    assert runs[:2] == ["throttled", "calm"]
    assert rolled_back.after == rolled_back.before


def test_the_retried_removal_asks_nothing_the_first_one_was_answered(rolled_back: RolledBack) -> None:
    calls = rolled_back.aws.world.calls

    def answered(first: int, last: int) -> set[tuple[str, ...]]:
        return {
            (c.account, c.service, c.operation, json.dumps(c.params, sort_keys=True, default=str))
            for c in calls[first:last]
            if (c.caller or "").endswith(FUNCTION) and c.error is None and c.service not in ("dynamodb", "s3")
        }

    before_the_storm = answered(started[0], started[1])
    assert before_the_storm
    retried = answered(started[1], started[2] if len(started) > 2 else len(calls))  # not the second rollback's
    assert before_the_storm & retried == set()
