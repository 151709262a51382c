"""The CLI finds a migration's running executions on every page of ListExecutions, not only the first."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from eum_share_cli import migrations
from eum_share_cli.deployment import Deployment

MACHINE = "arn:aws:states:us-east-1:111122223333:stateMachine:eum-share"


def _execution(name: str) -> dict[str, Any]:
    return {
        "executionArn": f"arn:aws:states:us-east-1:111122223333:execution:eum-share:{name}",
        "stateMachineArn": MACHINE,
        "name": name,
        "status": "RUNNING",
        "startDate": datetime(2026, 1, 1, tzinfo=UTC),
    }


def test_an_execution_on_a_later_page_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a first page of other executions and the migration's own on the second
    sfn = boto3.client("stepfunctions", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(sfn)
    stubber.add_response("list_executions", {"executions": [_execution("other-1")], "nextToken": "more"})
    stubber.add_response("list_executions", {"executions": [_execution("mig-42-abcd")]})
    stubber.activate()
    monkeypatch.setattr("eum_share.dal.clients.client", lambda service, region=None: sfn)
    deployment = Deployment("eum-share", "us-east-1", MACHINE, "ledger", "bucket", "bus")

    # When the CLI looks for the migration's running executions
    found = migrations.running_execution_names(deployment, "mig-42")

    # Then it finds the one on the second page
    assert found == ["mig-42-abcd"]
