"""From a system's run to one benchmark record: the call log, execution histories, Lambda, cost, usability."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from benchmarks.rate_model import Floor
from benchmarks.systems import SystemRun
from twin.cfn import load_template
from twin.offline import OfflineAWS
from twin.stack import TEMPLATE

# The services a migration acts on; the orchestrator's own bookkeeping (DynamoDB, S3, EventBridge, Step
# Functions, Lambda) is counted apart.
MIGRATED_SERVICES = frozenset({"ram", "sms-voice", "sts", "iam", "logs", "sns", "firehose", "organizations"})
# Public prices, us-east-1, as listed on aws.amazon.com/step-functions/pricing and aws.amazon.com/lambda/pricing
# (free tiers left out): Standard workflows per state transition; Lambda per GB-second and per request. A
# GB-second costs less on arm64 (Graviton) than on x86_64; the functions run on the template's default.
USD_PER_TRANSITION = 0.025 / 1000
USD_PER_GB_SECOND_BY_ARCHITECTURE = {"arm64": 0.0000133334, "x86_64": 0.0000166667}
ARCHITECTURE = str(load_template(TEMPLATE)["Parameters"]["Architecture"]["Default"])
USD_PER_GB_SECOND = USD_PER_GB_SECOND_BY_ARCHITECTURE[ARCHITECTURE]
USD_PER_REQUEST = 0.20 / 1_000_000
LAMBDA_MINIMUM_BILLED_SECONDS = 0.001


@dataclass(frozen=True)
class Record:
    system: str
    n: int
    simulatedSeconds: float
    floorSeconds: float
    apiCallsPerIdentity: float
    transitionsPerIdentity: float
    maxHistoryEvents: int
    maxPayloadBytes: int
    costPer1000Usd: float
    unusable: int
    wallSeconds: float
    floorRatio: float
    cpuSeconds: float
    stateCallsPerIdentity: float
    throttledCalls: int
    lambdaInvocations: int
    lambdaGbSeconds: float
    emptiedPolicies: int
    outcome: str
    # Simulated seconds spent in each state, over the parent execution and (named "Map/State") its children:
    # where the time goes. Empty for the scripts.
    stateSeconds: dict[str, float] = field(default_factory=dict)
    # Share of RAM and End User Messaging calls the rate model throttled besides the quotas (0: an unthrottled run).
    throttleRate: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def record(
    system: str,
    offline: OfflineAWS,
    run: SystemRun,
    floor: Floor,
    identities: int,
    unusable: int,
    throttle_rate: float = 0.0,
    moved: int | None = None,
) -> Record:
    """The run's figures; `identities` names the size asked for, `moved` (when larger: the owner's Default opt-out
    list comes along) is what the figures per identity divide by."""
    per = moved or identities
    calls = offline.world.calls[run.first_call :]
    migrated = [c for c in calls if c.service in MIGRATED_SERVICES]
    transitions = sum(_transitions(history) for history in run.histories)
    gb_seconds = sum(
        max(i.simulated_seconds, LAMBDA_MINIMUM_BILLED_SECONDS) * i.memory_mb / 1024 for i in run.invocations
    )
    cost = transitions * USD_PER_TRANSITION + gb_seconds * USD_PER_GB_SECOND + len(run.invocations) * USD_PER_REQUEST
    simulated = run.ended - run.started
    return Record(
        system=system,
        n=identities,
        simulatedSeconds=round(simulated, 1),
        floorSeconds=round(floor.seconds, 1),
        apiCallsPerIdentity=round(len(migrated) / per, 2),
        transitionsPerIdentity=round(transitions / per, 3),
        maxHistoryEvents=max((len(history) for history in run.histories), default=0),
        maxPayloadBytes=max((_largest_payload(history) for history in run.histories), default=0),
        costPer1000Usd=round(cost * 1000 / per, 4),
        unusable=unusable,
        wallSeconds=round(run.wall_seconds, 1),
        floorRatio=round(simulated / floor.seconds, 2),
        cpuSeconds=round(run.cpu_seconds, 1),
        stateCallsPerIdentity=round((len(calls) - len(migrated)) / per, 2),
        throttledCalls=sum(1 for c in migrated if c.error == "ThrottlingException"),
        lambdaInvocations=len(run.invocations),
        lambdaGbSeconds=round(gb_seconds, 2),
        emptiedPolicies=offline.world.faults.injected.get("empty-policy", 0),
        outcome=run.outcome,
        stateSeconds=state_seconds(run.histories),
        throttleRate=throttle_rate,
    )


def state_seconds(histories: list[list[dict[str, Any]]]) -> dict[str, float]:
    """Simulated seconds from each state's entry to its exit, summed per state name, the parent's states first.

    The first history is the parent execution's; the others are child executions of its Distributed Map, whose
    states are named after the Map state that ran them ("AssociateBatches/WaitForRam")."""
    spent: defaultdict[str, float] = defaultdict(float)
    parent_map = _map_state(histories[0]) if histories else None
    for index, history in enumerate(histories):
        prefix = f"{parent_map}/" if index and parent_map else ""
        entered: dict[str, Any] = {}
        for event in history:
            kind = event["type"]
            if kind.endswith("StateEntered"):
                entered[event["stateEnteredEventDetails"]["name"]] = _moment(event["timestamp"])
            elif kind.endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                if name in entered:
                    spent[prefix + name] += (_moment(event["timestamp"]) - entered.pop(name)).total_seconds()
    return {name: round(seconds, 1) for name, seconds in spent.items()}


def _moment(timestamp: datetime | str) -> datetime:
    """GetExecutionHistory answers datetimes; a child execution's own history keeps ISO 8601 strings."""
    return timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp)


def _map_state(history: list[dict[str, Any]]) -> str | None:
    """The name of the parent's Distributed Map state, if it entered one."""
    for event in history:
        if event["type"] == "MapStateEntered":
            return str(event["stateEnteredEventDetails"]["name"])
    return None


def _transitions(history: list[dict[str, Any]]) -> int:
    """State transitions as Step Functions bills them: one per state entered."""
    return sum(1 for event in history if event["type"].endswith("StateEntered"))


def _largest_payload(history: list[dict[str, Any]]) -> int:
    """The largest state input or output, in bytes (Step Functions' limit is 256 KB)."""
    largest = 0
    for event in history:
        for key, details in event.items():
            if key.endswith("EventDetails") and isinstance(details, dict):
                for member in ("input", "output"):
                    value = details.get(member)
                    if isinstance(value, str):
                        largest = max(largest, len(value.encode()))
                    elif value is not None:
                        largest = max(largest, len(json.dumps(value).encode()))
    return largest
