"""Pacing by account and action: the published rate to start from, backing off on throttling, recovering on answers,
every attempt paced (botocore's retries too), and the rates kept in the ledger across invocations.

Sources: the quotas page of the End User Messaging SMS user guide
(https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html), "the Requests Per Second (RPS) quota for
each resource", most actions at 1, ListTagsForResource at 10. ThrottlingException in botocore's
pinpoint-sms-voice-v2 model: "An error that occurred because too many requests were sent during a certain amount
of time."

The client under test sends nothing: a botocore before-send handler answers each attempt as AWS would (JSON
protocol, HTTP 400 with `__type` ThrottlingException, or 200 with the action's output), so that botocore's own
retry loop runs, which a Stubber (answering before the request is even built) would skip.
"""

from __future__ import annotations

import random
import time
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from eum_share.dal import pacing
from eum_share.dal.clients import SDK_CONFIG, patient
from eum_share.dal.pacing import LedgerStore, Pacer, pace
from eum_share.dal.throttling import PATIENCE_SECONDS, RESERVE_SECONDS, throttling_is_retryable
from eum_share.errors import AwsThrottled

from tests.support.botocore_answers import answer
from tests.support.ledger_table import create_ledger_table
from tests.unit.test_own_clients_throttled import Invocation
from twin.clock import VirtualClock
from twin.offline import OfflineAWS

ACCOUNT = "111122223333"
ARN = "arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0123456789abcdef0123456789abcdef"
TABLE = "ledger"


class Aws:
    """Answers each attempt: throttled while `throttled` says so, else the output; notes when each came."""

    def __init__(self, clock: VirtualClock, output: dict[str, Any], throttled: int = 0) -> None:
        self.clock, self.output, self.throttled = clock, output, throttled
        self.attempts: list[float] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.attempts.append(round(self.clock.now(), 6))
        if self.throttled:
            self.throttled -= 1
            body = {"__type": "ThrottlingException", "Message": "Rate exceeded"}
            return answer(request, 400, body)
        return answer(request, 200, self.output)


def _client(pacer: Pacer, aws: Aws) -> Any:
    made = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b").client(
        "pinpoint-sms-voice-v2",
        region_name="us-east-1",
        config=SDK_CONFIG,  # type: ignore[call-overload]
    )
    pace(made, ACCOUNT, pacer)
    made.meta.events.register("before-send.pinpoint-sms-voice-v2", aws)
    return made


def _pacer(clock: VirtualClock, store: Any = None) -> Pacer:
    # No jitter: a throttled action's next attempt comes exactly one (lowered) interval later.
    return Pacer(store, now=clock.now, sleep=clock.sleep, jitter=lambda: 1.0)


def _policy(clock: VirtualClock, throttled: int = 0) -> Aws:
    return Aws(clock, {"ResourceArn": ARN, "Policy": "{}"}, throttled)


def test_calls_to_an_action_limited_to_one_a_second_are_a_second_apart() -> None:
    # Given a paced client and a simulated clock
    clock = VirtualClock()
    aws = _policy(clock)
    client = _client(_pacer(clock), aws)
    # When GetResourcePolicy is called three times in a row
    for _ in range(3):
        client.get_resource_policy(ResourceArn=ARN)
    # Then each call waited its turn: one a second, as the quotas page allows
    assert aws.attempts == [0.0, 1.0, 2.0]


def test_each_action_is_spaced_by_its_own_rate() -> None:
    # Given a paced client and a simulated clock
    clock = VirtualClock()
    tags = Aws(clock, {"ResourceArn": ARN, "Tags": []})
    client = _client(_pacer(clock), tags)
    # When ListTagsForResource (10 a second) is called three times
    for _ in range(3):
        client.list_tags_for_resource(ResourceArn=ARN)
    # Then the tag reads took a tenth of a second each
    assert tags.attempts == [0.0, 0.1, 0.2]


