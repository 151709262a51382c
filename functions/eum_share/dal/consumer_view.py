"""A consuming account seen from inside: what is shared with it, and its own account settings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eum_share.dal import sms
from eum_share.dal.accounts import Clients

PAGE_SIZE = 100  # the MaxResults ceiling of DescribeSpendLimits


def shared(consumer: Clients, kind: str) -> Iterator[str]:
    """Every ARN of that kind the account sees under Owner=SHARED, page by page as it is read."""
    return sms.shared_with(consumer, kind)


def account_tier(consumer: Clients) -> str:
    """SANDBOX or PRODUCTION (ACCOUNT_TIER of DescribeAccountAttributes)."""
    return sms.account_tier(consumer)


def spend_limits(consumer: Clients) -> list[dict[str, Any]]:
    """The account's monthly spend limits (DescribeSpendLimits: Name, EnforcedLimit, MaxLimit, Overridden)."""
    pages = (
        consumer("pinpoint-sms-voice-v2")
        .get_paginator("describe_spend_limits")
        .paginate(PaginationConfig={"PageSize": PAGE_SIZE})
    )
    return [limit for page in pages for limit in page["SpendLimits"]]
