"""The migration ledger (DynamoDB): one item per migration, per batch and per identity.

Every write that moves a status is conditional on the status it moves from, so a retried Lambda or a
re-run execution continues where the last one stopped and never does a step twice. Counts are read from
the identity items themselves, never kept beside them, so they cannot disagree.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from eum_share.clock import isonow
from eum_share.dal.clients import client
from eum_share.errors import AwsThrottled, MigrationConflict, MigrationNotFound, NotAwaitingApproval
from eum_share.models.changes import AddedItem
from eum_share.models.ledger import (
    ApprovalRecord,
    BatchRecord,
    Decision,
    IdentityRecord,
    IdentityStatus,
    MigrationRecord,
    MigrationStatus,
    ShareLock,
)

MIGRATION = "MIGRATION"
LOCK = "LOCK"
TRANSACTION_ITEMS = 100  # TransactWriteItems' limit
BATCH_WRITE_ITEMS = 25  # BatchWriteItem's limit
# BatchWriteItem: "If DynamoDB returns any unprocessed items, you should retry the batch operation on those items.
# However, we strongly recommend that you use an exponential backoff algorithm." Full jitter, a ceiling per wait and
# a bounded number of tries (about 5 s of waits at most); then AwsThrottled, for the state machine to retry the state.
UNPROCESSED_RETRIES = 6
UNPROCESSED_FIRST_WAIT_SECONDS = 0.1
UNPROCESSED_LONGEST_WAIT_SECONDS = 2.0
_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
Record = TypeVar("Record", bound=BaseModel)


class StaleLedgerWrite(Exception):
    """A conditional write found the item in another state than expected (another writer got there first)."""


def _pk(migration_id: str) -> dict[str, str]:
    return {"S": f"MIGRATION#{migration_id}"}


def _key(migration_id: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": _pk(migration_id), "sk": {"S": sk}}


def _batch_sk(index: int) -> str:
    return f"BATCH#{index:06d}"


def _identity_sk(arn: str) -> str:
    return f"IDENTITY#{arn}"


def _to_item(record: BaseModel) -> dict[str, Any]:
    data = record.model_dump(mode="json", by_alias=True, exclude_none=True)
    return {key: _serializer.serialize(value) for key, value in data.items()}


def _from_item(model: type[Record], item: dict[str, Any]) -> Record:
    data = {key: _deserializer.deserialize(value) for key, value in item.items() if key not in ("pk", "sk")}
    return model.model_validate(_plain(data))


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal; the models hold ints."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if type(value).__name__ == "Decimal":
        return int(value)
    return value


class Ledger:
    def __init__(self, table: str) -> None:
        self.table = table
        self._dynamodb = client("dynamodb")

    def _items(self, migration_id: str, prefix: str, **query: Any) -> Iterator[dict[str, Any]]:
        """The migration's items whose sort key starts with `prefix`, in order, read consistently."""
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": _pk(migration_id), ":prefix": {"S": prefix}},
            ConsistentRead=True,
            **query,
        )
        for page in pages:
            yield from page["Items"]

    def _write_all(self, requests: list[dict[str, Any]]) -> None:
        """Put and delete requests, 25 a call, until DynamoDB has processed them all; AwsThrottled when it keeps
        leaving some unprocessed. Every request is a whole put or delete, so the state that retries loses nothing."""
        for start in range(0, len(requests), BATCH_WRITE_ITEMS):
            self._write_batch(requests[start : start + BATCH_WRITE_ITEMS])

    def _write_batch(self, pending: list[dict[str, Any]]) -> None:
        for attempt in range(UNPROCESSED_RETRIES + 1):
            if attempt:
                ceiling = min(UNPROCESSED_LONGEST_WAIT_SECONDS, UNPROCESSED_FIRST_WAIT_SECONDS * 2 ** (attempt - 1))
                time.sleep(random.uniform(0, ceiling))
            response = self._dynamodb.batch_write_item(RequestItems={self.table: pending})
            pending = response.get("UnprocessedItems", {}).get(self.table, [])
            if not pending:
                return
        raise AwsThrottled(
            f"DynamoDB left {len(pending)} ledger writes of table {self.table} unprocessed after "
            f"{UNPROCESSED_RETRIES + 1} tries"
        )

    # -- migration -----------------------------------------------------------------------------------------
    def begin(self, record: MigrationRecord) -> MigrationRecord:
        """The migration's record: created, or the existing one when the same request runs again.

        The same migrationId with a different request is refused: the ledger would mix two plans.
        """
        item = _to_item(record) | _key(record.migration_id, MIGRATION)
        item["createdAt"] = item["updatedAt"] = {"S": isonow()}
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(pk)",
            )
            return self.migration(record.migration_id) or record
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
        existing = self.migration(record.migration_id)
        assert existing is not None
        if existing.request_hash != record.request_hash:
            raise MigrationConflict(
                f"migration {record.migration_id} already exists with a different request; "
                "use a new migrationId or re-run the original request"
            ) from None
        return existing

    def migration(self, migration_id: str) -> MigrationRecord | None:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=_key(migration_id, MIGRATION), ConsistentRead=True
        ).get("Item")
        return _from_item(MigrationRecord, item) if item else None

    def update_migration(self, migration_id: str, **fields: Any) -> None:
        """Set top-level fields of the migration item (camelCase names, JSON values)."""
        fields["updatedAt"] = isonow()
        names = {f"#f{i}": name for i, name in enumerate(fields)}
        values = {f":v{i}": _serializer.serialize(value) for i, value in enumerate(fields.values())}
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ConditionExpression="attribute_exists(pk)",
        )

    def add_warning(self, migration_id: str, warning: str) -> None:
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression="SET warnings = list_append(if_not_exists(warnings, :empty), :w)",
            ExpressionAttributeValues={":w": {"L": [{"S": warning}]}, ":empty": {"L": []}},
        )

    # -- plan ----------------------------------------------------------------------------------------------
    def write_plan(self, migration_id: str, batches: Iterable[BatchRecord], identities: list[IdentityRecord]) -> None:
        """Write every batch and identity item, then mark the migration planned with its counters.

        Nothing is associated before `planned` is set, so rewriting a half-written plan loses nothing.
        """
        batch_items = [_to_item(b) | _key(migration_id, _batch_sk(b.index)) for b in batches]
        items = batch_items + [_to_item(i) | _key(migration_id, _identity_sk(i.arn)) for i in identities]
        self._write_all([{"PutRequest": {"Item": item}} for item in items])
        self.update_migration(migration_id, planned=True, identities=len(identities), batches=len(batch_items))

    # -- batches -------------------------------------------------------------------------------------------
    def batch(self, migration_id: str, index: int) -> BatchRecord:
        item = self._dynamodb.get_item(
            TableName=self.table, Key=_key(migration_id, _batch_sk(index)), ConsistentRead=True
        )["Item"]
        return _from_item(BatchRecord, item)

    def all_batches(self, migration_id: str) -> Iterator[BatchRecord]:
        for item in self._items(migration_id, "BATCH#"):
            yield _from_item(BatchRecord, item)

    def every_unfinished_batch(self, migration_id: str, first: int, last: int) -> list[BatchRecord]:
        """Every batch record first..last (inclusive) that is not DONE, in order."""
        unfinished: list[BatchRecord] = []
        while first <= last:
            found, more = self.unfinished_batches(migration_id, first, last, at_most=TRANSACTION_ITEMS)
            unfinished += found
            if not (found and more):
                break
            first = found[-1].index + 1
        return unfinished

    def unfinished_batches(
        self, migration_id: str, first: int, last: int, at_most: int
    ) -> tuple[list[BatchRecord], bool]:
        """Batch records first..last (inclusive) that are not DONE, in order, reading `at_most` batches at a
        time until some are found; and whether batches after them remain unread."""
        params: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "FilterExpression": "#s <> :done",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {
                ":pk": _pk(migration_id),
                ":first": {"S": _batch_sk(first)},
                ":last": {"S": _batch_sk(last)},
                ":done": {"S": "DONE"},
            },
            "ConsistentRead": True,
            "Limit": at_most,
        }
        while True:
            page = self._dynamodb.query(**params)
            found = [_from_item(BatchRecord, item) for item in page["Items"]]
            more = "LastEvaluatedKey" in page
            if found or not more:
                return found, more
            params["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def lower_current_batch(self, migration_id: str, index: int) -> None:
        """Every batch before `currentBatch` is DONE: a batch made unfinished again moves it back."""
        try:
            self._dynamodb.update_item(
                TableName=self.table,
                Key=_key(migration_id, MIGRATION),
                UpdateExpression="SET currentBatch = :index",
                ConditionExpression="attribute_not_exists(currentBatch) OR currentBatch > :index",
                ExpressionAttributeValues={":index": {"N": str(index)}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def count_batches_done(self, migration_id: str, delta: int) -> None:
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression="ADD batchesDone :d SET updatedAt = :now",
            ExpressionAttributeValues={":d": {"N": str(delta)}, ":now": {"S": isonow()}},
        )

    def save_batch(self, migration_id: str, batch: BatchRecord, expected: str) -> None:
        item = _to_item(batch) | _key(migration_id, _batch_sk(batch.index))
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="#s = :expected",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":expected": {"S": expected}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                raise StaleLedgerWrite(f"batch {batch.index} is no longer {expected}") from None
            raise

    # -- identities ----------------------------------------------------------------------------------------
    def identities(self, migration_id: str, arns: list[str]) -> list[IdentityRecord]:
        """The records of these ARNs, in the order given."""
        found: dict[str, IdentityRecord] = {}
        for start in range(0, len(arns), 100):
            keys = [_key(migration_id, _identity_sk(arn)) for arn in arns[start : start + 100]]
            request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
            while request:
                response = self._dynamodb.batch_get_item(RequestItems=request)
                for item in response["Responses"].get(self.table, []):
                    record = _from_item(IdentityRecord, item)
                    found[record.arn] = record
                request = response.get("UnprocessedKeys") or {}
        return [found[arn] for arn in arns if arn in found]

    def all_identities(self, migration_id: str) -> Iterator[IdentityRecord]:
        for item in self._items(migration_id, "IDENTITY#"):
            yield _from_item(IdentityRecord, item)

    def save_identities(self, migration_id: str, changes: list[tuple[IdentityRecord, IdentityStatus]]) -> None:
        """Write identity records, each conditional on the status it has in the ledger now (paired with it).

        A hundred at a time in one transaction (DynamoDB's limit): all of them or, if any record is no longer
        in the status expected, none."""
        now = isonow()
        latest = {record.arn: (record, expected) for record, expected in changes}  # one action per item
        pending = list(latest.values())
        for start in range(0, len(pending), TRANSACTION_ITEMS):
            actions = [
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": _to_item(record.model_copy(update={"updated_at": now}))
                        | _key(migration_id, _identity_sk(record.arn)),
                        "ConditionExpression": "#s = :expected",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":expected": {"S": expected}},
                    }
                }
                for record, expected in pending[start : start + TRANSACTION_ITEMS]
            ]
            try:
                self._dynamodb.transact_write_items(TransactItems=actions)
            except ClientError as error:
                if error.response["Error"]["Code"] == "TransactionCanceledException" and any(
                    reason.get("Code") == "ConditionalCheckFailed"
                    for reason in error.response.get("CancellationReasons", [])
                ):
                    raise StaleLedgerWrite(f"an identity of {migration_id} changed status meanwhile") from None
                raise

    # -- configuration items -------------------------------------------------------------------------------
    def save_configuration(self, migration_id: str, account: str, items: list[BaseModel]) -> None:
        self._write_all(
            [
                {
                    "PutRequest": {
                        "Item": _to_item(item)
                        | _key(migration_id, f"CONFIG#{account}#{index:05d}")
                        | {"account": {"S": account}}
                    }
                }
                for index, item in enumerate(items)
            ]
        )

    # -- what the migration added (a rollback undoes exactly this) --------------------------------------------
    def record_added(self, migration_id: str, item: AddedItem) -> None:
        """Written before the change it records (or, for what AWS names only when creating it, as it answers):
        once per item, keeping when it was first recorded, so a retried step writes nothing new."""
        key = _key(migration_id, f"ADDED#{item.account}#{item.kind.value}#{item.name}")
        recorded = item.model_copy(update={"at": item.at or isonow()})
        try:
            self._dynamodb.put_item(
                TableName=self.table,
                Item=_to_item(recorded) | key,
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    def added_items(self, migration_id: str) -> list[AddedItem]:
        return [_from_item(AddedItem, item) for item in self._items(migration_id, "ADDED#")]

    def record_failure(self, migration_id: str, error: str, cause: str, status: str = "FAILED") -> str | None:
        """Mark the migration ended (FAILED, REJECTED or EXPIRED) with why; earlier fields and every identity item
        are kept. A gate's task token goes: nobody can answer a closed gate. Returns the key of the share lock the
        migration took, if it took one."""
        now = isonow()
        updated = self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression=(
                "SET #status = :status, #error = :error, #cause = :cause, updatedAt = :now, finishedAt = :now, "
                "createdAt = if_not_exists(createdAt, :now) REMOVE approvalToken"
            ),
            ExpressionAttributeNames={"#status": "status", "#error": "error", "#cause": "cause"},
            ExpressionAttributeValues={
                ":status": {"S": status},
                ":error": {"S": error},
                ":cause": {"S": cause},
                ":now": {"S": now},
            },
            ReturnValues="ALL_NEW",
        )
        lock = updated["Attributes"].get("shareLock")
        return str(lock["S"]) if lock else None

    def status_counts(self, migration_id: str) -> dict[str, int]:
        """Identities per status, read from the identity items (only their status attribute)."""
        counts: dict[str, int] = {}
        pages = self._dynamodb.get_paginator("query").paginate(
            TableName=self.table,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ProjectionExpression="#s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":pk": _pk(migration_id), ":prefix": {"S": "IDENTITY#"}},
        )
        for page in pages:
            for item in page["Items"]:
                status = item["status"]["S"]
                counts[status] = counts.get(status, 0) + 1
        return counts

    # -- share locks ---------------------------------------------------------------------------------------
    def claim_share_lock(self, lock: ShareLock, now: int, *, take_expired: bool) -> ShareLock | None:
        """Write the lock if nobody holds it or this migration does (and, with `take_expired`, if its holder let it
        expire); the holder's lock when another migration holds it."""
        condition = "attribute_not_exists(pk) OR migrationId = :me" + (" OR expiresAt < :now" if take_expired else "")
        values = {":me": {"S": lock.migration_id}} | ({":now": {"N": str(now)}} if take_expired else {})
        try:
            self._dynamodb.update_item(
                TableName=self.table,
                Key={"pk": {"S": lock.key}, "sk": {"S": LOCK}},
                UpdateExpression=(
                    "SET migrationId = :me, executionName = :execution, expiresAt = :expires, "
                    "acquiredAt = if_not_exists(acquiredAt, :acquired)"
                ),
                ConditionExpression=condition,
                ExpressionAttributeValues=values
                | {
                    ":execution": {"S": lock.execution_name},
                    ":expires": {"N": str(lock.expires_at)},
                    ":acquired": {"S": lock.acquired_at},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            # ALL_OLD: the item as the holder left it (the condition fails only when someone else holds it).
            held = cast("dict[str, Any]", error.response.get("Item") or {})
            return _from_item(ShareLock, held | {"key": {"S": lock.key}})
        return None

    def release_share_lock(self, key: str, migration_id: str) -> None:
        """Delete the lock if this migration holds it; a lock another migration holds stays."""
        try:
            self._dynamodb.delete_item(
                TableName=self.table,
                Key={"pk": {"S": key}, "sk": {"S": LOCK}},
                ConditionExpression="migrationId = :me",
                ExpressionAttributeValues={":me": {"S": migration_id}},
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise

    # -- approval gate -------------------------------------------------------------------------------------
    def await_approval(self, migration_id: str, task_token: str, plan_report_key: str) -> None:
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression=(
                "SET #s = :awaiting, phase = :awaiting, approvalToken = :token, planReportKey = :plan, "
                "updatedAt = :now REMOVE approval"
            ),
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":awaiting": {"S": MigrationStatus.AWAITING_APPROVAL.value},
                ":token": {"S": task_token},
                ":plan": {"S": plan_report_key},
                ":now": {"S": isonow()},
            },
            ConditionExpression="attribute_exists(pk)",
        )

    def claim_approval(self, migration_id: str, approval: ApprovalRecord) -> str:
        """Record the decision and take the gate's task token, once: a second decision finds no token."""
        running = approval.decision is Decision.APPROVED
        try:
            old = self._dynamodb.update_item(
                TableName=self.table,
                Key=_key(migration_id, MIGRATION),
                UpdateExpression="SET approval = :approval, #s = :status, updatedAt = :now REMOVE approvalToken",
                ConditionExpression="#s = :awaiting AND attribute_exists(approvalToken)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={
                    ":approval": _serializer.serialize(approval.model_dump(mode="json", by_alias=True)),
                    ":status": {"S": (MigrationStatus.RUNNING if running else MigrationStatus.AWAITING_APPROVAL).value},
                    ":awaiting": {"S": MigrationStatus.AWAITING_APPROVAL.value},
                    ":now": {"S": isonow()},
                },
                ReturnValues="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            record = self.migration(migration_id)
            if record is None:
                raise MigrationNotFound(f"no migration {migration_id!r} in the ledger") from None
            decided = record.approval
            raise NotAwaitingApproval(
                f"migration {migration_id} is {record.status.value}, not waiting for approval"
                + (f" (decided: {decided.decision.value} by {decided.approver})" if decided else "")
            ) from None
        return str(old["Attributes"]["approvalToken"]["S"])

    def release_approval(self, migration_id: str) -> None:
        """Forget a decision that could not reach the workflow (its gate had already closed)."""
        self._dynamodb.update_item(
            TableName=self.table,
            Key=_key(migration_id, MIGRATION),
            UpdateExpression="REMOVE approval SET updatedAt = :now",
            ExpressionAttributeValues={":now": {"S": isonow()}},
        )
