"""Where moto's Step Functions interpreter differs from what AWS documents, and how the twin corrects it.

Each correction is installed for the life of an OfflineAWS and removed after it.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from twin.clock import VirtualClock
from twin.moto_compat import (
    TMP_THREADS,
    DistributedIterationComponent,
    EmptyResult,
    EvalTimeoutError,
    EventDetails,
    EventManager,
    ExecutionState,
    FailureEvent,
    FailureEventException,
    HistoryEventType,
    MapRunFailedEventDetails,
    ServiceException,
    StatesErrorName,
    StatesErrorNameType,
    StepFunctionResponse,
    StepFunctionsParserBackend,
    callback,
    distributed_item_processor_worker,
)


def tolerate_only_what_the_map_allows() -> Callable[[], None]:
    """A Distributed Map run fails with States.ExceedToleratedFailureThreshold when more child executions
    fail than ToleratedFailureCount / ToleratedFailurePercentage allow (both 0 by default, as AWS
    documents). moto counts the failures but lets the Map succeed."""

    original = DistributedIterationComponent._map_run

    def map_run(self: Any, env: Any, eval_input: Any) -> None:
        original(self, env, eval_input)
        items = eval_input.map_run_record.item_counter
        failed = items.failed.get() + items.timed_out.get()
        total = max(1, items.total.get())
        if (
            failed > eval_input.tolerated_failure_count
            and 100.0 * failed / total > eval_input.tolerated_failure_percentage
        ):
            env.stack.pop()
            error = StatesErrorNameType.StatesExceedToleratedFailureThreshold
            raise FailureEventException(
                FailureEvent(
                    env=env,
                    error_name=StatesErrorName(typ=error),
                    event_type=HistoryEventType.MapRunFailed,
                    event_details=EventDetails(
                        mapRunFailedEventDetails=MapRunFailedEventDetails(
                            error=error.to_name(),
                            cause=f"{failed} of {items.total.get()} child executions failed; the Map tolerates none",
                        )
                    ),
                )
            )

    DistributedIterationComponent._map_run = map_run

    def restore() -> None:
        DistributedIterationComponent._map_run = original

    return restore


# -- Task time on the virtual clock -------------------------------------------------------------------------------
# moto's interpreter waits for a Task (TimeoutSeconds / TimeoutSecondsPath), for a task token's callback and for
# heartbeats (HeartbeatSeconds) on threading.Event with timeouts in real seconds. The twin measures them on the
# virtual clock instead: the time a Task is given passes only when something advances the clock.

POLL_SECONDS = 0.002  # how often a waiting thread looks at the virtual clock, in wall time
# moto's default TimeoutSeconds and HeartbeatSeconds: longer than any execution may run (a year), so a Task without
# a timeout simply waits, with no polling.
UNBOUNDED_SECONDS = 99_999_999


class ClockEvent(threading.Event):
    """An Event whose timed wait counts simulated seconds.

    `wait_until(deadline)` answers whether the event was set before the clock reached `deadline`, judged by the
    simulated time at which it was set, so the answer never depends on how threads happen to be scheduled.
    """

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock
        self._stamp = threading.Lock()
        self.set_at: float | None = None

    def set(self) -> None:
        with self._stamp:
            if self.set_at is None:
                self.set_at = self._clock.now()
        super().set()

    def clear(self) -> None:
        with self._stamp:
            self.set_at = None
        super().clear()

    def wait(self, timeout: float | None = None) -> bool:
        if timeout is None or timeout >= UNBOUNDED_SECONDS:
            return super().wait()
        return self.wait_until(self._clock.now() + timeout)

    def wait_until(self, deadline: float) -> bool:
        while not super().wait(POLL_SECONDS):
            if self._clock.now() >= deadline:
                break
        set_at = self.set_at
        return set_at is not None and set_at < deadline


@dataclass
class _OpenTask:
    endpoint: Any  # moto's CallbackEndpoint
    env: Any  # the Environment the Task state runs in
    deadline: float
    closed: bool = False


class TaskTokens:
    """Which task tokens still accept SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat.

    AWS answers TaskTimedOut for a token whose task "has either expired or ... has already been closed"
    (botocore's stepfunctions model); moto accepts a token again after its task succeeded, forgets it once the
    execution ends (InvalidToken), and reuses one token for every Retry attempt of a Task.
    """

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._tasks: dict[str, _OpenTask] = {}

    def open_attempt(self, env: Any, deadline: float) -> Any | None:
        """The callback endpoint of this attempt of a waitForTaskToken Task (None for other Tasks)."""
        task = env.states.context_object.context_object_data.get("Task")
        if not task:
            return None
        token = task["Token"]
        with self._lock:
            if token in self._tasks:  # a Retry attempt: in AWS each attempt has a token of its own
                token = env.states.context_object.update_task_token()
                env.callback_pool_manager.add(token)
            endpoint = env.callback_pool_manager.get(token)
            self._tasks[token] = _OpenTask(endpoint, env, deadline)
        return endpoint

    def close(self, endpoint: Any | None) -> None:
        if endpoint is None:
            return
        with self._lock:
            task = self._tasks.get(endpoint.callback_id)
            if task is not None:
                task.closed = True
        endpoint.interrupt_all()  # a callback wait left behind by a timed-out Task ends now

    def claim(self, token: str, *, closing: bool) -> None:
        """TaskTimedOut if the token's task is closed or out of time; tokens the twin did not issue to a
        waitForTaskToken Task (activity tasks, made-up tokens) are left to moto.

        A success or failure (`closing`) closes the task at once, so a second answer is refused."""

        with self._lock:
            task = self._tasks.get(token)
            if task is None:
                return
            if task.closed or not task.env.is_running() or self._out_of_time(task):
                raise ServiceException("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
            task.closed = closing

    def _out_of_time(self, task: _OpenTask) -> bool:
        now = self.clock.now()
        heartbeat = getattr(task.endpoint, "_heartbeat_endpoint", None)
        return now >= task.deadline or bool(heartbeat is not None and heartbeat.expired())


def measure_task_time_on(clock: VirtualClock) -> Callable[[], None]:
    """Task timeouts, task-token callbacks and heartbeats on the virtual clock; callbacks answered as AWS does."""
    tokens = TaskTokens(clock)
    restores = [
        _clock_events(clock),
        _timeouts(clock, tokens),
        _callbacks(tokens),
        _history_on_the_clock(clock),
    ]

    def restore() -> None:
        for undo in reversed(restores):
            undo()

    return restore


def _history_on_the_clock(clock: VirtualClock) -> Callable[[], None]:
    """An execution history's event timestamps are the moments the events happened, as in AWS: simulated ones, so
    that a history shows where an execution spent its time (moto stamps them with the wall clock)."""

    original = EventManager.__dict__["_get_current_timestamp"]
    EventManager._get_current_timestamp = staticmethod(clock.datetime)

    def restore() -> None:
        EventManager._get_current_timestamp = original

    return restore


def _clock_events(clock: VirtualClock) -> Callable[[], None]:
    """Callback and heartbeat waits count simulated seconds; a heartbeat's deadline runs from the last beat."""

    class ClockHeartbeat(callback.HeartbeatEndpoint):  # type: ignore[misc]
        def __init__(self, heartbeat_seconds: int) -> None:
            super().__init__(heartbeat_seconds=heartbeat_seconds)
            self.last_beat = clock.now()

        def notify(self) -> None:
            with self._mutex:
                self.last_beat = clock.now()
                self._next_heartbeat_event.set()

        def clear_and_wait(self) -> bool:
            event: ClockEvent = self._next_heartbeat_event
            with self._mutex:
                if event.is_set():
                    event.clear()
                    return True
                deadline = self.last_beat + self._heartbeat_seconds
            return event.wait_until(deadline)

        def expired(self) -> bool:
            with self._mutex:
                return bool(clock.now() >= self.last_beat + self._heartbeat_seconds)

    original_event, original_heartbeat = callback.Event, callback.HeartbeatEndpoint
    callback.Event = lambda: ClockEvent(clock)
    callback.HeartbeatEndpoint = ClockHeartbeat

    def restore() -> None:
        callback.Event, callback.HeartbeatEndpoint = original_event, original_heartbeat

    return restore


def _timeouts(clock: VirtualClock, tokens: TaskTokens) -> Callable[[], None]:
    """moto's ExecutionState._evaluate_with_timeout, with the Task's time measured on the virtual clock.

    A Task that finishes after its TimeoutSeconds of simulated time (a handler that slept past it) times out,
    as it would in AWS, even though it did finish."""

    original = ExecutionState._evaluate_with_timeout

    def evaluate_with_timeout(self: Any, env: Any) -> None:
        self.timeout.eval(env=env)
        timeout_seconds: int = env.stack.pop()
        deadline = clock.now() + timeout_seconds
        endpoint = tokens.open_attempt(env, deadline)

        frame = env.open_frame()
        frame.states.reset(input_value=env.states.get_input())
        frame.stack = copy.deepcopy(env.stack)
        outputs: list[Any] = []
        failures: list[Exception] = []
        terminated = ClockEvent(clock)

        def execute() -> None:
            try:
                self._eval_execution(frame)
                outputs.extend(frame.stack)
            except Exception as failure:
                failures.append(failure)
            terminated.set()

        thread = threading.Thread(target=execute, daemon=True)
        TMP_THREADS.append(thread)
        thread.start()
        on_time = terminated.wait() if timeout_seconds >= UNBOUNDED_SECONDS else terminated.wait_until(deadline)
        tokens.close(endpoint)
        frame.set_ended()
        env.close_frame(frame)

        if not on_time:
            raise EvalTimeoutError()
        if failures:
            raise failures[-1]
        output = outputs.pop()
        env.stack.append(output)
        if not self._is_language_query_jsonpath():
            env.states.set_result(output)
        if self.assign_decl:
            self.assign_decl.eval(env=env)
        if self.result_selector:
            self.result_selector.eval(env=env)
        if self.result_path:
            self.result_path.eval(env)
        else:
            env.states.reset(input_value=env.stack.pop())

    ExecutionState._evaluate_with_timeout = evaluate_with_timeout

    def restore() -> None:
        ExecutionState._evaluate_with_timeout = original

    return restore


def _callbacks(tokens: TaskTokens) -> Callable[[], None]:
    """SendTask* answer TaskTimedOut for closed or timed-out tokens, InvalidOutput for output that is not JSON,
    and SendTaskFailure passes its `cause` on (moto's response handler drops it)."""

    backend = StepFunctionsParserBackend
    originals = (backend.send_task_success, backend.send_task_failure, backend.send_task_heartbeat)
    original_response = StepFunctionResponse.send_task_failure
    success, failure, heartbeat = originals

    def send_task_success(self: Any, task_token: str, outcome: str) -> Any:
        try:
            json.loads(outcome)
        except (TypeError, ValueError):
            raise ServiceException("InvalidOutput", "The provided JSON output data is not valid.") from None
        tokens.claim(task_token, closing=True)
        return success(self, task_token, outcome)

    def send_task_failure(self: Any, task_token: str, error: str | None = None, cause: str | None = None) -> Any:
        tokens.claim(task_token, closing=True)
        return failure(self, task_token, error=error, cause=cause)

    def send_task_heartbeat(self: Any, task_token: str) -> Any:
        tokens.claim(task_token, closing=False)
        return heartbeat(self, task_token)

    def send_task_failure_response(self: Any) -> Any:
        self.stepfunction_backend.send_task_failure(
            self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
        )
        return EmptyResult()

    backend.send_task_success = send_task_success
    backend.send_task_failure = send_task_failure
    backend.send_task_heartbeat = send_task_heartbeat
    StepFunctionResponse.send_task_failure = send_task_failure_response

    def restore() -> None:
        backend.send_task_success, backend.send_task_failure, backend.send_task_heartbeat = originals
        StepFunctionResponse.send_task_failure = original_response

    return restore


# -- Child executions of a Distributed Map --------------------------------------------------------------------
@dataclass
class ChildExecution:
    """One child execution of a Distributed Map run: which run, which item, and its own history."""

    map_run_arn: str
    parent_arn: str
    index: int
    events: Any  # moto's EventManager; its history grows while the child runs

    def history(self) -> list[dict[str, Any]]:
        return list(self.events.get_event_history())


class ChildExecutions:
    """Every child execution the interpreter ran, in start order.

    In AWS each child execution of a Distributed Map has a history of its own (ListExecutions with the
    mapRunArn, then GetExecutionHistory); moto writes every child's events into one throwaway list.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._children: list[ChildExecution] = []

    def add(self, child: ChildExecution) -> None:
        with self._lock:
            self._children.append(child)

    def of(self, parent_arn: str) -> list[ChildExecution]:
        with self._lock:
            return [child for child in self._children if child.parent_arn == parent_arn]


def keep_child_histories(children: ChildExecutions) -> Callable[[], None]:
    """Each child execution of a Distributed Map records its events in a history of its own."""

    original = distributed_item_processor_worker.DistributedItemProcessorWorker._eval_job

    def eval_job(self: Any, env: Any, job: Any) -> None:
        env.event_manager = EventManager()
        record = self._map_run_record
        children.add(ChildExecution(record.map_run_arn, record.execution_arn, job.job_index, env.event_manager))
        original(self, env, job)

    distributed_item_processor_worker.DistributedItemProcessorWorker._eval_job = eval_job

    def restore() -> None:
        distributed_item_processor_worker.DistributedItemProcessorWorker._eval_job = original

    return restore
