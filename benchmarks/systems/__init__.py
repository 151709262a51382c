"""The three ways of moving identities that the benchmark compares, each run on its own seeded offline AWS."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from twin.lambda_runtime import LambdaInvocation
from twin.offline import OfflineAWS
from twin.seed import Scenario


@dataclass
class SystemRun:
    """What a system did, for the measurements: where its calls start in the call log, its simulated span, and
    (for the state machine) its execution histories and Lambda invocations."""

    first_call: int
    started: float
    ended: float
    wall_seconds: float
    outcome: str
    # CPU time of the whole process (every thread) during the run: the wall time it would take on an idle
    # machine, the run being bound by one interpreter lock.
    cpu_seconds: float
    histories: list[list[dict[str, Any]]] = field(default_factory=list)
    invocations: list[LambdaInvocation] = field(default_factory=list)


class Stopwatch:
    """Started where a system's run starts: the call log's length, the simulated clock, wall and CPU time."""

    def __init__(self, offline: OfflineAWS) -> None:
        self.offline = offline
        self.first_call = len(offline.world.calls)
        self.started = offline.clock.now()
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def stop(self, outcome: str, **measured: Any) -> SystemRun:
        return SystemRun(
            self.first_call,
            self.started,
            self.offline.clock.now(),
            time.perf_counter() - self.wall,
            outcome,
            time.process_time() - self.cpu,
            **measured,
        )


System = Callable[[OfflineAWS, Scenario], SystemRun]


def systems() -> dict[str, System]:
    from benchmarks.systems import all_at_once, eum_share, runbook

    return {"eum-share": eum_share.run, "runbook": runbook.run, "all-at-once": all_at_once.run}
