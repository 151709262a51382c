"""Calls on different End User Messaging quotas take their turns together: a quota is per account and action
("The following table lists the Requests Per Second (RPS) quota for each resource of the AWS End User Messaging SMS
and Voice v2 API", the quotas page; per account and Region), so one account's wait is another's turn."""

from __future__ import annotations

import pytest
from eum_share.dal import pacing
from eum_share.dal.pacing import Pacer
from eum_share.logic.batch.turns import Turns

from twin.clock import VirtualClock

CONSUMERS = ("111122223333", "444455556666")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    clock = VirtualClock()
    monkeypatch.setattr(pacing._Default, "_pacer", Pacer(None, now=clock.now, sleep=clock.sleep, jitter=lambda: 1.0))
    return clock


def _describe(account: str, made: list[tuple[str, float]], clock: VirtualClock) -> None:
    """A describe call as the paced client makes it: it waits for its quota's turn, then goes."""
    pacing.default_pacer().wait(account, "DescribePhoneNumbers", 1.0)
    made.append((account, round(clock.now(), 6)))


def test_two_consumers_describe_calls_are_made_in_each_others_waits(clock: VirtualClock) -> None:
    # Given three describe calls (1 a second per account) from each of two consumers, the first consumer's first
    turns = Turns()
    made: list[tuple[str, float]] = []
    for account in CONSUMERS:
        for _ in range(3):
            turns.add(account, "DescribePhoneNumbers", lambda account=account: _describe(account, made, clock))
    # When they are made
    turns.finish()
    # Then each consumer's calls went a second apart, side by side: three seconds' worth of turns, not six
    assert sorted(made) == [(account, float(second)) for account in CONSUMERS for second in range(3)]
    assert clock.now() == pytest.approx(2.0)
