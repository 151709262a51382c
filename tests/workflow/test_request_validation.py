"""The first state of the real ASL: a bad request fails the execution at once, naming the field."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.support.events import load_event
from tests.support.migration import mutating_calls
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow


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


def test_a_request_naming_an_owner_off_the_stacks_allow_list_is_refused_with_nothing_assumed(aws: OfflineAWS) -> None:
    # Given a stack deployed to act in owner account 333333333333 only
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING", "OwnerAccountIds": "333333333333"}) as stack:
        before = len(aws.world.calls)
        # When a request names owner 111111111111
        execution = stack.run(_valid_request(), name="mig-owner-off-list-1")
    # Then it fails at validation naming the field, no role was assumed and nothing was opened
    assert (execution.status, execution.error) == ("FAILED", "InvalidRequest")
    assert (execution.cause or "").startswith("owner.accountId: account 111111111111 is not an owner account")
    assert [c for c in aws.world.calls[before:] if c.service == "sts" and c.operation == "AssumeRole"] == []
    assert _ledger_item("mig-owner-off-list-1") is None


def test_a_request_naming_a_consumer_off_the_stacks_allow_list_is_refused_naming_it(aws: OfflineAWS) -> None:
    # Given a stack whose consumers may be 444444444444 only
    with local_migration_workflow(
        aws, parameters={"LogLevel": "WARNING", "ConsumerAccountIds": "444444444444"}
    ) as stack:
        # When a request shares with 222222222222
        execution = stack.run(_valid_request(), name="mig-consumer-off-list-1")
    # Then it fails at validation naming the consumer
    assert (execution.status, execution.error) == ("FAILED", "InvalidRequest")
    assert "consumers[0].accountId: account 222222222222 may not consume" in (execution.cause or "")
