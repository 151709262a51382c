"""How the batch loop looks at a batch RAM is associating: the consumers are asked first, and RAM only about what
they cannot see yet, resource by resource, so a look costs the same however much the share already holds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.world import CallRecord


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given an owner with 60 identities and two consumers
    with migration_run(identities=60, name="mig-looks-1") as outcome:
        yield outcome


def _associations(run: MigrationRun) -> list[int]:
    """Where in the call log each batch was associated."""
    return [
        i
        for i, c in enumerate(run.calls, start=run.first_call)
        if c.operation == "AssociateResourceShare" and c.error is None and c.params.get("resourceArns")
    ]


def _resource_reads(run: MigrationRun) -> list[CallRecord]:
    """The reads of RAM's resource associations from the first batch's association to the last one's."""
    associated = _associations(run)
    return [
        c
        for c in run.aws.world.calls[associated[0] : associated[-1]]
        if c.operation == "GetResourceShareAssociations" and c.params.get("associationType") == "RESOURCE"
    ]


def test_a_look_at_a_batch_asks_ram_about_single_resources_never_the_whole_share(run: MigrationRun) -> None:
    # When the migration runs / Then it succeeds, and each read of RAM's resource associations while the batches
    # go names one resource
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    reads = _resource_reads(run)
    assert reads
    assert [c.params for c in reads if "resourceArn" not in c.params] == []


def test_a_batch_every_consumer_sees_costs_one_read_of_ram(run: MigrationRun) -> None:
    # Then RAM is read once a batch (to learn how long it took), not once for each of its identities
    assert len(_resource_reads(run)) < len(_associations(run))
