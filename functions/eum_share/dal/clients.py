"""boto3 clients, made once per execution environment: creating one is slow, and they are thread-safe."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# A throttled call is retried first by the SDK (standard mode: up to four retries, exponential backoff with jitter),
# so that one throttled call among the hundreds an inventory or a verification makes does not restart the whole
# state; when AWS keeps refusing, the state machine retries the state (AwsThrottled, backoff and full jitter,
# visible in the execution history). Three attempts were not enough: under 30% throttling one call in 37 failed,
# and a state making a hundred calls almost never finished (docs/reliability.md, the storm rows).
SDK_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 5})


@cache
def client(service: str, region: str | None = None) -> Any:
    return boto3.session.Session().client(service, region_name=region, config=SDK_CONFIG)  # type: ignore[call-overload]
