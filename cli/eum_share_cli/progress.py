"""A migration's progress, read from the ledger the way an operator's terminal reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Progress:
    migration_id: str
    status: str
    phase: str
    identities: int
    batches: int
    batches_done: int
    share_arn: str | None

    def line(self) -> str:
        if self.phase == "ASSOCIATING":
            bar_width = 30
            filled = bar_width * self.batches_done // max(1, self.batches)
            bar = "#" * filled + "." * (bar_width - filled)
            return f"{self.phase:<13} [{bar}] {self.batches_done}/{self.batches} batches verified"
        if self.phase == "PLANNED":
            return f"{self.phase:<13} {self.identities} identities in {self.batches} batches"
        if self.phase == "SHARING" and self.share_arn:
            return f"{self.phase:<13} {self.share_arn}"
        return f"{self.phase:<13} {self.status.lower()}"


def read_progress(dynamodb: Any, table: str, migration_id: str) -> Progress | None:
    key = {"pk": {"S": f"MIGRATION#{migration_id}"}, "sk": {"S": "MIGRATION"}}
    item = dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    if item is None:
        return None

    def number(name: str) -> int:
        return int(item[name]["N"]) if name in item else 0

    return Progress(
        migration_id=migration_id,
        status=item.get("status", {}).get("S", "RUNNING"),
        phase=item.get("phase", {}).get("S", "VALIDATED"),
        identities=number("identities"),
        batches=number("batches"),
        batches_done=number("batchesDone"),
        share_arn=item.get("shareArn", {}).get("S"),
    )
