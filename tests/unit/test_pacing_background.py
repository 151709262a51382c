"""Throttling that slowing down does not lessen: how a lane tells it from congestion, and how what one lane found
reaches the lanes made after it, in any account, in its environment and, through the ledger, in others.

Sources: the quotas page of the End User Messaging SMS user guide
(https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html), a rate per account and action, "Requests Per
Second (RPS)"; nothing AWS publishes tells a throttle caused by the caller's own rate from one caused by other load
(docs/aws-assumptions.md, "A throttled attempt counts against the quota, and a throttle may not be ours").
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from eum_share.dal.pacing import BACKGROUND_KEPT_SECONDS, LedgerStore, Pacer

from tests.support.ledger_table import create_ledger_table
from twin.clock import VirtualClock
from twin.offline import OfflineAWS

ACCOUNT = "111122223333"
CONSUMER = "444455556666"
TABLE = "ledger"
EPOCH = 1_800_000_000.0
# One attempt in two throttled, alternately: a storm that does not change with the rate the attempts come at.
STORM = [True, False] * 30


def _pacer(clock: VirtualClock, store: LedgerStore | None = None) -> Pacer:
    # No jitter: a throttled action's next attempt comes exactly one (lowered) interval later.
    return Pacer(store, now=clock.now, sleep=clock.sleep, jitter=lambda: 1.0, wall=lambda: EPOCH + clock.now())


@pytest.fixture
def store(aws: OfflineAWS) -> LedgerStore:
    dynamodb = create_ledger_table(aws, TABLE)
    return LedgerStore(TABLE, lambda: dynamodb)


def _storm_found(clock: VirtualClock, store: LedgerStore | None = None) -> Pacer:
    """A pacer whose DescribePhoneNumbers calls found, by slowing down, that one attempt in two is throttled."""
    pacer = _pacer(clock, store)
    _attempts(pacer, clock, "DescribePhoneNumbers", STORM)
    return pacer


def _attempts(
    pacer: Pacer, clock: VirtualClock, action: str, throttled: Iterable[bool], account: str = ACCOUNT
) -> float:
    """Attempts of a 1-a-second action, each at its turn, AWS answering as `throttled` says; the seconds from the
    first to the turn after the last."""
    started = None
    for refused in throttled:
        pacer.wait(account, action, 1.0)
        started = clock.now() if started is None else started
        pacer.answered(account, action, 1.0, refused)
    assert started is not None
    return pacer.turn(account, action, 1.0) - started


def test_a_lane_made_during_a_storm_starts_from_the_background_found() -> None:
    # Given the owner's DescribePhoneNumbers calls found, by slowing down, that one attempt in two is throttled
    clock = VirtualClock()
    pacer = _storm_found(clock)
    # When the owner's first 60 policy reads meet the same storm
    took = _attempts(pacer, clock, "GetResourcePolicy", STORM)
    # Then they went at the published rate, one a second, without slowing down to find it out again
    assert took == pytest.approx(len(STORM))
    assert pacer.rate(ACCOUNT, "GetResourcePolicy", 1.0) == 1.0


def test_a_consumers_first_calls_in_a_storm_start_from_the_background_the_owners_found() -> None:
    # Given the owner's DescribePhoneNumbers calls found that one attempt in two is throttled
    clock = VirtualClock()
    pacer = _storm_found(clock)
    # When a consumer's first 60 CreateConfigurationSet calls meet the same storm
    took = _attempts(pacer, clock, "CreateConfigurationSet", STORM, account=CONSUMER)
    # Then they went at the published rate: AWS busy whichever account calls
    assert took == pytest.approx(len(STORM))


def test_a_lane_of_another_environment_starts_from_the_background_the_ledger_holds(store: LedgerStore) -> None:
    # Given a Lambda whose DescribePhoneNumbers calls found that one attempt in two is throttled
    clock = VirtualClock()
    _storm_found(clock, store)
    # When another Lambda (a pacer of its own) makes the account's first 60 policy reads in the same storm
    later = _pacer(clock, store)
    took = _attempts(later, clock, "GetResourcePolicy", STORM)
    # Then they went at the published rate
    assert took == pytest.approx(len(STORM))


def test_a_background_found_long_ago_is_found_out_again(store: LedgerStore) -> None:
    # Given a Lambda whose calls found that one attempt in two is throttled, longer ago than a background is kept
    clock = VirtualClock()
    _storm_found(clock, store)
    clock.advance(BACKGROUND_KEPT_SECONDS + 1)
    # When another Lambda's first policy reads are throttled one in two
    later = _pacer(clock, store)
    took = _attempts(later, clock, "GetResourcePolicy", STORM)
    # Then they slowed down to find out whether the throttling is theirs
    assert took > len(STORM) + 5


def test_seven_throttles_in_a_row_in_a_storm_of_one_in_two_do_not_slow_the_lane_down() -> None:
    # Given a lane that found that one attempt in two is throttled, and went on at its rate for a while
    clock = VirtualClock()
    pacer = _pacer(clock)
    _attempts(pacer, clock, "GetResourcePolicy", STORM * 2)
    # When seven attempts in a row are throttled, then the storm goes on
    took = _attempts(pacer, clock, "GetResourcePolicy", [True] * 7 + STORM)
    # Then the lane kept its rate: chance, not congestion
    assert took == pytest.approx(7 + len(STORM))


def test_throttles_that_halve_when_the_rate_halves_are_congestion() -> None:
    # Given a lane throttled four times in a row: its share of throttles (0.34) starts a trial at half its rate
    clock = VirtualClock()
    pacer = _pacer(clock)
    _attempts(pacer, clock, "GetResourcePolicy", [True] * 4)
    # When one of the trial's ten attempts is throttled (the share fell by less than a quarter, but by more than
    # half), then another attempt is
    _attempts(pacer, clock, "GetResourcePolicy", [True] + [False] * 9)
    before = pacer.rate(ACCOUNT, "GetResourcePolicy", 1.0)
    _attempts(pacer, clock, "GetResourcePolicy", [True])
    # Then that throttle slowed the lane down: the throttling was the lane's own
    assert before is not None
    assert pacer.rate(ACCOUNT, "GetResourcePolicy", 1.0) == pytest.approx(before * 0.75)
