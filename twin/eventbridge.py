"""EventBridge's deliveries to Lambda functions and Step Functions state machines, and Lambda's asynchronous
invocations, done after PutEvents has answered, on the virtual clock.

moto delivers to the targets it supports (SQS queues, log groups, archives, other buses) inside PutEvents and
raises NotImplementedError for Lambda and Step Functions targets. The twin hands those to one worker thread, as
AWS hands them to its own fleet: `put_events` returns first, deliveries run afterwards.

Time: a first attempt runs at once. A retry, EventBridge's (the target's RetryPolicy) or Lambda's (the function's
event-invoke configuration), is due a backoff of simulated seconds later and runs when the virtual clock reaches
it. `EventBridge.settle()` moves the clock to each retry in turn, so retries cost no wall time, the simulated time
they take shows on the clock, and MaximumEventAgeInSeconds is measured on it. EventBridge backs off 1 s, doubling
to at most 5 minutes, without jitter so that runs repeat; Lambda waits one minute, then two, as AWS documents.
"""

from __future__ import annotations

import contextlib
import copy
import heapq
import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from twin.clock import EPOCH, VirtualClock
from twin.lambda_runtime import LambdaRuntime
from twin.moto_compat import EventsRule, EventTemplateParser, events_models
from twin.world import CallRecord, World

POLL_SECONDS = 0.002  # how often an idle thread looks at the virtual clock, in wall time
ClientFactory = Callable[[str, str, str], Any]  # (service, account, region) -> boto3 client

# EventBridge's retry policy when a target sets none (RetryPolicy in the EventBridge API reference).
DEFAULT_RETRY_ATTEMPTS = 185
DEFAULT_EVENT_AGE_SECONDS = 86400
_NO_RESOURCE = frozenset({"StateMachineDoesNotExist", "StateMachineDeleting", "InvalidArn", "ResourceNotFound"})
_THROTTLED = frozenset({"ThrottlingException", "ExecutionLimitExceeded", "TooManyRequestsException"})


# -- work AWS does after the call has answered ------------------------------------------------------------------
@dataclass(order=True)
class _Job:
    due: float
    seq: int
    run: Callable[[], None] = field(compare=False)


