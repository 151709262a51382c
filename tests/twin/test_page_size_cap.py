"""The page-size cap: every paginated answer of the project's fakes holds at most `max_page_size` items.

AWS documents MaxResults as a maximum, not a promise: "the service might return fewer results than the maximum
even when there are more results available" (RAM's and End User Messaging's API references), so a caller must
follow the next token until there is none. The cap makes every such answer as short as it may legally be.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from twin.faults import FaultConfig
from twin.offline import OfflineAWS

OWNER = "111122223333"


def test_every_page_of_a_capped_ram_listing_holds_one_share_and_a_token_leads_to_the_next(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given three shares and a fault plan capping pages at one item
    aws = offline_factory(max_page_size=1)
    ram = aws.client("ram", account=OWNER)
    created = [ram.create_resource_share(name=f"share-{i}")["resourceShare"]["resourceShareArn"] for i in range(3)]

    # When the owner lists them, asking for up to 100 a page
    pages = list(ram.get_paginator("get_resource_shares").paginate(resourceOwner="SELF", maxResults=100))

    # Then each page holds one share, every page but the last carries a token, and nothing is lost
    assert [len(page["resourceShares"]) for page in pages] == [1, 1, 1]
    assert ["nextToken" in page for page in pages] == [True, True, False]
    assert [s["resourceShareArn"] for page in pages for s in page["resourceShares"]] == created
    assert aws.world.faults.injected["short-page"] == 2


def test_a_capped_end_user_messaging_describe_returns_one_identity_a_page(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given an owner with three phone numbers and pages capped at one item
    aws = offline_factory(max_page_size=1)
    numbers = [aws.sms.add_phone_number(OWNER, aws.region) for _ in range(3)]
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)

    # When it describes all three by ARN in one call
    first = sms.describe_phone_numbers(PhoneNumberIds=numbers)

    # Then the answer holds the first one only, and its token leads to the others
    assert [p["PhoneNumberArn"] for p in first["PhoneNumbers"]] == numbers[:1]
    rest: list[dict[str, Any]] = []
    token = first.get("NextToken")
    while token:
        page = sms.describe_phone_numbers(PhoneNumberIds=numbers, NextToken=token)
        rest += page["PhoneNumbers"]
        token = page.get("NextToken")
    assert [p["PhoneNumberArn"] for p in rest] == numbers[1:]


def test_without_a_cap_pages_hold_what_the_caller_asked_for(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given three phone numbers and no page cap
    aws = offline_factory(max_page_size=None)
    numbers = [aws.sms.add_phone_number(OWNER, aws.region) for _ in range(3)]

    # When the owner asks for them in one page
    page = aws.client("pinpoint-sms-voice-v2", account=OWNER).describe_phone_numbers(PhoneNumberIds=numbers)

    # Then one page holds all three and no fault is counted
    assert [p["PhoneNumberArn"] for p in page["PhoneNumbers"]] == numbers
    assert "NextToken" not in page
    assert "short-page" not in aws.world.faults.injected


def test_a_page_that_already_fits_the_cap_is_not_counted_as_cut(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given one share and pages capped at one item
    aws = offline_factory(max_page_size=1)
    ram = aws.client("ram", account=OWNER)
    ram.create_resource_share(name="only")

    # When the owner lists its shares
    page = ram.get_resource_shares(resourceOwner="SELF")

    # Then the single share comes whole, and the cap cut nothing
    assert len(page["resourceShares"]) == 1
    assert "nextToken" not in page
    assert "short-page" not in aws.world.faults.injected


def test_a_page_cap_below_one_is_refused() -> None:
    # Given / When / Then: a page cannot hold fewer than one item
    with pytest.raises(ValueError, match="max_page_size"):
        FaultConfig(max_page_size=0)
