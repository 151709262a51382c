"""boto3 clients, made once per execution environment: creating one is slow, and they are thread-safe."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Throttling is retried by the state machine (with backoff and jitter, visible in the execution history),
# so the SDK makes one attempt plus at most two quick retries for connection-level faults.
SDK_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3})


@cache
def client(service: str, region: str | None = None) -> Any:
    return boto3.session.Session().client(service, region_name=region, config=SDK_CONFIG)  # type: ignore[call-overload]
