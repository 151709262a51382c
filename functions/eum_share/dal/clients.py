"""boto3 clients, made once per execution environment: creating one is slow, and they are thread-safe."""

from __future__ import annotations

import time
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from eum_share.dal.throttling import THROTTLING_CODES, full_jitter, try_again

# A throttled call is retried first by the SDK (standard mode: up to four retries, exponential backoff with jitter),
# so that one throttled call among the hundreds an inventory or a verification makes does not restart the whole
# state; when AWS keeps refusing, the state machine retries the state (AwsThrottled, backoff and full jitter,
# visible in the execution history). Three attempts were not enough: under 30% throttling one call in 37 failed,
# and a state making a hundred calls almost never finished (docs/reliability.md, the storm rows).
SDK_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 5})
# A throttled call is tried again, with exponential backoff and full jitter from these, until `give_up_at`
# (dal/throttling.py: PATIENCE_SECONDS, or longer while the Lambda invocation has time):
# standard mode's retry quota (500 units, 5 spent per retried throttle, given back only when a retry succeeds) is
# drained by a long storm for the life of the cached client, after which no throttle would be retried at all and a
# state would meet one on nearly every invocation (throttle-50 in the fault matrix throttles every service).
# The longest wait is short: under a storm of 95% a call needs twenty attempts on average, and a state makes several
# such calls in one invocation (its ledger item, its artifacts) before the work it is there for.
BACKOFF_FIRST_SECONDS, BACKOFF_LONGEST_SECONDS = 0.1, 1.0


def retry_throttles(
    response: Any,
    caught_exception: Exception | None,
    attempts: int,
    request_dict: dict[str, Any],
    operation: Any = None,
    **_: Any,
) -> float | None:
    """botocore's needs-retry handler, first in line: the delay before the next attempt of a throttled call, or
    None to let botocore decide (any other answer, or a call throttled for longer than the patience)."""
    if caught_exception is not None or response is None:
        return None
    if response[1].get("Error", {}).get("Code") not in THROTTLING_CODES:
        return None
    now = time.monotonic()
    delay = full_jitter(attempts, BACKOFF_FIRST_SECONDS, BACKOFF_LONGEST_SECONDS)
    name = operation.name if operation is not None else "a call"
    return delay if try_again(request_dict.setdefault("context", {}), name, now, now + delay) else None


def patient(made: Any) -> Any:
    """The client, its throttled calls tried again until `give_up_at`, before any other retry handler decides
    (a paced client's pacing, registered first, still spaces and counts every attempt: dal/pacing.py)."""
    made.meta.events.register_first(f"needs-retry.{made.meta.service_model.service_id.hyphenize()}", retry_throttles)
    return made


@cache
def client(service: str, region: str | None = None) -> Any:
    return patient(boto3.session.Session().client(service, region_name=region, config=SDK_CONFIG))  # type: ignore[call-overload]