def test_botocores_retries_of_a_throttled_call_are_paced_at_a_lowered_rate() -> None:
    # Given an action at 1 a second whose first two attempts AWS throttles
    clock = VirtualClock()
    aws = _policy(clock, throttled=2)
    client = _client(_pacer(clock), aws)
    # When it is called once
    client.get_resource_policy(ResourceArn=ARN)
    # Then each retry waited its turn, longer each time (1/0.75 s, then 1/0.5625 s), instead of coming at once
    assert aws.attempts == [0.0, round(1 / 0.75, 6), round(1 / 0.75 + 1 / 0.5625, 6)]


def test_the_rate_recovers_once_aws_answers_again() -> None:
    # Given an action throttled twice (its rate lowered to 0.5625 a second)
    clock = VirtualClock()
    pacer = _pacer(clock)
    client = _client(pacer, _policy(clock, throttled=2))
    client.get_resource_policy(ResourceArn=ARN)
    # When AWS answers the next calls
    for _ in range(2):
        client.get_resource_policy(ResourceArn=ARN)
    # Then the rate climbed back a quarter of the published rate per answer, never above it
    assert pacer.rate(ACCOUNT, "GetResourcePolicy", 1.0) == 1.0


def test_a_throttled_call_is_tried_again_past_botocores_attempts_until_aws_answers() -> None:
    # Given botocore's standard mode allows 5 attempts, and AWS throttles the first 8
    clock = VirtualClock()
    aws = _policy(clock, throttled=8)
    client = _client(_pacer(clock), aws)
    # When the call is made
    answer = client.get_resource_policy(ResourceArn=ARN)
    # Then it waited the storm out and returned AWS's answer
    assert answer["Policy"] == "{}"
    assert len(aws.attempts) == 9


def test_a_call_throttled_for_longer_than_the_patience_reaches_the_caller() -> None:
    # Given AWS throttles every attempt of the call
    clock = VirtualClock()
    aws = _policy(clock, throttled=10_000)
    client = _client(_pacer(clock), aws)
    # When the call is made
    with pytest.raises(ClientError) as raised:
        client.get_resource_policy(ResourceArn=ARN)
    # Then it is tried while its next turn comes within the patience, and then says AWS was busy
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert PATIENCE_SECONDS - 10 < aws.attempts[-1] <= PATIENCE_SECONDS


