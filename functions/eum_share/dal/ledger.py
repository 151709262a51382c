"""The migration ledger (DynamoDB): one item per migration, one per identity or configuration item."""

from __future__ import annotations

from datetime import UTC, datetime

from eum_share.dal.clients import client


def migration_key(migration_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"MIGRATION#{migration_id}"}, "sk": {"S": "MIGRATION"}}


def record_failure(table: str, migration_id: str, error: str, cause: str) -> None:
    """Mark the migration FAILED with why; earlier fields (and every identity item) are kept."""
    now = datetime.now(UTC).isoformat()
    client("dynamodb").update_item(
        TableName=table,
        Key=migration_key(migration_id),
        UpdateExpression=(
            "SET #status = :failed, #error = :error, #cause = :cause, updatedAt = :now, "
            "createdAt = if_not_exists(createdAt, :now)"
        ),
        ExpressionAttributeNames={"#status": "status", "#error": "error", "#cause": "cause"},
        ExpressionAttributeValues={
            ":failed": {"S": "FAILED"},
            ":error": {"S": error},
            ":cause": {"S": cause},
            ":now": {"S": now},
        },
    )