class AsyncWork:
    """Jobs due at moments of simulated time, run one at a time, in due order, on a worker thread."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._jobs: list[_Job] = []
        self._seq = itertools.count()
        self._running = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._failures: list[Exception] = []

    def start(self) -> None:
        self._thread = threading.Thread(target=self._work, name="offline-aws-deliveries", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._changed:
            self._stopping = True
            self._jobs.clear()
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, delay: float, run: Callable[[], None]) -> None:
        with self._changed:
            heapq.heappush(self._jobs, _Job(self.clock.now() + max(0.0, delay), next(self._seq), run))
            self._changed.notify_all()

    def pending(self) -> int:
        with self._changed:
            return len(self._jobs) + self._running

    def settle(self, timeout: float = 30.0) -> None:
        """Block until no job is pending or running, moving the clock to each job that is due later.

        A job that failed unexpectedly (a fault of the twin, not of a target) is raised here."""
        deadline = time.perf_counter() + timeout
        with self._changed:
            while self._jobs or self._running:
                if not self._running and self._jobs[0].due > self.clock.now():
                    self.clock.advance_to(self._jobs[0].due)
                    self._changed.notify_all()
                remaining = deadline - time.perf_counter()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self._jobs) + self._running} deliveries unfinished after {timeout} s")
                self._changed.wait(min(remaining, POLL_SECONDS))
            if self._failures:
                raise self._failures.pop(0)

    def _work(self) -> None:
        while True:
            with self._changed:
                job: _Job | None = None
                while not self._stopping:
                    if self._jobs and self._jobs[0].due <= self.clock.now():
                        job = heapq.heappop(self._jobs)
                        self._running += 1
                        break
                    # The clock moves without telling anyone, so a future job is looked at every few ms.
                    self._changed.wait(POLL_SECONDS if self._jobs else None)
                if job is None:
                    return
            try:
                job.run()
            except Exception as failure:
                self._failures.append(failure)
            finally:
                with self._changed:
                    self._running -= 1
                    self._changed.notify_all()


# -- Lambda's asynchronous invocation ---------------------------------------------------------------------------
@dataclass
class _AsyncInvocation:
    function_name: str
    region: str
    account: str
    payload: str
    request_id: str
    queued_at: float
    attempts: int = 0


class LambdaAsync:
    """Lambda's queue for asynchronous invocations: a function error is retried per the function's event-invoke
    configuration, then the invocation record goes to its OnFailure destination; a success to OnSuccess."""

    def __init__(self, runtime: LambdaRuntime, work: AsyncWork, send: Callable[[str, str], None]) -> None:
        self.runtime = runtime
        self.work = work
        self._send = send

    def invoke(self, function_name: str, region: str, account: str, payload: str) -> str:
        """Queue the event (InvocationType Event) and answer at once with the request ID."""
        request_id = str(uuid.uuid4())
        invocation = _AsyncInvocation(function_name, region, account, payload, request_id, self.work.clock.now())
        self.work.submit(0.0, lambda: self._attempt(invocation))
        return request_id

    def _attempt(self, invocation: _AsyncInvocation) -> None:
        invocation.attempts += 1
        status, headers, body = self.runtime.invoke(
            invocation.function_name, invocation.region, invocation.account, invocation.payload, invocation.request_id
        )
        config = self.runtime.event_invoke_config(invocation.function_name)
        if "X-Amz-Function-Error" not in headers:
            if config.on_success:
                self._record(config.on_success, invocation, "Success", status, headers, body)
            return
        if invocation.attempts > config.maximum_retry_attempts:
            condition = "RetriesExhausted"
        else:
            delay = 60.0 * invocation.attempts  # one minute before the first retry, two before the second
            if self.work.clock.now() + delay - invocation.queued_at <= config.maximum_event_age_in_seconds:
                self.work.submit(delay, lambda: self._attempt(invocation))
                return
            condition = "EventAgeExceeded"
        if config.on_failure:
            self._record(config.on_failure, invocation, condition, status, headers, body)

    def _record(
        self,
        destination: str,
        invocation: _AsyncInvocation,
        condition: str,
        status: int,
        headers: dict[str, str],
        body: bytes,
    ) -> None:
        """The invocation record Lambda sends to a destination."""
        response_context: dict[str, Any] = {
            "statusCode": status,
            "executedVersion": headers.get("X-Amz-Executed-Version", "$LATEST"),
        }
        if "X-Amz-Function-Error" in headers:
            response_context["functionError"] = headers["X-Amz-Function-Error"]
        arn = f"arn:aws:lambda:{invocation.region}:{invocation.account}:function:{invocation.function_name}"
        record = {
            "version": "1.0",
            "timestamp": self.work.clock.datetime().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestContext": {
                "requestId": invocation.request_id,
                "functionArn": f"{arn}:$LATEST",
                "condition": condition,
                "approximateInvokeCount": invocation.attempts,
            },
            "requestPayload": json.loads(invocation.payload),
            "responseContext": response_context,
            "responsePayload": json.loads(body) if body else None,
        }
        self._send(destination, json.dumps(record))


# -- EventBridge targets ------------------------------------------------------------------------------------------
class TargetError(Exception):
    """A target could not be invoked; `code` is one of the ERROR_CODE values EventBridge's DLQ messages carry."""

    def __init__(self, code: str, message: str, *, retriable: bool) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.retriable = retriable


@dataclass
class _Delivery:
    rule_arn: str
    rule_name: str
    account: str
    region: str
    target: dict[str, Any]
    event: dict[str, Any]
    born: float
    retries: int = 0


