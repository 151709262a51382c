"""The rollback's part of the ledger: one record per mode (the latest run) and its batches of identities to undo.

Like the migration's, every write that moves a status is conditional on the status it moves from, so a retried
Lambda continues where the last attempt stopped.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from eum_share.clock import isonow
from eum_share.dal.ledger import Ledger, StaleLedgerWrite, _from_item, _key, _serializer, _to_item
from eum_share.models.ledger import MigrationStatus
from eum_share.models.rollback import (
    RollbackMode,
    RollbackPhase,
    RollbackRecord,
    RollbackStatus,
    UndoBatch,
    UndoBatchStatus,
)

UNDO = "UNDO#"


def _undo_sk(index: int) -> str:
    return f"{UNDO}{index:06d}"


class RollbackLedger(Ledger):
    def rollback(self, migration_id: str, mode: RollbackMode) -> RollbackRecord | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=_key(migration_id, mode.value), ConsistentRead=True
        ).get("Item")
        return _from_item(RollbackRecord, item) if item else None

    def open_rollback(self, migration_id: str, record: RollbackRecord, batches: list[UndoBatch]) -> None:
        """A new run: its record and batches replace the last run's. A rollback marks the migration ROLLING_BACK
        (refused from then on by the migration's own doors); a restore leaves the migration's status alone."""
        kept = {_undo_sk(batch.index) for batch in batches}  # rewritten below: one request may not name a key twice
        stale = [_key(migration_id, sk) for sk in self._undo_keys(migration_id) if sk not in kept]
        fresh = [_to_item(batch) | _key(migration_id, _undo_sk(batch.index)) for batch in batches]
        requests: list[dict[str, Any]] = [{"DeleteRequest": {"Key": key}} for key in stale]
        self._write_all(requests + [{"PutRequest": {"Item": item}} for item in fresh])
        item = _to_item(record.model_copy(update={"batches": len(batches), "started_at": isonow()}))
        self._dynamodb.put_item(TableName=self.table, Item=item | _key(migration_id, record.mode.value))
        if record.mode is RollbackMode.ROLLBACK:
            self.update_migration(migration_id, status=MigrationStatus.ROLLING_BACK.value)

    def _undo_keys(self, migration_id: str) -> list[str]:
        return [str(item["sk"]["S"]) for item in self._items(migration_id, UNDO, ProjectionExpression="sk")]

    def update_rollback(self, migration_id: str, mode: RollbackMode, **fields: Any) -> None:
        """Set top-level fields of the run's record (camelCase names, JSON values)."""
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": _serializer.serialize(value) for i, value in enumerate(fields.values())}
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, mode.value),
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ConditionExpression="attribute_exists(pk)",
        )

    def undo_batches(self, migration_id: str) -> list[UndoBatch]:
        """Every batch of the current run, in order."""
        return [_from_item(UndoBatch, item) for item in self._items(migration_id, UNDO)]

    def save_undo_batch(self, migration_id: str, batch: UndoBatch, expected: UndoBatchStatus) -> None:
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=_to_item(batch) | _key(migration_id, _undo_sk(batch.index)),
                ConditionExpression="#s = :expected",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":expected": {"S": expected.value}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleLedgerWrite(f"undo batch {batch.index} is no longer {expected.value}") from None
            raise
        if batch.status is UndoBatchStatus.DONE:
            self._dynamodb.update_item(
                TableName=self.table,
                Key=_key(migration_id, RollbackMode.ROLLBACK.value),
                UpdateExpression="ADD batchesDone :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    def close_rollback(self, migration_id: str, mode: RollbackMode, report_key: str, markdown_key: str) -> None:
        now = isonow()
        self.update_rollback(
            migration_id,
            mode,
            status=RollbackStatus.SUCCEEDED.value,
            phase=RollbackPhase.DONE.value,
            reportKey=report_key,
            markdownKey=markdown_key,
            finishedAt=now,
        )
        if mode is RollbackMode.ROLLBACK:
            self.update_migration(migration_id, status=MigrationStatus.ROLLED_BACK.value, finishedAt=now)

    def fail_rollback(self, migration_id: str, mode: RollbackMode, error: str, cause: str) -> None:
        now = isonow()
        self.update_rollback(
            migration_id, mode, status=RollbackStatus.FAILED.value, error=error, cause=cause, finishedAt=now
        )
        if mode is RollbackMode.ROLLBACK:
            self.update_migration(migration_id, status=MigrationStatus.ROLLBACK_FAILED.value)
