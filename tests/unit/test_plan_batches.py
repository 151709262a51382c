"""PlanBatches: each pool and opt-out list after everything it holds, in as few batches as that allows; batches a
consumer checks without waiting on a quota."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from eum_share.logic.plan import plan_batches
from eum_share.models.inventory import Identity, Inventory
from eum_share.models.plan import Plan
from eum_share.models.request import ResourceType

ACCOUNT = "111122223333"
KINDS = {
    ResourceType.PHONE_NUMBER: "phone-number/phone-",
    ResourceType.SENDER_ID: "sender-id/SENDER",
    ResourceType.POOL: "pool/pool-",
    ResourceType.OPT_OUT_LIST: "opt-out-list/list-",
}


def _arn(kind: ResourceType, index: int) -> str:
    return f"arn:aws:sms-voice:us-east-1:{ACCOUNT}:{KINDS[kind]}{index:04d}"


def _identity(kind: ResourceType, index: int, members: list[str] | None = None) -> Identity:
    return Identity(arn=_arn(kind, index), type=kind, id=f"{kind.value}{index}", members=sorted(members or []))


def _of(identities: list[Identity]) -> Inventory:
    return Inventory(owner=ACCOUNT, region="us-east-1", account_tier="PRODUCTION", identities=identities)


def _inventory(counts: dict[ResourceType, int]) -> Inventory:
    return _of([_identity(kind, index) for kind, count in counts.items() for index in range(count)])


def _owner_like(total: int) -> Inventory:
    """As owners hold them: a fifth sender IDs, a pool of five per twenty identities, an opt-out list per fifty
    (used by the phone numbers in turn), and the Default opt-out list used by every pool."""
    lists, pools, senders = max(1, total // 50), max(1, total // 20), total // 5
    numbers = [_arn(ResourceType.PHONE_NUMBER, i) for i in range(total - lists - pools - senders)]
    sender_ids = [_arn(ResourceType.SENDER_ID, i) for i in range(senders)]
    pooled = [_identity(ResourceType.POOL, p, (numbers + sender_ids)[p * 5 : p * 5 + 5]) for p in range(pools)]
    return _of(
        [
            *(_identity(ResourceType.PHONE_NUMBER, i) for i in range(len(numbers))),
            *(_identity(ResourceType.SENDER_ID, i) for i in range(senders)),
            *pooled,
            *(_identity(ResourceType.OPT_OUT_LIST, k, numbers[k::lists]) for k in range(lists)),
            _identity(ResourceType.OPT_OUT_LIST, lists, [pool.arn for pool in pooled]),
        ]
    )


def _kinds(plan_batch: list[str], inventory: Inventory) -> Counter[ResourceType]:
    found = inventory.by_arn()
    return Counter(found[arn].type for arn in plan_batch)


def _batch_of(plan: Plan) -> dict[str, int]:
    return {arn: batch.index for batch in plan.batches for arn in batch.arns}


def test_while_numbers_and_sender_ids_remain_a_batch_holds_one_describe_call_of_each() -> None:
    # Given 30 phone numbers and 10 sender IDs
    inventory = _inventory({ResourceType.PHONE_NUMBER: 30, ResourceType.SENDER_ID: 10})

    # When the batches are planned at RAM's safe size of 10
    plan = plan_batches("m-1", inventory, 10)

    # Then the first batches hold five of each (one DescribePhoneNumbers and one DescribeSenderIds per consumer),
    # and the numbers left over go ten at a time
    kinds = [_kinds(batch.arns, inventory) for batch in plan.batches]
    assert kinds[:2] == [Counter({ResourceType.PHONE_NUMBER: 5, ResourceType.SENDER_ID: 5})] * 2
    assert kinds[2:] == [Counter({ResourceType.PHONE_NUMBER: 10})] * 2


@pytest.mark.parametrize("total", [20, 100, 1000])
@pytest.mark.parametrize("size", [1, 3, 10])
def test_no_pool_or_opt_out_list_is_in_a_batch_before_or_with_anything_it_holds(total: int, size: int) -> None:
    # Given pools, opt-out lists used by phone numbers, and an opt-out list used by the pools
    inventory = _owner_like(total)

    # When the batches are planned
    plan = plan_batches("m-1", inventory, size)

    # Then each pool comes in a later batch than each of its members, each opt-out list than each identity using it
    batch_of = _batch_of(plan)
    for holder in inventory.identities:
        assert all(batch_of[member] < batch_of[holder.arn] for member in holder.members), holder.arn
    assert sorted(batch_of) == sorted(i.arn for i in inventory.identities)


def test_a_pool_does_not_wait_for_identities_it_does_not_hold() -> None:
    # Given a pool of five phone numbers, 25 phone numbers in no pool and five sender IDs: 36 identities
    numbers = [_identity(ResourceType.PHONE_NUMBER, i) for i in range(30)]
    senders = [_identity(ResourceType.SENDER_ID, i) for i in range(5)]
    pool = _identity(ResourceType.POOL, 0, [n.arn for n in numbers[20:25]])
    inventory = _of([*numbers, *senders, pool])

    # When they are planned in batches of ten
    plan = plan_batches("m-1", inventory, 10)

    # Then they take four batches, as many as 36 identities need with no pool: the pool shares one with numbers
    # it does not hold, right after the batch of its last member
    assert len(plan.batches) == 4
    batch_of = _batch_of(plan)
    assert batch_of[pool.arn] == max(batch_of[member] for member in pool.members) + 1


@pytest.mark.parametrize(("total", "batches"), [(20, 3), (100, 11), (1000, 101)])
def test_a_migration_takes_as_few_batches_as_its_size_and_its_pools_allow(total: int, batches: int) -> None:
    # Given an owner's identities as owners hold them (the Default opt-out list, used by the pools, one more)
    inventory = _owner_like(total)

    # When the batches are planned at RAM's safe size of 10
    plan = plan_batches("m-1", inventory, 10)

    # Then there are ceil(identities / 10) batches, or one more than the longest chain of pool and opt-out lists
    # needs: at 20, an opt-out list used by 14 numbers waits for the two batches that hold them
    assert len(plan.batches) == batches == max(math.ceil(len(inventory.identities) / 10), 3)


def test_an_opt_out_list_used_by_a_pool_comes_after_the_pool_after_its_members() -> None:
    # Given an opt-out list used by a pool of two phone numbers
    numbers = [_identity(ResourceType.PHONE_NUMBER, i) for i in range(2)]
    pool = _identity(ResourceType.POOL, 0, [n.arn for n in numbers])
    optouts = _identity(ResourceType.OPT_OUT_LIST, 0, [pool.arn])

    # When they are planned, however large the batches
    plan = plan_batches("m-1", _of([optouts, pool, *numbers]), 10)

    # Then the numbers go first, the pool next, the list last
    assert [batch.arns for batch in plan.batches] == [[n.arn for n in numbers], [pool.arn], [optouts.arn]]


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_no_batch_is_larger_than_the_batch_size(size: int) -> None:
    # Given numbers and sender IDs, in a pool and an opt-out list
    inventory = _owner_like(40)

    # When batches are planned at any size
    plan = plan_batches("m-1", inventory, size)

    # Then none holds more than that, and every identity is in exactly one
    assert max(len(b.arns) for b in plan.batches) <= size
    arns = [arn for b in plan.batches for arn in b.arns]
    assert sorted(arns) == sorted(i.arn for i in inventory.identities)


def test_the_batch_left_short_goes_first() -> None:
    # Given 21 phone numbers
    inventory = _inventory({ResourceType.PHONE_NUMBER: 21})

    # When they are planned in batches of ten
    plan = plan_batches("m-1", inventory, 10)

    # Then the first batch holds the one left over: its policies are read while RAM associates the principals, so
    # the fewer, the sooner the batches start; the others are full
    assert [len(batch.arns) for batch in plan.batches] == [1, 10, 10]
