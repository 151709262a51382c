"""Running one scenario of the fault matrix: a seeded offline AWS, faults injected, the real state machine, then
the invariants checked from the twin's state.

A scenario seeds an owner and its consumers, gives a few identities a policy statement of their own (so that a
lost statement would show), arranges its faults (the fault plan, hooks, crashes), runs its migrations through
template.yaml's state machine, runs them again if it says so (a new execution, the same request), and checks
every invariant of tests/faults/invariants.py for every migration it ran.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from tests.faults.invariants import Migration, Violation, baseline, check
from tests.support.migration import hold_first_at
from tests.support.policies import put_existing_statements
from twin.faults import FaultConfig
from twin.inspect import identity_arns
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario as Seeded
from twin.seed import seed

WITH_OWN_STATEMENTS = 5  # numbers with a statement of their own before the migration


@dataclass
class World:
    """What a scenario's arrangements act on."""

    aws: OfflineAWS
    seeded: Seeded
    workflow: LocalStateMachine | None = None
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)

    def function(self, state: str) -> str:
        """The name of the Lambda function a Task state of the workflow invokes."""
        assert self.workflow is not None
        return self.workflow.task_functions()[state]


Arrangement = Callable[[World], None]


@dataclass(frozen=True)
class Scenario:
    """One row of the matrix. `expect` is how each execution of the scenario ends, in order: "SUCCEEDED" or
    the error name it fails with ("*" for any error)."""

    name: str
    summary: str
    expect: tuple[str, ...] = ("SUCCEEDED",)
    faults: dict[str, Any] = field(default_factory=dict)
    identities: int = 20
    consumers: int = 2
    external_consumers: int = 1
    # Throttle bursts of 100%, as (start, end) simulated seconds after the migration starts.
    bursts: tuple[tuple[float, float], ...] = ()
    # Before deployment, with faults paused: what the accounts look like (a role missing, ...).
    setup: Arrangement | None = None
    # After deployment, before the first execution: hooks and crashes.
    arrange: Arrangement | None = None
    # Run the same request again, as a new execution, once the first ended.
    rerun: bool = False
    # Start a second migration of the same share at the same time (see `concurrent`).
    concurrent: Callable[[World], list[str]] | None = None
    # Request fields changed (a callable gets the seeded accounts).
    request: Callable[[Seeded], dict[str, Any]] | None = None
    # The kinds of fault (offline.world.faults.injected) the row must really inject to mean what it says.
    kinds: tuple[str, ...] = ()
    # The row's own seed, when the matrix's draws none of a rare fault it is about.
    seed: int | None = None


@dataclass
class Result:
    name: str
    summary: str
    outcomes: list[str]
    faults: dict[str, int]
    identities: int
    violations: list[Violation]
    wall_seconds: float
    simulated_seconds: float


def run(scenario: Scenario, seed_number: int) -> Result:
    started = time.perf_counter()
    seed_number = scenario.seed if scenario.seed is not None else seed_number
    # Each row injects the faults it names and no other: pages are the services' own unless the row cuts them
    # (the tests' short pages would count as a short-page fault in every row).
    faults = {"max_page_size": None, **scenario.faults}
    with OfflineAWS(FaultConfig(seed=seed_number, **faults)) as aws:
        seeded = seed(
            aws,
            identities=scenario.identities,
            consumers=scenario.consumers,
            external_consumers=scenario.external_consumers,
        )
        world = World(aws, seeded)
        with aws.world.faults.paused():
            aws.client("ram", account=seeded.owner).enable_sharing_with_aws_organization()
            _own_statements(aws, seeded)
            if scenario.setup is not None:
                scenario.setup(world)
        with local_migration_workflow(aws, parameters={"LogLevel": "ERROR"}) as workflow:
            world.workflow = workflow
            identities = identity_arns(aws.sms.dump(seeded.owner, aws.region))
            before = baseline(aws, seeded.owner, identities)
            injected_before = dict(aws.world.faults.injected)
            if scenario.arrange is not None:
                scenario.arrange(world)
            _burst(aws, scenario.bursts)
            start_sim = aws.clock.now()
            executions = _execute(scenario, world, workflow)
            checked = [
                check(aws, _migration(world, workflow, migration_id, identities, last), before)
                for migration_id, last in dict(executions).items()
            ]
            injected = {
                kind: count - injected_before.get(kind, 0)
                for kind, count in aws.world.faults.injected.items()
                if count > injected_before.get(kind, 0)
            }
            return Result(
                name=scenario.name,
                summary=scenario.summary,
                outcomes=[e.status if e.status == "SUCCEEDED" else (e.error or e.status) for _, e in executions],
                faults=injected,
                identities=sum(c.identities for c in checked),
                violations=[v for c in checked for v in c.violations] + _histories_too_long(workflow, executions),
                wall_seconds=time.perf_counter() - started,
                simulated_seconds=aws.clock.now() - start_sim,
            )


