"""An in-process Lambda runtime on the virtual clock.

While a handler runs, `time.sleep`, `time.time` and `time.monotonic` called from its thread follow the
offline AWS's clock: a function that paces itself or backs off spends simulated time, as it would spend
billed time in Lambda, and its timestamps are simulated. Other threads keep real time.
"""

from __future__ import annotations

import json
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twin.clock import EPOCH, VirtualClock

Handler = Callable[[dict[str, Any], Any], Any]
Response = tuple[int, dict[str, str], bytes]


@dataclass
class LambdaContext:
    """What Lambda passes a Python handler as `context`, as far as Powertools and the project read it."""

    function_name: str
    invoked_function_arn: str
    aws_request_id: str
    memory_limit_in_mb: int
    deadline: float
    clock: VirtualClock
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = ""

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.deadline - self.clock.now()) * 1000))


@dataclass(frozen=True)
class LambdaFunction:
    handler: Handler
    memory_mb: int = 256
    timeout_seconds: int = 900
    # The execution role: what the function's calls are made as (aws:PrincipalArn in a trust policy).
    role_arn: str | None = None


@dataclass(frozen=True)
class EventInvokeConfig:
    """What Lambda does with a failed asynchronous invocation (PutFunctionEventInvokeConfig), AWS's defaults.

    Destinations are ARNs; the offline AWS delivers invocation records to SQS queues."""

    maximum_retry_attempts: int = 2
    maximum_event_age_in_seconds: int = 21600
    on_success: str | None = None
    on_failure: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.maximum_retry_attempts <= 2:
            raise ValueError(f"MaximumRetryAttempts must be between 0 and 2, got {self.maximum_retry_attempts}")
        if not 60 <= self.maximum_event_age_in_seconds <= 21600:
            raise ValueError(
                f"MaximumEventAgeInSeconds must be between 60 and 21600, got {self.maximum_event_age_in_seconds}"
            )
        for destination in (self.on_success, self.on_failure):
            if destination is not None and not destination.startswith("arn:aws:sqs:"):
                raise ValueError(f"offline Lambda destinations are SQS queues, got {destination}")


@dataclass(frozen=True)
class LambdaInvocation:
    function_name: str
    started: float
    simulated_seconds: float
    wall_seconds: float
    error: str | None
    memory_mb: int


# What Step Functions reports when a Lambda function dies without handling an error (out of memory, a timeout, a
# runtime that exits): "Unhandled errors in Lambda are reported as Lambda.Unknown" (Step Functions developer
# guide, handling Lambda service exceptions).
CRASH_ERROR = "Lambda.Unknown"


@dataclass
class _CrashPlan:
    invocation: int
    seen: int = 0


class LambdaRuntime:
    def __init__(self, clock: VirtualClock, on_fault: Callable[[str], None] | None = None) -> None:
        self.clock = clock
        self.functions: dict[str, LambdaFunction] = {}
        self.event_invoke_configs: dict[str, EventInvokeConfig] = {}
        self.invocations: list[LambdaInvocation] = []
        self._inside = threading.local()
        self._originals: tuple[Any, Any, Any] | None = None
        self._on_fault = on_fault or (lambda fault: None)
        self._crashes: dict[str, _CrashPlan] = {}
        self._crash_lock = threading.Lock()

    # -- time inside handlers ------------------------------------------------------------------------------
    def install(self) -> None:
        self._originals = (time.sleep, time.time, time.monotonic)
        real_sleep, real_time, real_monotonic = self._originals
        inside, clock = self._inside, self.clock

        def sleep(seconds: float) -> None:
            clock.sleep(seconds) if getattr(inside, "active", False) else real_sleep(seconds)

        def now() -> float:
            return EPOCH.timestamp() + clock.now() if getattr(inside, "active", False) else real_time()

        def monotonic() -> float:
            return clock.now() if getattr(inside, "active", False) else real_monotonic()

        time.sleep, time.time, time.monotonic = sleep, now, monotonic  # type: ignore[assignment]

    def uninstall(self) -> None:
        if self._originals is not None:
            time.sleep, time.time, time.monotonic = self._originals
            self._originals = None

    # -- invocation ----------------------------------------------------------------------------------------
    def register(self, name: str, function: LambdaFunction) -> None:
        self.functions[name] = function

    def current(self) -> str | None:
        """The function whose handler runs on this thread, if any."""
        return getattr(self._inside, "function", None)

    def event_invoke_config(self, name: str) -> EventInvokeConfig:
        return self.event_invoke_configs.get(name, EventInvokeConfig())

    def crash_after(self, name: str, *, invocation: int = 1) -> None:
        """The `invocation`-th invocation of function `name` from now runs its handler to the end, every side
        effect done, and then dies before answering, as a runtime killed between its work and its reply: the
        caller gets an unhandled function error named `Lambda.Unknown`, counted as a `lambda-crash` fault.

        (Lambda's own payload would say Runtime.ExitError; the error is named as Step Functions reports it,
        since the interpreter takes the payload's errorType as the error name.)"""
        if name not in self.functions:
            raise KeyError(f"no function {name!r} is registered")
        if invocation < 1:
            raise ValueError(f"invocation must be at least 1, got {invocation}")
        with self._crash_lock:
            self._crashes[name] = _CrashPlan(invocation)

    def _crashes_now(self, name: str) -> bool:
        with self._crash_lock:
            plan = self._crashes.get(name)
            if plan is None:
                return False
            plan.seen += 1
            if plan.seen < plan.invocation:
                return False
            del self._crashes[name]
        self._on_fault("lambda-crash")
        return True

    def invoke(
        self, name: str, region: str, account: str, body: bytes | str | None, request_id: str | None = None
    ) -> Response:
        """Run the handler; an exception becomes a function error named after its class, as Lambda reports.

        Lambda keeps one request ID across the attempts of an asynchronous invocation: pass it as `request_id`."""
        function = self.functions[name]
        raw = body.decode() if isinstance(body, bytes) else (body or "")
        event = json.loads(raw) if raw.strip() else {}
        request_id = request_id or str(uuid.uuid4())
        started = self.clock.now()
        context = LambdaContext(
            function_name=name,
            invoked_function_arn=f"arn:aws:lambda:{region}:{account}:function:{name}",
            aws_request_id=request_id,
            memory_limit_in_mb=function.memory_mb,
            deadline=started + function.timeout_seconds,
            clock=self.clock,
        )
        headers = {"X-Amz-Executed-Version": "$LATEST", "x-amzn-RequestId": request_id}
        wall = time.perf_counter()
        error: str | None = None
        self._inside.active, self._inside.function = True, name
        try:
            payload = function.handler(event, context)
        except Exception as exc:
            error = type(exc).__name__
            headers["X-Amz-Function-Error"] = "Unhandled"
            payload = {
                "errorType": error,
                "errorMessage": str(exc),
                "requestId": request_id,
                "stackTrace": traceback.format_tb(exc.__traceback__),
            }
        finally:
            self._inside.active, self._inside.function = False, None
        if error is None and self._crashes_now(name):
            error = CRASH_ERROR
            headers["X-Amz-Function-Error"] = "Unhandled"
            payload = {
                "errorType": CRASH_ERROR,
                "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: signal: killed",
                "requestId": request_id,
            }
        self.invocations.append(
            LambdaInvocation(
                name,
                started,
                self.clock.now() - started,
                time.perf_counter() - wall,
                error,
                function.memory_mb,
            )
        )
        return 200, headers, json.dumps(payload).encode()
