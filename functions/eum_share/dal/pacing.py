"""End User Messaging's request quotas, kept by the caller instead of discovered by throttling.

AWS publishes a rate per account for each End User Messaging SMS action: 1 request a second for every
Describe* and Create* action (the quotas page of the End User Messaging SMS user guide), and DryRun sends
validate at 5 a second ("The Message Parts per Second (MPS) limit when using DryRun is five", SendTextMessage
in the API reference). Each client spaces its calls to keep under them: a throttled call would cost a
Step Functions retry with backoff, far more time than the wait. The spacing is per account and action, as the
quotas are, and shared by the invocations of one execution environment.
"""

from __future__ import annotations

import threading
import time
from typing import Any

DESCRIBE_CREATE_PER_SECOND = 1.0
DRY_RUN_PER_SECOND = 5.0
SMS_SERVICE = "pinpoint-sms-voice-v2"


class Pacer:
    """Reserves each call a moment no sooner than 1/rate after the previous one of its account and action."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next: dict[tuple[str, str], float] = {}

    def wait(self, account: str, action: str, per_second: float) -> None:
        with self._lock:
            now = time.monotonic()
            at = max(now, self._next.get((account, action), now))
            self._next[(account, action)] = at + 1.0 / per_second
        if at > now:
            time.sleep(at - now)


_pacer = Pacer()


def rate_of(operation: str, params: dict[str, Any]) -> tuple[str, float] | None:
    """The quota an End User Messaging call counts against: (what is limited, requests a second)."""
    if operation.startswith(("Describe", "Create")):
        return operation, DESCRIBE_CREATE_PER_SECOND
    if operation == "SendTextMessage" and params.get("DryRun") is True:
        return "SendTextMessage:DryRun", DRY_RUN_PER_SECOND
    return None


def pace(client: Any, account: str) -> Any:
    """The client, its End User Messaging calls spaced to stay under the account's quotas."""

    def before_call(params: dict[str, Any], model: Any, **_: Any) -> None:
        limited = rate_of(model.name, params)
        if limited is not None:
            _pacer.wait(account, *limited)

    client.meta.events.register(f"before-parameter-build.{SMS_SERVICE}", before_call)
    return client
