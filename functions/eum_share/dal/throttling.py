"""AWS throttling, seen from the state machine: one retryable error name, whatever the service."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from eum_share.errors import AwsThrottled
from eum_share.observability import metrics

# DynamoDB's BatchWriteItem (botocore's model): "it returns a ProvisionedThroughputExceededException or a
# ThrottlingException. Both indicate that the request was throttled".
THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "ProvisionedThroughputExceededException",
    }
)


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
