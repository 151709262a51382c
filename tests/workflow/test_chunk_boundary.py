"""The Distributed Map carries the batches in chunks of 50, one after another: the owner's policies of the next chunk's
first batches are read while the last batches of a chunk associate, so the read quota (End User Messaging's
GetResourcePolicy, 1 a second per account on the quotas page, its most restrictive rate) is not idle at a chunk's
end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eum_share.logic.plan import BATCHES_PER_CHUNK

from tests.support.migration import MigrationRun, migration_run
from twin.faults import published_quotas


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given 60 identities moved in batches of one (two chunks), End User Messaging's quotas enforced
    with migration_run(
        identities=60,
        faults={"rate_limits": published_quotas(), "association_seconds": 4.0},
        name="mig-chunks-1",
        options={"batchSize": 1},
    ) as outcome:
        yield outcome


def test_the_migration_succeeds(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_the_next_chunks_first_policy_is_read_before_the_last_batch_of_the_chunk_before_is_associated(
    run: MigrationRun,
) -> None:
    # When the batches are associated, one identity each
    associated = [
        (position, c.params["resourceArns"][0])
        for position, c in enumerate(run.calls)
        if c.operation == "AssociateResourceShare" and c.error is None and c.params.get("resourceArns")
    ]
    last_of_first_chunk, first_of_next = associated[BATCHES_PER_CHUNK - 1][0], associated[BATCHES_PER_CHUNK][1]
    read = next(
        position
        for position, c in enumerate(run.calls)
        if c.operation == "GetResourcePolicy" and c.error is None and c.params["ResourceArn"] == first_of_next
    )
    # Then the second chunk's first identity had its policy read before the first chunk's last batch was asked for
    assert read < last_of_first_chunk
