"""Step Functions: starting migrations, reading them, and answering an approval gate's task token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal.clients import client


class ExecutionExists(Exception):
    """The name is taken by an execution that has ended, or that runs with another input."""


class GateClosed(Exception):
    """The task token no longer waits: its task timed out, or the execution ended."""


@dataclass(frozen=True)
class ExecutionInfo:
    arn: str
    name: str
    status: str
    input: str


def execution_arn(state_machine_arn: str, name: str) -> str:
    return state_machine_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"


def start(state_machine_arn: str, name: str, payload: str) -> str:
    """Start, or get the running execution of the same name and input (StartExecution is idempotent for that)."""
    try:
        response = client("stepfunctions").start_execution(stateMachineArn=state_machine_arn, name=name, input=payload)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ExecutionAlreadyExists":
            raise ExecutionExists(error.response["Error"].get("Message", name)) from None
        raise
    return str(response["executionArn"])


def describe(arn: str) -> ExecutionInfo | None:
    try:
        found = client("stepfunctions").describe_execution(executionArn=arn)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ExecutionDoesNotExist":
            return None
        raise
    return ExecutionInfo(arn=arn, name=found["name"], status=found["status"], input=found.get("input", ""))


def send_success(task_token: str, output: dict[str, Any]) -> None:
    _answer(lambda sfn: sfn.send_task_success(taskToken=task_token, output=json.dumps(output)))


def send_failure(task_token: str, error: str, cause: str) -> None:
    _answer(lambda sfn: sfn.send_task_failure(taskToken=task_token, error=error, cause=cause))


def _answer(call: Any) -> None:
    try:
        call(client("stepfunctions"))
    except ClientError as error:
        if error.response["Error"]["Code"] in ("TaskTimedOut", "TaskDoesNotExist", "InvalidToken"):
            raise GateClosed(error.response["Error"]["Code"]) from None
        raise
