"""End User Messaging's request quotas, kept by the caller instead of discovered by throttling.

AWS publishes a rate per account for each End User Messaging SMS action, most at 1 request a second, and DryRun
sends validate at 5 a second (`dal/quotas.py`, with its sources). Each client spaces every one of its calls to keep
under them: a throttled call would cost a Step Functions retry with backoff, far more time than the wait. The
spacing is per account and quota, as the quotas are, and shared by the invocations of one execution environment.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from eum_share.dal.quotas import quota_of

SMS_SERVICE = "pinpoint-sms-voice-v2"


class Pacer:
    """Reserves each call a moment no sooner than 1/rate after the previous one of its account and quota.

    `now` and `sleep` default to time.monotonic and time.sleep, looked up at each call so that an offline Lambda
    runtime that simulates time is followed."""

    def __init__(self, now: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None) -> None:
        self._now = now
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next: dict[tuple[str, str], float] = {}

    def wait(self, account: str, quota: str, per_second: float) -> None:
        with self._lock:
            now = self._now() if self._now else time.monotonic()
            at = max(now, self._next.get((account, quota), now))
            self._next[(account, quota)] = at + 1.0 / per_second
        if at > now:
            (self._sleep or time.sleep)(at - now)


_pacer = Pacer()


def before_call(pacer: Pacer, account: str) -> Callable[..., None]:
    """The botocore handler that waits for the call's turn under its quota, before the call is sent."""

    def wait_turn(params: dict[str, Any], model: Any, **_: Any) -> None:
        pacer.wait(account, *quota_of(model.name, params.get("DryRun") is True))

    return wait_turn


def pace(client: Any, account: str, pacer: Pacer | None = None) -> Any:
    """The client, every End User Messaging call spaced to stay under the account's quotas."""
    client.meta.events.register(f"before-parameter-build.{SMS_SERVICE}", before_call(pacer or _pacer, account))
    return client