def test_inside_an_invocation_a_paced_call_is_tried_again_for_one_patience(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a state with 300 s left, and End User Messaging throttling every attempt of a call on a client that is
    # paced and patient, as the clients in the owner's and consumers' accounts are
    clock = VirtualClock()
    monkeypatch.setattr(time, "monotonic", clock.now)
    aws = _policy(clock, throttled=10**6)
    client = patient(_client(_pacer(clock), aws))

    @throttling_is_retryable()
    def lambda_handler(event: dict[str, Any], context: Any) -> Any:
        return client.get_resource_policy(ResourceArn=ARN)

    # When the state makes the call
    with pytest.raises(AwsThrottled):
        lambda_handler({}, Invocation(clock, 300))
    # Then the call stops being tried when the invocation's patience says, counted from its first throttle (half of
    # what was left, less the reserve: 142.5 s), and no second count starts when the pacing's ends
    patience = (300 - RESERVE_SECONDS) / 2
    assert patience - 10 < aws.attempts[-1] <= patience


def test_a_new_lambda_starts_at_the_rate_the_last_one_left_in_the_ledger(aws: OfflineAWS) -> None:
    # Given a Lambda that met three throttles in a row on GetResourcePolicy (its rate down to 0.42 a second)
    dynamodb = create_ledger_table(aws, TABLE)
    store = LedgerStore(TABLE, lambda: dynamodb)
    clock = VirtualClock()
    earlier = _pacer(clock, store)
    earlier.rate(ACCOUNT, "GetResourcePolicy", 1.0)
    clock.advance(60)
    for _ in range(3):
        earlier.answered(ACCOUNT, "GetResourcePolicy", 1.0, throttled=True)
    # When a new Lambda (a pacer of its own) makes two calls
    later = _policy(clock)
    client = _client(_pacer(clock, store), later)
    for _ in range(2):
        client.get_resource_policy(ResourceArn=ARN)
    # Then it spaces them at the rate the ledger holds, not at the published one
    assert later.attempts[1] - later.attempts[0] == pytest.approx(1 / 0.75**3, rel=1e-3)


def test_concurrent_lambdas_lose_no_throttle_count_and_the_lower_rate_wins(aws: OfflineAWS) -> None:
    # Given two Lambdas pacing the same account and action, each having read the ledger
    dynamodb = create_ledger_table(aws, TABLE)
    store = LedgerStore(TABLE, lambda: dynamodb)
    clock = VirtualClock()
    first, second = _pacer(clock, store), _pacer(clock, store)
    for pacer in (first, second):
        pacer.rate(ACCOUNT, "DescribePools", 1.0)
    clock.advance(60)
    # When the first meets three throttles (its rate down to 0.42, written), and the second one, five minutes later
    for _ in range(3):
        first.answered(ACCOUNT, "DescribePools", 1.0, throttled=True)
    clock.advance(300)
    second.answered(ACCOUNT, "DescribePools", 1.0, throttled=True)
    # Then the ledger counts all four throttles
    assert store.throttles(ACCOUNT) == {"DescribePools": 4}
    # And holds the lower of the two rates: the first's (0.75^3), not the second's (0.75)
    saved = store.load(ACCOUNT, "DescribePools")
    assert saved is not None
    assert saved.rate == pytest.approx(0.75**3, rel=1e-3)


def _answered_calls(pacer: Pacer, clock: VirtualClock, refused: Any, calls: int) -> list[bool]:
    """Make `calls` calls of a 1-a-second action, each tried again until answered; `refused(now)` says whether AWS
    throttles an attempt made at that moment. The attempts' outcomes, throttled or not."""
    outcomes: list[bool] = []
    for _ in range(calls):
        throttled = True
        while throttled:
            pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)
            throttled = refused(clock.now())
            outcomes.append(throttled)
            pacer.answered(ACCOUNT, "GetResourcePolicy", 1.0, throttled)
    return outcomes


def test_throttling_that_slowing_down_does_not_lessen_does_not_slow_the_calls_down() -> None:
    # Given AWS busy for everyone: 95% of attempts throttled whatever the rate they come at
    clock = VirtualClock()
    pacer = _pacer(clock)
    chance = random.Random(11)
    # When 20 calls of an action published at 1 a second are made, each tried until answered
    _answered_calls(pacer, clock, lambda _now: chance.random() < 0.95, calls=20)
    # Then they took about the 400 attempts' worth of seconds at the published rate, not ten times that
    assert clock.now() < 800
    assert pacer.rate(ACCOUNT, "GetResourcePolicy", 1.0) >= 0.5


def test_throttling_that_slowing_down_lessens_still_slows_the_calls_down() -> None:
    # Given an account whose quota, shared with other automation, leaves this action half a request a second
    clock = VirtualClock()
    pacer = _pacer(clock)
    bucket = {"tokens": 1.0, "at": 0.0}

    def refused(now: float) -> bool:
        bucket["tokens"] = min(1.0, bucket["tokens"] + (now - bucket["at"]) * 0.5)
        bucket["at"] = now
        if bucket["tokens"] < 1.0:
            return True
        bucket["tokens"] -= 1.0
        return False

    # When 100 calls are made, each tried until answered
    outcomes = _answered_calls(pacer, clock, refused, calls=100)
    # Then the pacer came down to near what is left: most of the later attempts are answered
    later = outcomes[-100:]
    assert sum(later) / len(later) < 0.35


