"""The plan: identities in batches of at most ten, members before the pools and opt-out lists holding them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.request import MAX_BATCH_SIZE


class Batch(WireModel):
    index: int
    chunk: int
    arns: Annotated[list[str], Field(min_length=1, max_length=MAX_BATCH_SIZE)]


class Plan(WireModel):
    migration_id: str
    batch_size: int
    batches: list[Batch]
    chunks: int

    def batches_of_chunk(self, chunk: int) -> list[Batch]:
        return [batch for batch in self.batches if batch.chunk == chunk]

    @property
    def identity_count(self) -> int:
        return sum(len(batch.arns) for batch in self.batches)