class EventBridge:
    """Delivery of matched events to Lambda and Step Functions targets, as AWS documents it: asynchronous, retried
    per the target's RetryPolicy, dead-lettered to its DeadLetterConfig queue, and at least once."""

    def __init__(self, world: World, runtime: LambdaRuntime, client: ClientFactory) -> None:
        self.world = world
        self.work = AsyncWork(world.clock)
        self.lambdas = LambdaAsync(runtime, self.work, self._send_to_queue)
        self._client_factory = client
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._executions = itertools.count(1)
        self._restore: list[Callable[[], None]] = []

    # -- lifecycle -------------------------------------------------------------------------------------------
    def install(self) -> None:
        self._restore.append(self._route_targets())
        self._restore.append(self._time_events())
        self.work.start()

    def uninstall(self) -> None:
        self.work.stop()
        while self._restore:
            self._restore.pop()()
        self._clients.clear()

    def settle(self, timeout: float = 30.0) -> None:
        """Wait (at most `timeout` wall seconds) until every delivery, retry and asynchronous invocation is done."""
        self.work.settle(timeout)

    def _route_targets(self) -> Callable[[], None]:
        original = EventsRule.send_to_targets
        bridge = self

        def send_to_targets(rule: Any, original_event: dict[str, Any], transform_input: bool = True) -> None:
            # moto delivers to a DISABLED rule's targets; AWS does not.
            if rule.state == "DISABLED" or not rule.event_pattern.matches_event(original_event):
                return
            for target in rule.targets:
                for _ in range(2 if bridge.world.faults.duplicate_delivery() else 1):
                    if target["Arn"].split(":")[2] in ("lambda", "states"):
                        bridge.deliver(rule, target, original_event)
                    else:
                        only = copy.copy(rule)
                        only.targets = [target]
                        original(only, copy.deepcopy(original_event), transform_input)

        EventsRule.send_to_targets = send_to_targets

        def restore() -> None:
            EventsRule.send_to_targets = original

        return restore

    def _time_events(self) -> Callable[[], None]:
        """An event's `time`, when PutEvents gives none, is the simulated time, as handlers see it."""

        original = events_models.unix_time
        clock = self.world.clock

        def unix_time(dt: datetime | None = None) -> float:
            return float(original(dt)) if dt is not None else EPOCH.timestamp() + clock.now()

        events_models.unix_time = unix_time

        def restore() -> None:
            events_models.unix_time = original

        return restore

    # -- delivery --------------------------------------------------------------------------------------------
    def deliver(self, rule: Any, target: dict[str, Any], matched: dict[str, Any]) -> None:
        delivery = _Delivery(
            rule_arn=rule.arn,
            rule_name=rule.name,
            account=rule.account_id,
            region=rule.region_name,
            target=copy.deepcopy(target),
            event=target_event(matched),
            born=self.world.clock.now(),
        )
        self.work.submit(0.0, lambda: self._attempt(delivery))

    def _attempt(self, delivery: _Delivery) -> None:
        try:
            self._invoke(delivery, target_input(delivery.target, delivery.event))
        except TargetError as error:
            self._log(delivery, error.code)
            self._after_failure(delivery, error)
            return
        self._log(delivery, None)

    def _after_failure(self, delivery: _Delivery, error: TargetError) -> None:
        """Retry per the RetryPolicy; errors no retry can fix (a target that does not exist) go to the DLQ at once."""
        policy = delivery.target.get("RetryPolicy") or {}
        attempts = int(policy.get("MaximumRetryAttempts", DEFAULT_RETRY_ATTEMPTS))
        max_age = int(policy.get("MaximumEventAgeInSeconds", DEFAULT_EVENT_AGE_SECONDS))
        if not error.retriable:
            self._dead_letter(delivery, error, None)
        elif delivery.retries >= attempts:
            self._dead_letter(delivery, error, "MaximumRetryAttempts")
        else:
            delay = min(2.0**delivery.retries, 300.0)
            if self.world.clock.now() + delay - delivery.born > max_age:
                self._dead_letter(delivery, error, "MaximumEventAgeInSeconds")
                return
            delivery.retries += 1
            self.work.submit(delay, lambda: self._attempt(delivery))

    def _invoke(self, delivery: _Delivery, payload: str) -> None:
        arn = delivery.target["Arn"]
        if self.world.faults.throttle_target():
            raise TargetError("THROTTLING", "Rate exceeded", retriable=True)
        _, _, service, region, account, resource = arn.split(":", 5)
        if service == "lambda":
            name = resource.split(":")[1]
            if name not in self.lambdas.runtime.functions:
                raise TargetError("NO_RESOURCE", f"Function not found: {arn}", retriable=False)
            self.lambdas.invoke(name, region, account, payload)
            return
        sfn = self._client("stepfunctions", account, region)
        name = f"{delivery.event['id']}_{next(self._executions)}"
        try:
            sfn.start_execution(stateMachineArn=arn, name=name, input=payload)
        except ClientError as error:
            raise _classify(error) from None

    def _dead_letter(self, delivery: _Delivery, error: TargetError, exhausted: str | None) -> None:
        """The event to the target's DLQ with the attributes AWS documents; without a DLQ it is dropped."""
        queue = (delivery.target.get("DeadLetterConfig") or {}).get("Arn")
        if not queue:
            return
        attributes = {
            "RULE_ARN": delivery.rule_arn,
            "TARGET_ARN": delivery.target["Arn"],
            "ERROR_CODE": error.code,
            "ERROR_MESSAGE": error.message,
            "RETRY_ATTEMPTS": str(delivery.retries),
        }
        if exhausted:
            attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted
        self._send_to_queue(queue, json.dumps(delivery.event), attributes)

    def _send_to_queue(self, queue_arn: str, body: str, attributes: dict[str, str] | None = None) -> None:
        _, _, _, region, account, name = queue_arn.split(":", 5)
        sqs = self._client("sqs", account, region)
        message_attributes = {k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()}
        # A queue that is gone loses the message, as in AWS (InvocationsFailedToBeSentToDLQ); the call log shows it.
        with contextlib.suppress(ClientError):
            sqs.send_message(
                QueueUrl=f"https://sqs.{region}.amazonaws.com/{account}/{name}",
                MessageBody=body,
                MessageAttributes=message_attributes,
            )

    def _client(self, service: str, account: str, region: str) -> Any:
        key = (service, account, region)
        if key not in self._clients:
            self._clients[key] = self._client_factory(service, account, region)
        return self._clients[key]

    def _log(self, delivery: _Delivery, error: str | None) -> None:
        params = {
            "Rule": delivery.rule_name,
            "TargetId": delivery.target["Id"],
            "TargetArn": delivery.target["Arn"],
            "EventId": delivery.event["id"],
            "Attempt": delivery.retries + 1,
        }
        now = self.world.clock.now()
        self.world.record(CallRecord(now, delivery.account, delivery.region, "events", "Deliver", params, error))


