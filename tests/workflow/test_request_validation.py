"""The first state of the real ASL: a bad request fails the execution at once, naming the field."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.support.events import load_event
from tests.support.migration import mutating_calls
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine


def _valid_request() -> dict[str, Any]:
    request: dict[str, Any] = load_event("validate_request.json")["request"]
    return request


def _ledger_item(migration_id: str) -> dict[str, Any] | None:
    key = {"pk": {"S": f"MIGRATION#{migration_id}"}, "sk": {"S": "MIGRATION"}}
    item: dict[str, Any] | None = (
        boto3.client("dynamodb").get_item(TableName="eum-share-local-LedgerTable", Key=key).get("Item")
    )
    return item


def test_a_valid_request_opens_the_migration_under_the_execution_name(workflow: LocalStateMachine) -> None:
    workflow.run(_valid_request(), name="mig-accept-1")
    assert _ledger_item("mig-accept-1") is not None


def test_an_invalid_request_fails_with_invalid_request_naming_the_field(workflow: LocalStateMachine) -> None:
    request = _valid_request() | {"options": {"batchSize": 50}}
    execution = workflow.run(request)
    assert execution.status == "FAILED"
    assert execution.error == "InvalidRequest"
    assert execution.cause == "options.batchSize: Input should be less than or equal to 10"


def test_an_invalid_request_changes_nothing(workflow: LocalStateMachine, aws: OfflineAWS) -> None:
    before = len(aws.world.calls)
    workflow.run(_valid_request() | {"principals": ["not-a-principal"]}, name="mig-refused-1")
    assert mutating_calls(aws.world.calls[before:]) == []
    assert _ledger_item("mig-refused-1") is None


def test_an_unexpected_error_is_recorded_in_the_ledger_and_announced(
    workflow: LocalStateMachine, aws: OfflineAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given validation breaks for a reason that is not the request's fault
    from eum_share.handlers import validate_request as handler

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("ledger unreachable")

    monkeypatch.setattr(handler, "validate_request", broken)
    # When a migration starts
    execution = workflow.run(_valid_request(), name="mig-broken-1")
    # Then the execution fails with that error, the ledger says why, and MigrationFailed was published
    assert (execution.status, execution.error, execution.cause) == ("FAILED", "RuntimeError", "ledger unreachable")
    item = _ledger_item("mig-broken-1")
    assert item is not None
    assert (item["status"]["S"], item["cause"]["S"]) == ("FAILED", "ledger unreachable")
    [published] = aws.world.calls_to("events", "PutEvents")
    entry = published.params["Entries"][0]
    assert entry["DetailType"] == "MigrationFailed"
    assert json.loads(entry["Detail"])["migrationId"] == "mig-broken-1"
