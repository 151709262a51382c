"""What keeps a large migration fast and cheap, read from the offline AWS's call log: End User Messaging's
published quotas are kept rather than discovered, each batch is probed while the next one associates, and the
loop waits as long as RAM took instead of polling."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.faults import published_quotas
from twin.world import CallRecord

# The published quotas, for every End User Messaging action the orchestrator calls (eum_share.dal.quotas).
QUOTAS = published_quotas()


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given an owner with 60 identities, two consumers, End User Messaging's quotas enforced and RAM taking 4 s
    with migration_run(
        identities=60, faults={"rate_limits": QUOTAS, "association_seconds": 4.0}, name="mig-scale-1"
    ) as outcome:
        yield outcome


def _batches(run: MigrationRun) -> list[tuple[int, list[str]]]:
    return [
        (i, c.params["resourceArns"])
        for i, c in enumerate(run.calls, start=run.first_call)
        if c.operation == "AssociateResourceShare" and c.error is None and c.params.get("resourceArns")
    ]


def _dry_runs(calls: list[CallRecord]) -> list[CallRecord]:
    return [c for c in calls if c.operation == "SendTextMessage" and c.params.get("DryRun") and c.error is None]


def test_the_migration_succeeds_without_a_single_throttled_call(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert [c for c in run.calls if c.error == "ThrottlingException"] == []


def test_every_sending_identity_is_dry_run_once_from_each_consumer(run: MigrationRun) -> None:
    sent = Counter((c.account, c.params["OriginationIdentity"]) for c in _dry_runs(run.calls))
    senders = run.scenario.phone_numbers + run.scenario.sender_ids + run.scenario.pools
    assert sent == Counter({(consumer, arn): 1 for consumer in run.scenario.consumers for arn in senders})


def test_a_batch_is_probed_while_the_next_one_associates(run: MigrationRun) -> None:
    calls = run.aws.world.calls
    batches = _batches(run)
    for (_, probed), (start, _), (end, _) in zip(batches, batches[1:], batches[2:], strict=False):
        # Given batch k, then k+1 and k+2 / Then batch k's probes are sent after k+1 started and before k+2
        between = {c.params["OriginationIdentity"] for c in _dry_runs(calls[start:end])}
        senders = {arn for arn in probed if ":opt-out-list/" not in arn}  # the owner's Default list too
        assert senders <= between


def test_after_the_first_batch_each_batch_is_looked_at_once(run: MigrationRun) -> None:
    calls = run.aws.world.calls
    batches = _batches(run)
    looks = [
        sum(1 for c in calls[start:end] if _first_page_of_resource_associations(c))
        for (start, _), (end, _) in itertools.pairwise(batches)
    ]
    assert looks[1:] == [1] * (len(looks) - 1)


def _first_page_of_resource_associations(call: CallRecord) -> bool:
    """A look at the share's resource associations begins with a page asked for without a token."""
    return (
        call.operation == "GetResourceShareAssociations"
        and call.params.get("associationType") == "RESOURCE"
        and "nextToken" not in call.params
    )
