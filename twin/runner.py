"""Run the real ASL on moto's Step Functions interpreter, its Lambda tasks dispatched to the real handlers."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from twin.offline import OfflineAWS
from twin.stack import ROOT, LocalStack, TemplateError

PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_]+)\}")
LAMBDA_TASKS = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")
MAX_POLL = 0.2  # wall seconds between looks at a running execution


@dataclass(frozen=True)
class Execution:
    arn: str
    name: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    simulated_seconds: float
    wall_seconds: float


def render_definition(asl_path: Path, substitutions: dict[str, str]) -> str:
    """The ASL with every ${Name} filled in; a placeholder without a value is an error, as in AWS."""
    text = asl_path.read_text()
    missing = sorted(set(PLACEHOLDER.findall(text)) - substitutions.keys())
    if missing:
        raise TemplateError(f"{asl_path.name}: no DefinitionSubstitutions for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: substitutions[match.group(1)], text)


def lambda_tasks(definition: dict[str, Any]) -> dict[str, str]:
    """Every Task state of an ASL definition that invokes a Lambda function, nested ones included: the state's name
    and its FunctionName as written (an ARN, or a placeholder before rendering)."""
    found: dict[str, str] = {}

    def walk(states: dict[str, Any]) -> None:
        for name, state in states.items():
            if state.get("Type") == "Task" and state.get("Resource") in LAMBDA_TASKS:
                found[name] = str(state["Parameters"]["FunctionName"])
            for nested in [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]:
                if nested:
                    walk(nested["States"])

    walk(definition["States"])
    return found


class LocalStateMachine:
    """One state machine of template.yaml, created in the offline AWS and ready to run."""

    def __init__(
        self,
        offline: OfflineAWS,
        *,
        definition: str,
        name: str,
        handlers: dict[str, Callable[[dict[str, Any], Any], Any]] | None = None,
    ) -> None:
        self.offline = offline
        self.stack: LocalStack | None = None
        # Every state machine of the same template (this one included), by logical ID.
        self.siblings: dict[str, LocalStateMachine] = {}
        self.definition = definition
        for function_name, handler in (handlers or {}).items():
            offline.register_lambda(function_name, handler)
        self.sfn = offline.client("stepfunctions")
        with offline.unthrottled():
            self.arn: str = self.sfn.create_state_machine(
                name=name,
                definition=definition,
                roleArn=f"arn:aws:iam::{offline.session().client('sts').get_caller_identity()['Account']}:role/{name}",
            )["stateMachineArn"]

    @classmethod
    def from_template(
        cls,
        offline: OfflineAWS,
        logical_id: str = "MigrationStateMachine",
        *,
        parameters: dict[str, str] | None = None,
    ) -> LocalStateMachine:
        """Deploy template.yaml's stateful resources and functions, create every state machine of it (a function
        may start another one: the EventBridge door starts rollbacks), and return the named one.

        The functions' environment is set before their modules are imported, as in Lambda. The approval gate
        stops only the migrations that ask for it (ApprovalRequired=REQUESTED) unless `parameters` say otherwise:
        most offline runs share outside the organization, which the stack's default would hold at the gate.
        """
        parameters = {"ApprovalRequired": "REQUESTED"} | (parameters or {})
        with offline.unthrottled():  # deploying is not part of any migration
            stack = LocalStack(offline, parameters=parameters)
            os.environ.update(stack.environment())
            stack.deploy()
        machines: dict[str, LocalStateMachine] = {}
        for name, resource in stack.of_type("AWS::Serverless::StateMachine").items():
            props = resource["Properties"]
            substitutions = {k: str(v) for k, v in stack.resolve(props.get("DefinitionSubstitutions", {})).items()}
            definition = render_definition(ROOT / props["DefinitionUri"], substitutions)
            machines[name] = cls(offline, definition=definition, name=stack.physical_name(name))
            machines[name].stack = stack
        for machine in machines.values():
            machine.siblings = machines
        return machines[logical_id]

    @property
    def rollback(self) -> LocalStateMachine:
        """template.yaml's rollback state machine, deployed with this one."""
        return self.siblings["RollbackStateMachine"]

    def task_functions(self) -> dict[str, str]:
        """Every Task state that invokes a Lambda function, those of Map item processors included: the state's
        name and the name of the function it invokes, in the definition's order."""
        return {
            state: function.split(":function:")[-1].split(":")[0]
            for state, function in lambda_tasks(json.loads(self.definition)).items()
        }

    def resource_name(self, logical_id: str) -> str:
        """The offline physical name of a template resource (a table, a bucket, a bus)."""
        assert self.stack is not None, "created from a definition, not from template.yaml"
        return self.stack.physical_name(logical_id)

    def read_artifact(self, key: str) -> str:
        """An object of the stack's artifact bucket (reports, plans), as text."""
        s3 = self.offline.client("s3")
        with self.offline.unthrottled():
            return str(s3.get_object(Bucket=self.resource_name("ArtifactBucket"), Key=key)["Body"].read().decode())

    def start(self, payload: Any, name: str | None = None) -> str:
        """Start an execution as a person at the console would: the fault plan's throttling is for the
        orchestrator, not for the test's own hand."""
        with self.offline.unthrottled():
            arn: str = self.sfn.start_execution(
                stateMachineArn=self.arn, name=name or f"run-{uuid.uuid4().hex[:12]}", input=json.dumps(payload)
            )["executionArn"]
        return arn

    def wait(self, execution_arn: str, timeout: float = 600.0, poll: float = 0.005) -> Execution:
        """Block (in wall time) until the execution ends; simulated time is what the workflow waited.

        Looks every `poll` seconds at first, then less and less often (up to MAX_POLL): each look is a
        DescribeExecution through moto, whose work competes with the execution's own threads for the GIL."""
        started_wall = time.perf_counter()
        started_sim = self.offline.clock.now()
        while True:
            with self.offline.observing():
                described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                break
            if time.perf_counter() - started_wall > timeout:
                raise TimeoutError(f"{execution_arn} still RUNNING after {timeout} s of wall time")
            time.sleep(poll)
            poll = min(MAX_POLL, poll * 1.5)
        output = described.get("output")
        return Execution(
            arn=execution_arn,
            name=described["name"],
            status=described["status"],
            output=json.loads(output) if output else None,
            error=described.get("error"),
            cause=described.get("cause"),
            simulated_seconds=self.offline.clock.now() - started_sim,
            wall_seconds=time.perf_counter() - started_wall,
        )

    def run(self, payload: Any, name: str | None = None, timeout: float = 600.0) -> Execution:
        return self.wait(self.start(payload, name), timeout)

    def history(self, execution_arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        with self.offline.unthrottled():
            for page in self.sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
                events.extend(page["events"])
        return events

    def child_histories(self, execution_arn: str) -> list[list[dict[str, Any]]]:
        """The history of each child execution that a Distributed Map of this execution started."""
        return [child.history() for child in self.offline.child_executions.of(execution_arn)]


@contextmanager
def local_migration_workflow(
    offline: OfflineAWS, parameters: dict[str, str] | None = None
) -> Iterator[LocalStateMachine]:
    """template.yaml's migration state machine on the offline AWS, with the functions' environment set."""
    saved = dict(os.environ)
    try:
        yield LocalStateMachine.from_template(offline, parameters=parameters)
    finally:
        os.environ.clear()
        os.environ.update(saved)
