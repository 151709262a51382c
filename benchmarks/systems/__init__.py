"""The three ways of moving identities that the benchmark compares, each run on its own seeded offline AWS."""

from __future__ import annotations

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
    histories: list[list[dict[str, Any]]] = field(default_factory=list)
    invocations: list[LambdaInvocation] = field(default_factory=list)


System = Callable[[OfflineAWS, Scenario], SystemRun]


def systems() -> dict[str, System]:
    from benchmarks.systems import all_at_once, eum_share, runbook

    return {"eum-share": eum_share.run, "runbook": runbook.run, "all-at-once": all_at_once.run}
