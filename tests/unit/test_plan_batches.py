"""PlanBatches: members first, then pools, then opt-out lists; batches a consumer checks without waiting on a quota."""

from __future__ import annotations

from collections import Counter

import pytest
from eum_share.logic.plan import plan_batches
from eum_share.models.inventory import Identity, Inventory
from eum_share.models.request import ResourceType

ACCOUNT = "111122223333"
KINDS = {
    ResourceType.PHONE_NUMBER: "phone-number/phone-",
    ResourceType.SENDER_ID: "sender-id/SENDER",
    ResourceType.POOL: "pool/pool-",
    ResourceType.OPT_OUT_LIST: "opt-out-list/list-",
}


def _inventory(counts: dict[ResourceType, int]) -> Inventory:
    identities = [
        Identity(
            arn=f"arn:aws:sms-voice:us-east-1:{ACCOUNT}:{KINDS[kind]}{index}", type=kind, id=f"{kind.value}{index}"
        )
        for kind, count in counts.items()
        for index in range(count)
    ]
    return Inventory(owner=ACCOUNT, region="us-east-1", account_tier="PRODUCTION", identities=identities)


def _kinds(plan_batch: list[str], inventory: Inventory) -> Counter[ResourceType]:
    found = inventory.by_arn()
    return Counter(found[arn].type for arn in plan_batch)


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


def test_pools_wait_for_every_member_and_opt_out_lists_for_every_pool() -> None:
    # Given every kind
    counts = {
        ResourceType.OPT_OUT_LIST: 3,
        ResourceType.POOL: 4,
        ResourceType.SENDER_ID: 7,
        ResourceType.PHONE_NUMBER: 12,
    }
    inventory = _inventory(counts)

    # When the batches are planned
    plan = plan_batches("m-1", inventory, 10)

    # Then no batch mixes a phase with another, and the phases come in order
    phase_of = {
        ResourceType.PHONE_NUMBER: 0,
        ResourceType.SENDER_ID: 0,
        ResourceType.POOL: 1,
        ResourceType.OPT_OUT_LIST: 2,
    }
    phases = [{phase_of[kind] for kind in _kinds(batch.arns, inventory)} for batch in plan.batches]
    assert all(len(phase) == 1 for phase in phases)
    order = [phase.pop() for phase in phases]
    assert order == sorted(order)
    assert sum(len(b.arns) for b in plan.batches) == sum(counts.values())


@pytest.mark.parametrize("size", [1, 2, 3, 10])
def test_no_batch_is_larger_than_the_batch_size(size: int) -> None:
    # Given numbers and sender IDs
    inventory = _inventory({ResourceType.PHONE_NUMBER: 9, ResourceType.SENDER_ID: 4})

    # When batches are planned at any size
    plan = plan_batches("m-1", inventory, size)

    # Then none holds more than that, and every identity is in exactly one
    assert max(len(b.arns) for b in plan.batches) <= size
    arns = [arn for b in plan.batches for arn in b.arns]
    assert sorted(arns) == sorted(i.arn for i in inventory.identities)
