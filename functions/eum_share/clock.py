"""Time as the functions see it. Read through time.time so that an offline Lambda runtime can simulate it."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.fromtimestamp(time.time(), UTC)


def isonow() -> str:
    return utcnow().isoformat(timespec="milliseconds")


def epoch() -> int:
    """Whole seconds since 1970, as DynamoDB conditions compare them."""
    return int(time.time())


def sleep(seconds: float) -> None:
    """Wait; through time.sleep, looked up at each call, so that an offline Lambda runtime can simulate it."""
    time.sleep(seconds)
