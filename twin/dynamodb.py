"""DynamoDB transactions at the cost of the items they touch, and batch writes that leave items unprocessed.

moto's TransactWriteItems deep-copies every table a transaction names, once per action, so that it can roll
back: a transaction of 10 puts in a table of 10,000 items copies 100,000 items. The twin keeps moto's logic
and its all-or-nothing answer (TransactionCanceledException, nothing written), but backs up only the items the
transaction touches and puts them back itself.
"""

from __future__ import annotations

import copy
import threading
import types
from collections.abc import Callable
from typing import Any

from twin.faults import Faults
from twin.moto_compat import DynamoDBTable, DynamoHandler, dynamodb_models

_inside = threading.local()


def cheap_transactions() -> Callable[[], None]:
    original = dynamodb_models.DynamoDBBackend.transact_write_items
    real_copy = dynamodb_models.copy

    def deepcopy(value: Any, memo: Any = None) -> Any:
        # Inside a transaction moto's whole-table backup is this same table: the rollback below restores
        # the items the transaction touched instead.
        if getattr(_inside, "active", False) and isinstance(value, DynamoDBTable):
            return value
        return copy.deepcopy(value, memo)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backups = _touched_items(self, transact_items)
        _inside.active = True
        try:
            original(self, transact_items)
        except Exception:
            for table_name, key, item in backups:
                if item is None:
                    self.delete_item(table_name, key)
                else:
                    self.put_item(table_name, item.to_json()["Attributes"])
            raise
        finally:
            _inside.active = False

    dynamodb_models.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)
    dynamodb_models.DynamoDBBackend.transact_write_items = transact_write_items

    def restore() -> None:
        dynamodb_models.copy = real_copy
        dynamodb_models.DynamoDBBackend.transact_write_items = original

    return restore


def _touched_items(backend: Any, transact_items: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any], Any]]:
    """(table, key, a copy of the item as it is now or None) for every item the transaction names."""
    touched = []
    for entry in transact_items:
        for kind, action in entry.items():
            table = backend.tables.get(action.get("TableName"))
            if table is None:
                continue
            source = action.get("Item", {}) if kind == "Put" else action.get("Key", {})
            key = {name: source[name] for name in (table.hash_key_attr, table.range_key_attr) if name in source}
            if len(key) != (2 if table.range_key_attr else 1):
                continue
            current = backend.get_item(table.name, key)
            touched.append((table.name, key, copy.deepcopy(current)))
    return touched


def unprocessed_writes(faults: Faults) -> Callable[[], None]:
    """BatchWriteItem as DynamoDB may answer it: "If any requested operations fail because the table's provisioned
    throughput is exceeded or an internal processing failure occurs, the failed operations are returned in the
    UnprocessedItems response parameter." (botocore's model). moto processes every request; when the fault plan
    says so (`unprocessed_write_rate`), the twin writes only the first half of each table's requests and answers
    the rest, at least one, as unprocessed: a single request is never processed while the fault holds."""
    original = DynamoHandler.batch_write_item

    def batch_write_item(self: Any) -> Any:
        if not faults.unprocessed_writes():
            return original(self)
        requests: dict[str, list[dict[str, Any]]] = self.body["RequestItems"]
        self.body["RequestItems"] = {table: entries[: len(entries) // 2] for table, entries in requests.items()}
        answer = original(self)
        answer.result["UnprocessedItems"] = {table: entries[len(entries) // 2 :] for table, entries in requests.items()}
        return answer

    DynamoHandler.batch_write_item = batch_write_item

    def restore() -> None:
        DynamoHandler.batch_write_item = original

    return restore