def _own_statements(aws: OfflineAWS, seeded: Seeded) -> None:
    put_existing_statements(aws, seeded.owner, seeded.phone_numbers[:WITH_OWN_STATEMENTS])


def _burst(aws: OfflineAWS, bursts: tuple[tuple[float, float], ...]) -> None:
    if bursts:
        now = aws.clock.now()
        config = aws.world.faults.config
        aws.world.faults.config = replace(config, throttle_bursts=tuple((now + a, now + b) for a, b in bursts))


# Step Functions' quota (Step Functions developer guide, "Step Functions service quotas"): "Maximum execution history
# size: 25,000 events"; an execution that reaches it fails. moto's interpreter keeps any length of history, so the
# matrix checks it: a row that passes here only because its history ran past the quota would fail on AWS.
MAX_HISTORY_EVENTS = 25_000


def _histories_too_long(workflow: LocalStateMachine, executions: list[tuple[str, Execution]]) -> list[Violation]:
    found = []
    for _, execution in executions:
        for history in [workflow.history(execution.arn), *workflow.child_histories(execution.arn)]:
            if len(history) > MAX_HISTORY_EVENTS:
                found.append(
                    Violation(
                        "history-within-quota",
                        execution.name,
                        f"an execution's history reached {len(history)} events; Step Functions fails an execution "
                        f"at {MAX_HISTORY_EVENTS}",
                    )
                )
    return found


def _execute(scenario: Scenario, world: World, workflow: LocalStateMachine) -> list[tuple[str, Execution]]:
    """Every execution of the scenario, in the order they ended, with their migration IDs."""
    seeded = world.seeded
    changes = scenario.request(seeded) if scenario.request else {}
    migration_id = f"mig-{scenario.name}"
    world.requests[migration_id] = seeded.request(migrationId=migration_id, **changes)
    executions: list[tuple[str, Execution]] = []
    if scenario.concurrent is not None:
        for other in scenario.concurrent(world):
            world.requests[other] = seeded.request(migrationId=other, **changes)
        return [(m, e) for m, e in _race(world, workflow)]
    executions.append((migration_id, workflow.run(world.requests[migration_id], name=f"{migration_id}-1")))
    if scenario.rerun:
        executions.append((migration_id, workflow.run(world.requests[migration_id], name=f"{migration_id}-2")))
    return executions


def _race(world: World, workflow: LocalStateMachine) -> list[tuple[str, Execution]]:
    """The first migration of `world.requests` is kept at its share, its lock taken, while the others run from
    the start (so that they meet its lock); those refused for the lock run again once it has ended.

    (The others start once the first holds the lock rather than at the very same instant: the offline Lambda
    runtime runs concurrent invocations in one process, and Lambda would give each its own environment.)"""
    holding = hold_first_at(world.aws, workflow, "EnsureShareWithPrincipals")
    first, *others = world.requests
    started = {first: workflow.start(world.requests[first], name=f"{first}-1")}
    holding.first()
    for other in others:
        world.aws.world.faults.count("concurrent-migration")
        started[other] = workflow.start(world.requests[other], name=f"{other}-1")
    ended = [(m, workflow.wait(started[m])) for m in others]
    holding.release()
    ended.append((first, workflow.wait(started[first])))
    again = [(m, workflow.run(world.requests[m], name=f"{m}-2")) for m, e in ended if e.error == "ShareLocked"]
    return ended + again


def _migration(
    world: World, workflow: LocalStateMachine, migration_id: str, identities: list[str], last: Execution
) -> Migration:
    request = world.requests[migration_id]
    return Migration(
        migration_id=migration_id,
        owner=request["owner"]["accountId"],
        consumers=[c["accountId"] for c in request["consumers"]],
        identities=identities,
        ledger_table=workflow.resource_name("LedgerTable"),
        outcome=last.status,
        strategy=request.get("options", {}).get("strategy", "RAM"),
    )


def matches(outcomes: list[str], expected: tuple[str, ...]) -> bool:
    return len(outcomes) == len(expected) and all(e in ("*", o) for o, e in zip(outcomes, expected, strict=True))
