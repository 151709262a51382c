"""AWS throttling, seen from the state machine: one retryable error name, whatever the service."""

from __future__ import annotations

import functools
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ContextDecorator, contextmanager
from types import TracebackType
from typing import Any, ParamSpec, TypeVar

from botocore.exceptions import ClientError

from eum_share.errors import AwsThrottled
from eum_share.observability import metrics

T = TypeVar("T")
P = ParamSpec("P")

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
# Inside a Lambda invocation the clients of dal/clients.py keep trying for longer, while the invocation has time
# (`give_up_at`): under a storm of 95% a call needs twenty attempts on average, more than 30 s gives it.
PATIENCE_SECONDS = 30.0
# What a throttled call leaves of its invocation's time: enough for the state to save what it finished and answer.
RESERVE_SECONDS = 15.0
# Marks in a call's botocore request context: when AWS first throttled it, and that its patience is spent. Every
# handler that tries a throttled call again (dal/pacing.py's, dal/clients.py's) asks `try_again`, so a call has one
# patience, counted once from its first throttle, whichever handler's wait comes next.
_THROTTLED_SINCE, _PATIENCE_SPENT = "eum_share_throttled_since", "eum_share_patience_spent"


class _Invocation(threading.local):
    """When the Lambda invocation running on this thread ends (time.monotonic), if one runs; outside one, how long a
    throttled call is tried again and who is told when AWS throttles one (`patience`)."""

    ends_at: float | None = None
    patience: float = PATIENCE_SECONDS
    tell: Callable[[str], None] | None = None


_invocation = _Invocation()


def give_up_at(since: float) -> float:
    """When a call throttled since `since` (time.monotonic) stops being tried again. Inside an invocation: half of
    what is left of it then, less the reserve, and never less than PATIENCE_SECONDS unless the invocation ends
    sooner; the other half is for the calls after it, so that a state that cannot finish still saves what it did.
    Outside one (a tool, a test): PATIENCE_SECONDS."""
    ends_at = _invocation.ends_at
    if ends_at is None:
        return since + _invocation.patience
    last = ends_at - RESERVE_SECONDS
    return min(last, since + max(PATIENCE_SECONDS, (last - since) / 2))


def try_again(context: dict[str, Any], operation: str, now: float, next_attempt: float) -> bool:
    """Whether a call AWS throttled (its botocore request context, its operation, the time now) is tried again at
    `next_attempt`: only within its patience (`give_up_at`), and never again once a handler said no. Its first
    throttle is told (`throttled_first`)."""
    if context.get(_PATIENCE_SPENT):
        return False
    if _THROTTLED_SINCE not in context:
        context[_THROTTLED_SINCE] = now
        throttled_first(operation)
    if next_attempt <= give_up_at(context[_THROTTLED_SINCE]):
        return True
    context[_PATIENCE_SPENT] = True
    return False


@contextmanager
def patience(seconds: float, tell: Callable[[str], None] | None = None) -> Iterator[None]:
    """Outside Lambda (the command line, where a person waits): each throttled call on this thread is tried again
    for `seconds`, and `tell` hears the name of each call AWS first throttles, so that the wait is not a silence."""
    earlier = (_invocation.patience, _invocation.tell)
    _invocation.patience, _invocation.tell = seconds, tell
    try:
        yield
    finally:
        _invocation.patience, _invocation.tell = earlier


def throttled_first(operation: str) -> None:
    """A call was throttled for the first time: whoever `patience` names hears of it."""
    if _invocation.tell is not None and _invocation.ends_at is None:
        _invocation.tell(operation)


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


class throttling_is_retryable(ContextDecorator):
    """A throttled AWS call becomes AwsThrottled, which the ASL retries with backoff and full jitter.
    Every state is safe to repeat: what it finished is in the ledger.

    On a handler (`lambda_handler(event, context)`), it also tells the clients how long the invocation has left
    (`give_up_at`)."""

    def __call__(self, handler: Callable[P, T]) -> Callable[P, T]:  # type: ignore[override]
        @functools.wraps(handler)
        def invoked(*args: P.args, **kwargs: P.kwargs) -> T:
            context = args[1] if len(args) > 1 else kwargs.get("context")
            earlier = _invocation.ends_at
            _invocation.ends_at = _ends_at(context)
            try:
                with self:
                    return handler(*args, **kwargs)
            finally:
                _invocation.ends_at = earlier

        return invoked

    def __enter__(self) -> throttling_is_retryable:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if isinstance(error, ClientError) and is_throttled(error):
            metrics.add_metric(name="Throttles", unit="Count", value=1)
            raise AwsThrottled(str(error)) from error


def _ends_at(context: Any) -> float | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    left = remaining() if callable(remaining) else None
    return time.monotonic() + left / 1000 if isinstance(left, int | float) else None
