"""The share lock as the ledger holds it: read it, or plant one held by another migration."""

from __future__ import annotations

from typing import Any

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine

# The seeded scenario's share, as the lock keys it: owner account, Region and the share's name.
LOCK_KEY = "SHARE#111111111111#us-east-1#name/sms-production"


def lock_items(aws: OfflineAWS, workflow: LocalStateMachine) -> list[dict[str, Any]]:
    with aws.observing():
        items = aws.client("dynamodb").scan(TableName=workflow.resource_name("LedgerTable"))["Items"]
    return [item for item in items if item["sk"]["S"] == "LOCK"]


def put_lock(aws: OfflineAWS, workflow: LocalStateMachine, holder: str, expires_at: int) -> None:
    with aws.observing():
        aws.client("dynamodb").put_item(
            TableName=workflow.resource_name("LedgerTable"),
            Item={
                "pk": {"S": LOCK_KEY},
                "sk": {"S": "LOCK"},
                "migrationId": {"S": holder},
                "executionName": {"S": f"{holder}-run"},
                "acquiredAt": {"S": "2026-01-01T00:00:00+00:00"},
                "expiresAt": {"N": str(expires_at)},
            },
        )
