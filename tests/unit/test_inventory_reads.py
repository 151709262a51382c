"""An inventory that stops half way (its Lambda's time running out, AWS busy through a storm) goes on from what it read:
the next invocation reads only what is left, and the inventory is the one a single invocation would have taken."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eum_share.logic.inventory import take_inventory
from eum_share.logic.inventory_reads import InventoryPaused, OwnerReads

from tests.unit.test_inventory import CONSUMERS, OWNER, REGION, _owner, _request
from twin.offline import OfflineAWS

POOLS = 4


@pytest.fixture
def owner_with_pools(aws: OfflineAWS) -> OfflineAWS:
    # Given an owner with four pools of two phone numbers each, and a sender ID of its own
    for _ in range(POOLS):
        aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION) for _ in range(2)])
    aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    return aws


def _owner_reads(aws: OfflineAWS, first: int) -> list[str]:
    """The owner's End User Messaging calls from the `first` in the call log on, by operation."""
    return [c.operation for c in aws.world.calls[first:] if c.account == OWNER and c.service == "sms-voice"]


def test_an_inventory_stopped_half_way_goes_on_from_what_it_read(owner_with_pools: OfflineAWS) -> None:
    aws = owner_with_pools
    request = _request()
    # Given an inventory whose Lambda runs out of time after reading two of the pools' members
    saved: dict[str, Any] = {}
    pool_reads = 0
    first_run = OwnerReads(_owner(aws), enough_time=lambda: pool_reads < 2, save=lambda answers: saved.update(answers))
    original = first_run.pool_members

    def counted(pool_id: str) -> list[dict[str, Any]]:
        nonlocal pool_reads
        found = original(pool_id)
        pool_reads += 1
        return found

    first_run.pool_members = counted  # type: ignore[method-assign]
    with pytest.raises(InventoryPaused):
        take_inventory(request, first_run, CONSUMERS)
    first_run.checkpoint()
    # When the next invocation goes on from what was saved (through JSON, as S3 keeps it)
    before = len(aws.world.calls)
    resumed = take_inventory(request, OwnerReads(_owner(aws), json.loads(json.dumps(saved))), CONSUMERS)
    # Then it reads only the two pools left, never the listings read already
    calls = _owner_reads(aws, before)
    assert calls.count("ListPoolOriginationIdentities") == POOLS - 2
    assert "DescribePhoneNumbers" not in calls
    assert "DescribePools" not in calls
    # and the inventory is the one a single invocation takes
    assert resumed == take_inventory(request, _owner(aws), CONSUMERS)
    assert len(resumed.identities) == POOLS * 3 + 2  # and the owner's Default opt-out list
