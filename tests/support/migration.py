"""Helpers for workflow tests: requests for a seeded scenario, and reading the offline AWS's call log."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from twin.faults import FaultConfig
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed
from twin.world import CallRecord

READ_PREFIXES = ("Describe", "Get", "List")
MIGRATED_SERVICES = ("ram", "sms-voice", "iam", "sns", "logs", "firehose")


def mutating_calls(calls: list[CallRecord]) -> list[CallRecord]:
    """Calls that change something in an account being migrated (the orchestrator's ledger excluded)."""
    return [
        c
        for c in calls
        if c.service in MIGRATED_SERVICES and not c.operation.startswith(READ_PREFIXES) and c.error is None
    ]


def policy_of(aws: OfflineAWS, owner: str, arn: str) -> dict[str, Any] | None:
    with aws.world.faults.paused():
        policy = aws.client("pinpoint-sms-voice-v2", account=owner).get_resource_policy(ResourceArn=arn).get("Policy")
    document = json.loads(policy) if policy else None
    # AWS answers a resource without a policy with "{}"; like a document without a statement, it is no policy.
    return document if isinstance(document, dict) and document.get("Statement") else None


def wait_for_status(aws: OfflineAWS, workflow: LocalStateMachine, migration_id: str, status: str) -> dict[str, Any]:
    table = workflow.resource_name("LedgerTable")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with aws.observing():
            item = aws.client("dynamodb").get_item(
                TableName=table, Key={"pk": {"S": f"MIGRATION#{migration_id}"}, "sk": {"S": "MIGRATION"}}
            )
        if item.get("Item", {}).get("status", {}).get("S") == status:
            return dict(item["Item"])
        time.sleep(0.02)
    raise AssertionError(f"migration {migration_id} never reached {status}")


def bus_events(aws: OfflineAWS, detail_type: str) -> list[dict[str, Any]]:
    return [
        json.loads(entry["Detail"])
        for call in aws.world.calls
        if call.service == "events" and call.operation == "PutEvents"
        for entry in call.params.get("Entries", [])
        if entry.get("DetailType") == detail_type
    ]


@dataclass
class Holding:
    """The first execution to reach a Task state waits there, before its function runs, until `release()`."""

    arrived: list[str] = field(default_factory=list)
    go_on: threading.Event = field(default_factory=threading.Event)

    def first(self, timeout: float = 120.0) -> str:
        """The migration ID of the execution that is waiting (blocks until one is)."""
        deadline = time.monotonic() + timeout
        while not self.arrived:
            if time.monotonic() > deadline:
                raise TimeoutError("no execution reached the held state")
            time.sleep(0.01)
        return self.arrived[0]

    def release(self) -> None:
        self.go_on.set()


def hold_first_at(aws: OfflineAWS, workflow: LocalStateMachine, state: str) -> Holding:
    """Keep the first execution that reaches `state` there until released: another execution can then be
    brought to a chosen point while this one is known to be at `state` (a race made deterministic)."""
    name = workflow.task_functions()[state]
    function = aws.lambdas.functions[name]
    holding = Holding()

    def held(event: dict[str, Any], context: Any) -> Any:
        if not holding.arrived:
            holding.arrived.append(str(event.get("migrationId")))
            holding.go_on.wait(timeout=300)
        return function.handler(event, context)

    aws.lambdas.register(name, replace(function, handler=held))
    return holding


@dataclass
class MigrationRun:
    aws: OfflineAWS
    scenario: Scenario
    workflow: LocalStateMachine
    execution: Execution
    first_call: int

    @property
    def calls(self) -> list[CallRecord]:
        """The calls the migration made (seeding and deployment excluded)."""
        return self.aws.world.calls[self.first_call :]

    @property
    def report(self) -> dict[str, Any]:
        result: dict[str, Any] = json.loads(self.workflow.read_artifact(self.execution.output["reportKey"]))
        return result

    @property
    def markdown(self) -> str:
        return self.workflow.read_artifact(self.execution.output["markdownKey"])


Hook = Callable[[OfflineAWS, Scenario], None]


@contextmanager
def seeded_organization(
    identities: int, consumers: int, external_consumers: int, faults: dict[str, Any] | None, before: Hook | None
) -> Iterator[tuple[OfflineAWS, Scenario]]:
    """A seeded offline AWS whose owner shares with its organization, `before` applied with the faults paused."""
    with OfflineAWS(FaultConfig(**(faults or {}))) as aws:
        scenario = seed(aws, identities=identities, consumers=consumers, external_consumers=external_consumers)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        if before is not None:
            with aws.world.faults.paused():
                before(aws, scenario)
        yield aws, scenario


@contextmanager
def migration_run(
    *,
    identities: int = 40,
    consumers: int = 2,
    external_consumers: int = 1,
    faults: dict[str, Any] | None = None,
    before: Hook | None = None,
    name: str = "mig-1",
    **request_changes: Any,
) -> Iterator[MigrationRun]:
    """A seeded offline AWS and one migration run through the real state machine, for a module of tests
    that all look at the same outcome."""
    with (
        seeded_organization(identities, consumers, external_consumers, faults, before) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        # A change may depend on what was seeded: a callable gets the scenario.
        changes = {key: value(scenario) if callable(value) else value for key, value in request_changes.items()}
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(**changes), name=name)
        yield MigrationRun(aws, scenario, workflow, execution, first_call)
