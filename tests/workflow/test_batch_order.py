"""The order AWS's sharing guide asks for, read from the offline AWS's call log."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.world import CallRecord


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with migration_run(identities=60, name="mig-order-1") as outcome:
        yield outcome


def _associations(run: MigrationRun) -> list[tuple[int, CallRecord]]:
    return [
        (i, c) for i, c in enumerate(run.aws.world.calls) if c.operation == "AssociateResourceShare" and not c.error
    ]


def _share_creation(run: MigrationRun) -> int:
    [(index, _)] = [(i, c) for i, c in enumerate(run.aws.world.calls) if c.operation == "CreateResourceShare"]
    return index


def test_the_share_is_created_with_principals_and_no_resources(run: MigrationRun) -> None:
    [create] = run.aws.world.calls_to("ram", "CreateResourceShare")
    assert create.params["principals"]
    assert "resourceArns" not in create.params


def test_every_principal_association_precedes_the_first_resource_association(run: MigrationRun) -> None:
    with_resources = [i for i, c in _associations(run) if c.params.get("resourceArns")]
    with_principals = [i for i, c in _associations(run) if c.params.get("principals")]
    assert with_resources
    assert max([_share_creation(run), *with_principals]) < min(with_resources)


def test_no_associate_call_carries_more_than_ten_resources(run: MigrationRun) -> None:
    sizes = [len(c.params.get("resourceArns", [])) for _, c in _associations(run)]
    assert max(sizes) <= 10


def _between_batches(run: MigrationRun) -> Iterator[tuple[list[str], list[CallRecord]]]:
    """Each batch of several identities, with the calls made from its association to the next one's."""
    calls = run.aws.world.calls
    batches = [
        (i, c.params["resourceArns"]) for i, c in _associations(run) if len(c.params.get("resourceArns", [])) > 1
    ]
    for (start, previous), (end, _) in itertools.pairwise(batches):
        yield previous, calls[start:end]


def test_no_batch_starts_before_the_previous_one_is_verified_from_both_sides(run: MigrationRun) -> None:
    for previous, between in _between_batches(run):
        # The owner's side: the owner account reads the share's resource associations, where RAM reports them.
        assert any(
            c.operation == "GetResourceShareAssociations"
            and c.params.get("associationType") == "RESOURCE"
            and c.account == run.scenario.owner
            and c.error is None
            for c in between
        )
        # Each consumer's side: every identity of the previous batch described under Owner=SHARED.
        for consumer in run.scenario.consumers:
            described = {
                str(arn if isinstance(arn, str) else arn["SenderId"])
                for c in between
                if c.account == consumer and c.operation.startswith("Describe") and c.error is None
                for key, ids in c.params.items()
                if key.endswith(("Ids", "Names"))
                for arn in ids
            }
            assert set(previous) <= described, consumer


def test_every_policy_is_snapshotted_before_its_identity_is_associated(run: MigrationRun) -> None:
    calls = run.aws.world.calls
    for index, association in _associations(run):
        read = {c.params["ResourceArn"] for c in calls[:index] if c.operation == "GetResourcePolicy"}
        assert set(association.params.get("resourceArns", [])) <= read


def test_each_batch_is_associated_once_in_the_happy_path(run: MigrationRun) -> None:
    tokens = [c.params["clientToken"] for _, c in _associations(run) if c.params.get("resourceArns")]
    assert len(tokens) == len(set(tokens))


def _held(run: MigrationRun) -> dict[str, set[str]]:
    """What each of the owner's pools and opt-out lists holds: a pool its members, an opt-out list the phone numbers
    and pools that use it, read from the offline AWS's own state."""
    owner = run.aws.sms.state(run.scenario.owner, run.scenario.region)
    users = [*owner.phone_numbers.values(), *owner.pools.values()]
    lists = {
        found.arn: {u.arn for u in users if u.opt_out_list_name == found.name} for found in owner.opt_out_lists.values()
    }
    return {**{pool: set(members) for pool, members in run.scenario.pool_members.items()}, **lists}


def test_no_pool_or_opt_out_list_is_associated_before_what_it_holds_was_verified(run: MigrationRun) -> None:
    calls = run.aws.world.calls
    associated = {arn: i for i, c in _associations(run) for arn in c.params.get("resourceArns", [])}
    held = {holder: members & associated.keys() for holder, members in _held(run).items() if holder in associated}
    # Given pools and opt-out lists migrated with what they hold
    assert any(held.values())
    for holder, members in held.items():
        if not members:
            continue
        # Then its association comes in a later call than each of its members', after their batch was verified:
        # the consumers described the last of them in between
        last = max(associated[member] for member in members)
        assert last < associated[holder], holder
        described = [
            c
            for c in calls[last : associated[holder]]
            if c.account in run.scenario.consumers and c.operation.startswith("Describe")
        ]
        assert described, holder


def test_pools_share_batches_with_identities_they_do_not_hold(run: MigrationRun) -> None:
    # Given 60 identities with pools and opt-out lists / When they are migrated in batches of ten
    sizes = [len(c.params["resourceArns"]) for _, c in _associations(run) if c.params.get("resourceArns")]
    # Then no more batches than the identities need: each pool and opt-out list fills a batch with others
    assert len(sizes) == math.ceil(sum(sizes) / 10)
