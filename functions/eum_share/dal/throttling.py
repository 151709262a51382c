"""AWS throttling, seen from the state machine: one retryable error name, whatever the service."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from botocore.exceptions import ClientError

from eum_share.errors import AwsThrottled
from eum_share.observability import metrics

T = TypeVar("T")

# How each service the orchestrator calls says it is busy, from botocore's models and its retry config (_retry.json):
# ThrottlingException (RAM, End User Messaging, Logs, EventBridge, DynamoDB, Step Functions), Throttling (STS, IAM),
# TooManyRequestsException (Organizations, Lambda, Service Quotas), Throttled (SNS, 429: botocore's standard mode
# does not retry it), SlowDown (S3, 503), and DynamoDB's ProvisionedThroughputExceededException and
# RequestLimitExceeded ("Throughput exceeds the current throughput quota for your account").
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "Throttled",
        "ThrottledException",
        "RequestThrottledException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)


# A polling state that meets a busy AWS asks again after a wait drawn from this range (full jitter): a storm slows
# the migration down, however long it lasts, and never fails it.
BUSY_WAIT_SECONDS = (5, 60)


# How long one AWS call is tried again while AWS throttles it, before the state hears of it: the orchestrator's own
# clients (dal/clients.py) and the paced ones (dal/pacing.py) alike, whatever botocore's attempts and retry quota say.
PATIENCE_SECONDS = 30.0


def full_jitter(attempts: int, first: float, longest: float) -> float:
    """Seconds before the attempt after `attempts`: exponential backoff with full jitter, capped at `longest`."""
    return random.uniform(0, min(longest, first * 2 ** (attempts - 1)))


def busy_wait_seconds() -> int:
    return random.randint(*BUSY_WAIT_SECONDS)


def unless_busy(step: Callable[[], T]) -> T | None:
    """The step's result, or None when AWS stayed busy through the SDK's retries. For a polling state: every step
    it finished is recorded, so it can wait in its Wait state and look again."""
    try:
        return step()
    except ClientError as error:
        if not is_throttled(error):
            raise
        metrics.add_metric(name="Throttles", unit="Count", value=1)
        return None


def is_throttled(error: ClientError) -> bool:
    """Whether AWS refused the call because it is busy (after the SDK's own retries)."""
    return error.response.get("Error", {}).get("Code") in THROTTLING_CODES


@contextmanager
def throttling_is_retryable() -> Iterator[None]:
    """A throttled AWS call becomes AwsThrottled, which the ASL retries with backoff and full jitter.
    Every state is safe to repeat: what it finished is in the ledger."""
    try:
        yield
    except ClientError as error:
        if is_throttled(error):
            metrics.add_metric(name="Throttles", unit="Count", value=1)
            raise AwsThrottled(str(error)) from error
        raise
