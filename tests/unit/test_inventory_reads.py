"""An inventory that stops half way (its Lambda's time running out, AWS busy through a storm) goes on from what it read:
the next invocation reads only what is left, and the inventory is the one a single invocation would have taken."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from eum_share.dal import pacing
from eum_share.dal.pacing import Pacer, pace
from eum_share.logic.inventory import take_inventory
from eum_share.logic.inventory_reads import InventoryPaused, OwnerReads

from tests.support.botocore_answers import answer
from tests.unit.test_inventory import CONSUMERS, OWNER, REGION, _owner, _request
from twin.faults import published_quotas
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
    start = len(aws.world.calls)

    def pools_read() -> int:
        return _owner_reads(aws, start).count("ListPoolOriginationIdentities")

    first_run = OwnerReads(
        _owner(aws), enough_time=lambda: pools_read() < 2, save=lambda answers: saved.update(answers)
    )
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


def _paced_owner(aws: Any) -> Callable[[str], Any]:
    """The owner's clients, each call paced at its action's quota on the offline AWS's clock."""
    pacer = Pacer(now=aws.clock.now, sleep=aws.clock.sleep, jitter=lambda: 1.0)
    clients: dict[str, Any] = {}

    def paced(service: str) -> Any:
        if service not in clients:
            clients[service] = pace(aws.client(service, account=OWNER), OWNER, pacer)
        return clients[service]

    return paced


def test_the_pools_members_are_read_in_turns_with_the_phone_numbers_pages(offline_factory: Any) -> None:
    # Given an owner with End User Messaging's quotas enforced (1 request a second for each action), 30 pools of two
    # phone numbers each (30 ListPoolOriginationIdentities) and 60 more phone numbers (DescribePhoneNumbers pages)
    aws = offline_factory(rate_limits=published_quotas())
    with aws.world.faults.paused():
        numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(120)]
        for index in range(30):
            aws.sms.add_pool(OWNER, REGION, members=numbers[index * 2 : index * 2 + 2])
    paced = _paced_owner(aws)
    # When the whole owner is inventoried, each call paced at its action's quota
    first, started = len(aws.world.calls), aws.clock.now()
    inventory = take_inventory(_request(), paced, CONSUMERS)
    took = aws.clock.now() - started
    # Then, once the pools are listed (which names them), their members' listings take no time of their own: they
    # are read while the phone numbers' pages are, each action a call a second
    calls = Counter(operation for operation in _owner_reads(aws, first))
    assert len(inventory.identities) == 120 + 30 + 1  # and the owner's Default opt-out list
    assert [c for c in aws.world.calls[first:] if c.error] == []
    side_by_side = max(calls["DescribePhoneNumbers"], calls["ListPoolOriginationIdentities"])
    assert took <= calls["DescribePools"] + side_by_side + 2


def test_the_protect_rules_are_read_in_turns_with_the_pools_members(offline_factory: Any) -> None:
    # Given an owner with End User Messaging's quotas enforced, four pools (four ListPoolOriginationIdentities, a
    # second apart) and two protect configurations (three GetProtectConfigurationCountryRuleSet each, a second apart)
    aws = offline_factory(rate_limits=published_quotas())
    with aws.world.faults.paused():
        for _ in range(POOLS):
            aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION)])
        for _ in range(2):
            aws.client("pinpoint-sms-voice-v2", account=OWNER).create_protect_configuration()
    paced = _paced_owner(aws)
    # When the whole owner is inventoried with every protect configuration, each call paced at its action's quota
    first, started = len(aws.world.calls), aws.clock.now()
    inventory = take_inventory(_request(), paced, CONSUMERS)
    took = aws.clock.now() - started
    # Then the rules took no time of their own: the inventory takes as long as the longer of the two runs of calls
    calls = Counter(operation for operation in _owner_reads(aws, first))
    assert len(inventory.protect_configurations) == 2
    assert calls["GetProtectConfigurationCountryRuleSet"] == 6
    assert took <= max(calls["ListPoolOriginationIdentities"], calls["GetProtectConfigurationCountryRuleSet"]) + 1


def test_a_page_aws_throttles_does_not_hold_up_the_other_listings(
    offline_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an owner with End User Messaging's quotas enforced (1 request a second for each action), 30 pools of two
    # phone numbers each (30 ListPoolOriginationIdentities), and AWS throttling the first six attempts to list its
    # sender IDs (the lane slows down at each: about twenty seconds of waits)
    aws = offline_factory(rate_limits=published_quotas())
    with aws.world.faults.paused():
        numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(60)]
        for index in range(30):
            aws.sms.add_pool(OWNER, REGION, members=numbers[index * 2 : index * 2 + 2])
        aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    monkeypatch.setattr(pacing._Default, "_pacer", Pacer(now=aws.clock.now, sleep=aws.clock.sleep, jitter=lambda: 1.0))
    sms = pace(aws.client("pinpoint-sms-voice-v2", account=OWNER), OWNER)
    refused: list[float] = []

    def busy(request: Any, **_: Any) -> Any:
        if len(refused) == 6:
            return None
        refused.append(aws.clock.now())
        return answer(request, 400, {"__type": "ThrottlingException", "Message": "Rate exceeded"})

    sms.meta.events.register_first("before-send.pinpoint-sms-voice-v2.DescribeSenderIds", busy)
    # When the whole owner is inventoried, its clients paced
    first, started = len(aws.world.calls), aws.clock.now()
    inventory = take_inventory(_request(), OwnerReads(lambda _service: sms, account=OWNER), CONSUMERS)
    took = aws.clock.now() - started
    # Then the pools' members were read while the sender IDs' listing waited out its throttles: the inventory took
    # about as long as its longest run of calls, not that plus the throttles' waits
    calls = Counter(operation for operation in _owner_reads(aws, first))
    assert len(refused) == 6
    assert refused[-1] - refused[0] > 10
    assert len(inventory.identities) == 60 + 30 + 1 + 1  # the sender ID, and the owner's Default opt-out list
    assert took <= calls["DescribePools"] + calls["ListPoolOriginationIdentities"] + 2
