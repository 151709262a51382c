"""The orchestrator's own clients (its ledger, artifacts, events, STS) wait a throttle out.

botocore's standard mode gives up after its attempts, and its retry quota ("the retry quota is decremented when a
retry is attempted ... and incremented when a request succeeds", botocore's standard retry mode) runs dry for the
life of a client through a long storm; a throttled call is tried again, with backoff and full jitter, until it has
been throttled for `PATIENCE_SECONDS`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from eum_share.dal import clients

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
    assert clock.now() < clients.PATIENCE_SECONDS


def test_a_ledger_read_throttled_longer_than_the_patience_reaches_the_caller(
    clock: VirtualClock, ledger_client: Any
) -> None:
    # Given DynamoDB throttling every attempt
    aws = Dynamodb(throttled=10**6)
    # When the ledger reads
    with pytest.raises(ClientError) as refused:
        _answering(ledger_client, aws).get_item(TableName="ledger", Key={"pk": {"S": "MIG#1"}})
    # Then the throttle reaches the state (AwsThrottled: a wait) after the patience, not before
    assert refused.value.response["Error"]["Code"] == "ThrottlingException"
    assert clock.now() >= clients.PATIENCE_SECONDS