def test_while_a_call_waits_for_its_turn_calls_on_other_quotas_are_made_in_the_wait() -> None:
    # Given a pacer, and DryRun sends (5 a second) waiting to be made in another account
    clock = VirtualClock()
    pacer = _pacer(clock)
    sends: list[float] = []

    def send(until: float) -> bool:
        if len(sends) == 5 or pacer.turn("444455556666", "SendTextMessage:DryRun", 5.0) >= until:
            return False
        pacer.wait("444455556666", "SendTextMessage:DryRun", 5.0)
        sends.append(round(clock.now(), 6))
        return True

    # When two policy reads (1 a second) are made with the sends as the work meanwhile
    with pacer.meanwhile(send):
        for _ in range(2):
            pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)
    # Then the sends were made while the second read waited its turn, which came on time
    assert sends == [0.0, 0.2, 0.4, 0.6, 0.8]
    assert clock.now() == pytest.approx(1.0)


def test_an_attempt_that_goes_past_its_turn_spaces_the_next_one_from_when_it_went() -> None:
    # Given work meanwhile that runs half a second past a policy read's turn
    clock = VirtualClock()
    pacer = _pacer(clock)
    done: list[bool] = []

    def slow(until: float) -> bool:
        if done:
            return False
        clock.advance(until - clock.now() + 0.5)
        done.append(True)
        return True

    pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)
    with pacer.meanwhile(slow):
        pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)  # its turn at 1.0, made at 1.5
    # When the next read is made
    pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)
    # Then it waited a full second after the late one, as the quota counts
    assert clock.now() == pytest.approx(2.5)


def test_the_backoff_of_a_throttled_ram_call_is_a_wait_that_work_meanwhile_uses() -> None:
    # Given RAM (no published rate) throttling the first attempt of a call, and policy reads waiting to be made
    clock = VirtualClock()
    pacer = _pacer(clock)
    ram = boto3.session.Session(aws_access_key_id="a", aws_secret_access_key="b").client(
        "ram",
        region_name="us-east-1",
        config=SDK_CONFIG,  # type: ignore[call-overload]
    )
    pace(ram, ACCOUNT, pacer)
    aws = Aws(clock, {"resourceShareAssociations": []}, throttled=1)
    ram.meta.events.register("before-send.ram", aws)
    reads: list[float] = []

    def read(until: float) -> bool:
        if pacer.turn(ACCOUNT, "GetResourcePolicy", 1.0) >= until:
            return False
        pacer.wait(ACCOUNT, "GetResourcePolicy", 1.0)
        reads.append(clock.now())
        return True

    # When the call is made with the reads as the work meanwhile, its backoff drawn long enough for one
    with mock.patch.object(pacing, "full_jitter", return_value=0.5), pacer.meanwhile(read):
        ram.get_resource_share_associations(associationType="RESOURCE")
    # Then a read was made while the call backed off, and the call was tried again after its backoff
    assert reads == [0.0]
    assert aws.attempts == [0.0, 0.5]


def test_a_throttled_attempt_made_meanwhile_is_not_tried_again_in_the_wait_it_fills() -> None:
    # Given a paced client whose next policy read AWS throttles, and a second account's action waiting for its turn
    clock = VirtualClock()
    pacer = _pacer(clock)
    aws = _policy(clock, throttled=1)
    client = _client(pacer, aws)
    outcomes: list[str] = []

    def read(until: float) -> bool:
        if outcomes:
            return False
        try:
            client.get_resource_policy(ResourceArn=ARN)
            outcomes.append("answered")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
        return True

    pacer.wait("444455556666", "DescribePhoneNumbers", 1.0)
    # When the second account's next call waits for its turn, with the read as the work meanwhile
    with pacer.meanwhile(read):
        pacer.wait("444455556666", "DescribePhoneNumbers", 1.0)
    # Then the read was tried once and its throttle handed to the work, and the call went at its turn
    assert outcomes == ["ThrottlingException"]
    assert aws.attempts == [0.0]
    assert clock.now() == pytest.approx(1.0)
