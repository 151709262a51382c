"""The first batch starts as soon as the principals are in: its policies (kept as they were before anything changes
them) are read while RAM associates the principals, and it waits for RAM as long as the principals took."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given a migration with no configuration to rebuild, so the principals' association is a wait, in batches of two
    # (reading the next batch's policies while one associates takes less time than RAM), RAM taking 12 s to associate
    with migration_run(
        name="mig-first-batch",
        faults={"association_seconds": 12.0},
        configuration={"configurationSets": "NONE", "protectConfigurations": False},
        options={"batchSize": 2},
    ) as outcome:
        yield outcome


def test_the_migration_succeeds(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_the_first_batch_is_associated_without_reading_policies_first(run: MigrationRun) -> None:
    # Given the first batch's policies, which must be kept as they were before anything changes them
    by_batches = [c for c in run.calls if c.caller and "AssociateBatches" in c.caller]
    first_association = next(i for i, c in enumerate(by_batches) if c.operation == "AssociateResourceShare")
    # When the batches start / Then the first one is associated at once: its policies were read while RAM
    # associated the principals, time otherwise spent waiting
    assert not [c for c in by_batches[:first_association] if c.operation == "GetResourcePolicy"]
    snapshots = [c for c in run.calls if c.operation == "GetResourcePolicy" and c.caller and "EnsureShare" in c.caller]
    assert snapshots
    # and before the first resource is associated, every principal is in
    principals_in = max(
        i for i, c in enumerate(run.calls) if c.caller and "EnsureShare" in c.caller and c.service == "ram"
    )
    assert principals_in < run.calls.index(by_batches[first_association])


def test_the_next_batches_policies_are_read_while_the_principals_join(run: MigrationRun) -> None:
    # Given batches of two, and principals that take longer than the first batch's two policy reads
    by_principals_wait = [
        c for c in run.calls if c.operation == "GetResourcePolicy" and c.caller and "EnsureShare" in c.caller
    ]
    batches = [
        c.params["resourceArns"]
        for c in run.calls
        if c.operation == "AssociateResourceShare" and c.error is None and c.params.get("resourceArns")
    ]
    # When the share is looked at until they are in / Then the next batches' policies are read in the wait too (the
    # first three batches'), not only the first's, each once
    arns = [c.params["ResourceArn"] for c in by_principals_wait]
    assert sorted(arns) == sorted(arn for batch in batches[:3] for arn in batch)


def test_the_first_batch_waits_for_ram_as_long_as_the_principals_took(run: MigrationRun) -> None:
    # Given RAM took as long to associate the principals as it takes for a resource (the offline AWS's latency)
    looks = [
        c
        for c in run.calls
        if c.operation == "GetResourceShareAssociations"
        and c.params.get("associationType") == "RESOURCE"
        and not c.params.get("nextToken")
        and c.caller
        and "AssociateBatches" in c.caller
    ]
    batches = [c for c in run.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")]
    # When the batches run / Then each is found ASSOCIATED at its first look, the first one included
    assert len(looks) == len(batches)


def test_the_first_batch_is_associated_within_two_seconds_of_the_principals_being_in(run: MigrationRun) -> None:
    # Given RAM associating the principals 12 s after they are asked for
    asked = next(c for c in run.calls if c.service == "ram" and c.params.get("principals") and c.error is None)
    in_at = asked.t + 12.0
    # When the migration looks at the share until they are in / Then it does not wait a whole poll interval (5 s)
    # past that moment: the first looks come a second apart
    first = next(c for c in run.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns"))
    assert first.t - in_at < 2.0
