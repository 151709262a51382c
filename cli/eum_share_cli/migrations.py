"""The deployment's migrations as the commands read them: the ledger's view, executions, report artifacts.

The functions' modules are imported when called, not with this module: an offline stack reloads them when it
deploys, and their cached clients and error classes must belong to the AWS the command is talking to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eum_share_cli.deployment import Deployment
from eum_share_cli.failures import CommandFailed

if TYPE_CHECKING:
    from eum_share.models.doors import MigrationView
    from eum_share.models.ledger import MigrationRecord


def find_view(deployment: Deployment, migration_id: str) -> MigrationView | None:
    from eum_share.dal.ledger import Ledger
    from eum_share.errors import MigrationNotFound
    from eum_share.logic.status import migration_view

    try:
        return migration_view(Ledger(deployment.ledger_table), migration_id)
    except MigrationNotFound:
        return None


def read_view(deployment: Deployment, migration_id: str) -> MigrationView:
    view = find_view(deployment, migration_id)
    if view is None:
        raise not_found(deployment, migration_id)
    return view


def not_found(deployment: Deployment, migration_id: str) -> CommandFailed:
    return CommandFailed(
        f"no migration {migration_id!r} in the ledger of stack {deployment.stack_name} ({deployment.region}); "
        "check the ID (the request's migrationId, or the name the execution was started with)"
    )


def describe_execution(execution_arn: str) -> dict[str, Any] | None:
    """Step Functions' description (status, error, cause), or None when there is no such execution."""
    from botocore.exceptions import ClientError
    from eum_share.dal.clients import client

    try:
        described: dict[str, Any] = client("stepfunctions").describe_execution(executionArn=execution_arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return None
        raise
    return described


def execution_arn(deployment: Deployment, name: str) -> str:
    from eum_share.dal.executions import execution_arn as arn_of

    return arn_of(deployment.state_machine_arn, name)


def still_running(deployment: Deployment, record: MigrationRecord) -> bool:
    """Whether the ledger says the migration runs and its execution says so too (a run that died says otherwise)."""
    if record.status.value not in ("RUNNING", "AWAITING_APPROVAL"):
        return False
    running = describe_execution(execution_arn(deployment, record.execution_name))
    return running is not None and running["status"] == "RUNNING"


def running_execution_names(deployment: Deployment, prefix: str) -> list[str]:
    """Running executions of the migration state machine whose names start with `prefix`, from every page."""
    from eum_share.dal.clients import client

    pages = (
        client("stepfunctions")
        .get_paginator("list_executions")
        .paginate(stateMachineArn=deployment.state_machine_arn, statusFilter="RUNNING")
    )
    return [e["name"] for page in pages for e in page["executions"] if str(e["name"]).startswith(prefix)]


def read_artifact(deployment: Deployment, key: str) -> str:
    from eum_share.dal.artifacts import get_text

    return get_text(deployment.artifact_bucket, key)


def caller_arn() -> str:
    """Who the AWS credentials belong to: an IAM user, or a role session (SSO names the person in it)."""
    from eum_share.dal.clients import client

    return str(client("sts").get_caller_identity()["Arn"])