def _classify(error: ClientError) -> TargetError:
    code = error.response.get("Error", {}).get("Code", "")
    message = error.response.get("Error", {}).get("Message", code)
    if code in _NO_RESOURCE:
        return TargetError("NO_RESOURCE", message, retriable=False)
    if code in _THROTTLED:
        return TargetError("THROTTLING", message, retriable=True)
    if code == "InvalidExecutionInput":
        return TargetError("INVALID_JSON", message, retriable=False)
    return TargetError("SDK_CLIENT_ERROR", message, retriable=True)


def target_event(matched: dict[str, Any]) -> dict[str, Any]:
    """The event as targets receive it (moto keeps `time` as epoch seconds and adds its ingestion time)."""
    moment = matched["time"]
    try:
        when = datetime.fromtimestamp(float(moment), UTC)
    except (TypeError, ValueError):
        when = datetime.fromisoformat(str(moment).replace("Z", "+00:00"))
    return {
        "version": "0",
        "id": matched["id"],
        "detail-type": matched["detail-type"],
        "source": matched["source"],
        "account": matched["account"],
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": matched["region"],
        "resources": list(matched.get("resources", [])),
        "detail": matched.get("detail", {}),
    }


def target_input(target: dict[str, Any], event: dict[str, Any]) -> str:
    """What the target receives: Input as given, the part of the event InputPath selects, the InputTransformer's
    rendering of its InputTemplate, or else the whole event."""
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        from jsonpath_ng.ext import parse  # type: ignore[attr-defined]

        matches = parse(target["InputPath"]).find(event)
        return json.dumps(matches[0].value if matches else None)
    transformer = target.get("InputTransformer")
    if transformer:
        try:
            rendered = EventTemplateParser.parse(
                input_template=transformer.get("InputTemplate"),
                input_paths_map=transformer.get("InputPathsMap") or {},
                event={**event, "ingestion-time": event["time"]},
            )
        except ValueError as error:
            raise TargetError("INVALID_JSON", f"InputTemplate did not render JSON: {error}", retriable=False) from None
        return json.dumps(rendered)
    return json.dumps(event)
