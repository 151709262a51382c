"""The offline AWS's shared state: clock, faults, call log, scheduled events and the project's own fakes."""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from twin.clock import VirtualClock
from twin.faults import FaultConfig, Faults

if TYPE_CHECKING:
    from twin.services.base import ServiceFake


@dataclass(frozen=True)
class CallRecord:
    t: float
    account: str
    region: str
    service: str
    operation: str
    params: dict[str, Any]
    error: str | None
    # The Lambda function whose handler made the call (None: a test, the seeding, the interpreter itself).
    caller: str | None = None
    # The role whose assumed-role session signed the call (None: the function's own or the offline credentials).
    role: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "account": self.account,
            "service": self.service,
            "operation": self.operation,
            "params": self.params,
            "error": self.error,
            "caller": self.caller,
        }


@dataclass
class CallHook:
    """Something that happens in the offline AWS right after a given call succeeded (see `World.after_call`)."""

    service: str
    operation: str
    action: Callable[[], None]
    nth: int
    when: Callable[[dict[str, Any]], bool] | None
    fault: str | None
    seen: int = 0


@dataclass(order=True)
class _Event:
    at: float
    seq: int
    action: Callable[[], None] = field(compare=False)


class World:
    """One offline AWS. All fake calls hold `lock`, so fakes need no locking of their own."""

    def __init__(self, faults: FaultConfig | None = None, *, documented_rules: bool = True) -> None:
        self.clock = VirtualClock()
        # Refuse requests that break what the documentation states in words (twin/constraints.py).
        self.documented_rules = documented_rules
        self.faults = Faults(faults or FaultConfig(), self.clock)
        # Identifiers come from their own seeded stream so that injecting a fault never renames a resource.
        self.ids = random.Random(self.faults.config.seed)
        self.lock = threading.RLock()
        self.calls: list[CallRecord] = []
        self.services: dict[str, ServiceFake[Any]] = {}
        self._events: list[_Event] = []
        self._seq = itertools.count()
        self._hooks: list[CallHook] = []
        # While a scheduled event is carried out: the simulated moment it was due.
        self._due: float | None = None
        # IAM role ARN -> the simulated moment it was created, for roles created while faults apply (a role the
        # seeding made, or that a test made while looking on, has been there long enough).
        self.roles_created: dict[str, float] = {}
        # Things done that may change what a listing shows (fake calls that are not reads, scheduled events):
        # a listing computed at the same count still holds.
        self.mutations = 0

    def new_id(self, prefix: str) -> str:
        """A deterministic AWS-style identifier such as `phone-<32 hex>`."""
        return f"{prefix}-{self.ids.getrandbits(128):032x}"

    def register(self, fake: ServiceFake[Any]) -> None:
        self.services[fake.endpoint_prefix] = fake

    def fake(self, endpoint_prefix: str) -> Any:
        return self.services[endpoint_prefix]

    # -- scheduled events (asynchronous AWS work such as RAM associations) ----------------------------------
    def schedule(self, delay: float, action: Callable[[], None]) -> None:
        with self.lock:
            heapq.heappush(self._events, _Event(self.clock.now() + max(0.0, delay), next(self._seq), action))

    def run_due(self) -> None:
        """Carry out every scheduled event whose time has come, in time order, each at the moment it was due
        (`now()`), however late the clock has come to look."""
        with self.lock:
            while self._events and self._events[0].at <= self.clock.now():
                event = heapq.heappop(self._events)
                self._due = event.at
                self.mutations += 1
                try:
                    event.action()
                finally:
                    self._due = None

    def role_created(self, arn: str) -> None:
        """IAM created this role now: other services see it only once it has propagated."""
        with self.lock:
            if not self.faults.paused_depth:
                self.roles_created[arn] = self.clock.now()

    def role_propagated(self, arn: str) -> bool:
        """Whether a role has reached the services that assume it (`FaultConfig.role_propagation_seconds`)."""
        created = self.roles_created.get(arn)
        return created is None or self.now() - created >= self.faults.config.role_propagation_seconds

    def now(self) -> float:
        """The simulated moment of what is happening: a due event's own time, else the clock's."""
        return self._due if self._due is not None else self.clock.now()

    def next_event_at(self) -> float | None:
        with self.lock:
            return self._events[0].at if self._events else None

    def settle(self) -> None:
        """Let simulated time run until no asynchronous work is pending (tests and seeding use this)."""
        while (moment := self.next_event_at()) is not None:
            self.clock.advance_to(moment)
            self.run_due()

    # -- call hooks (what an operator or a consumer does while a migration runs) -------------------------------
    def after_call(
        self,
        service: str,
        operation: str,
        action: Callable[[], None],
        *,
        nth: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
        fault: str | None = None,
    ) -> None:
        """Run `action` once, inside the offline AWS and under its lock, right after the `nth` successful call of
        one of the project's fakes (`service` is its endpoint prefix, such as "ram") to `operation` whose
        parameters satisfy `when`. With `fault`, the action is counted as a fault of that kind."""
        if nth < 1:
            raise ValueError(f"nth must be at least 1, got {nth}")
        with self.lock:
            self._hooks.append(CallHook(service, operation, action, nth, when, fault))

    def called(self, service: str, operation: str, params: dict[str, Any]) -> None:
        """A fake's call succeeded: fire the hooks it was the `nth` of (the caller holds the lock)."""
        for hook in list(self._hooks):
            if (hook.service, hook.operation) != (service, operation) or (hook.when and not hook.when(params)):
                continue
            hook.seen += 1
            if hook.seen == hook.nth:
                self._hooks.remove(hook)
                if hook.fault is not None:
                    self.faults.count(hook.fault)
                hook.action()

    # -- inspection ----------------------------------------------------------------------------------------
    def record(self, record: CallRecord) -> None:
        with self.lock:
            self.calls.append(record)

    def calls_to(self, service: str, operation: str | None = None) -> list[CallRecord]:
        return [c for c in self.calls if c.service == service and operation in (None, c.operation)]
