"""The orchestrator's own clients (its ledger, artifacts, events, STS) wait a throttle out.

botocore's standard mode gives up after its attempts, and its retry quota ("the retry quota is decremented when a
retry is attempted ... and incremented when a request succeeds", botocore's standard retry mode) runs dry for the
life of a client through a long storm; a throttled call is tried again, with backoff and full jitter, while its next
attempt comes within `PATIENCE_SECONDS` of its first throttle, or, inside a Lambda invocation, as long as the
invocation can spare."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from eum_share.dal import clients
from eum_share.dal.clients import BACKOFF_LONGEST_SECONDS
from eum_share.dal.throttling import PATIENCE_SECONDS, RESERVE_SECONDS, patience, throttling_is_retryable
from eum_share.errors import AwsThrottled

from tests.support.botocore_answers import answer
from twin.clock import VirtualClock


class Dynamodb:
    """Answers each attempt: ThrottlingException while `throttled` lasts, then the item."""

    def __init__(self, throttled: int) -> None:
        self.throttled, self.attempts = throttled, 0

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.attempts += 1
        if self.throttled:
            self.throttled -= 1
            body: dict[str, Any] = {"__type": "com.amazonaws.dynamodb.v20120810#ThrottlingException", "message": "x"}
            return answer(request, 400, body)
        body = {"Item": {"pk": {"S": "MIG#1"}}}
        return answer(request, 200, body)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> VirtualClock:
    simulated = VirtualClock()
    monkeypatch.setattr(time, "sleep", simulated.sleep)
    monkeypatch.setattr(time, "monotonic", simulated.now)
    return simulated


@pytest.fixture
def ledger_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "b")
    clients.client.cache_clear()
    yield clients.client("dynamodb", "us-east-1")
    clients.client.cache_clear()


def _answering(client: Any, aws: Dynamodb) -> Any:
    client.meta.events.register("before-send.dynamodb", aws)
    return client


def test_a_ledger_read_throttled_past_botocores_attempts_is_answered_once_aws_answers(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given DynamoDB throttling a read twelve times, more than botocore's five attempts
    aws = Dynamodb(throttled=12)
    # When the ledger reads
    found = _answering(ledger_client, aws).get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})
    # Then it gets its item, on the thirteenth attempt, within the patience
    assert found["Item"] == {"pk": {"S": "MIG#1"}}
    assert aws.attempts == 13
    assert clock.now() < PATIENCE_SECONDS


def test_a_ledger_read_throttled_longer_than_the_patience_reaches_the_caller(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given DynamoDB throttling every attempt
    aws = Dynamodb(throttled=10**6)
    # When the ledger reads
    with pytest.raises(ClientError) as refused:
        _answering(ledger_client, aws).get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})
    # Then the throttle reaches the state (AwsThrottled: a wait) once the next attempt would come after the patience,
    # not sooner
    assert refused.value.response["Error"]["Code"] == "ThrottlingException"
    assert PATIENCE_SECONDS - BACKOFF_LONGEST_SECONDS <= clock.now() <= PATIENCE_SECONDS


def test_a_ledger_read_through_a_storm_of_95_percent_is_answered_within_seconds(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given DynamoDB refusing a read twenty times in a row, as a storm of 95% does on average
    aws = Dynamodb(throttled=20)
    # When the ledger reads
    _answering(ledger_client, aws).get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})
    # Then it has its answer within 20 s: a state makes several such calls before its own work
    assert clock.now() < 20


class Invocation:
    """What Lambda passes a handler as `context`, as far as the time left goes."""

    def __init__(self, clock: VirtualClock, seconds: float) -> None:
        self.clock, self.ends_at = clock, clock.now() + seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.ends_at - self.clock.now()) * 1000))


def _handler_reading(client: Any) -> Any:
    @throttling_is_retryable()
    def lambda_handler(event: dict[str, Any], context: Any) -> Any:
        return client.get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})

    return lambda_handler


def test_inside_an_invocation_a_ledger_read_throttled_for_minutes_is_answered(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given a state given 15 minutes, and DynamoDB throttling a read for far longer than the patience outside Lambda
    aws = Dynamodb(throttled=150)
    # When the state reads the ledger
    found = _handler_reading(_answering(ledger_client, aws))({}, Invocation(clock, 900))
    # Then it gets its item, as AWS answers, without the state being failed and retried for it
    assert found["Item"] == {"pk": {"S": "MIG#1"}}
    assert clock.now() > PATIENCE_SECONDS


def test_inside_an_invocation_a_throttled_call_gives_up_in_time_for_the_state_to_save_its_work(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given a state with 40 seconds left, and DynamoDB throttling every attempt
    aws = Dynamodb(throttled=10**6)
    # When the state reads the ledger
    with pytest.raises(AwsThrottled):
        _handler_reading(_answering(ledger_client, aws))({}, Invocation(clock, 40))
    # Then the throttle reaches it (a wait for the state machine) with the reserve still left of its time
    assert clock.now() <= 40 - RESERVE_SECONDS


def test_a_command_waits_a_call_out_for_its_patience_and_says_aws_is_busy_once(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given DynamoDB throttling a read for about five minutes, and a command line patient for a quarter hour
    aws = Dynamodb(throttled=600)
    told: list[str] = []
    # When the command reads
    with patience(900.0, told.append):
        found = _answering(ledger_client, aws).get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})
    # Then it gets its item once AWS answers, and the person running it was told, once, which call AWS throttles
    assert found["Item"] == {"pk": {"S": "MIG#1"}}
    assert PATIENCE_SECONDS < clock.now() < 900.0
    assert told == ["GetItem"]
