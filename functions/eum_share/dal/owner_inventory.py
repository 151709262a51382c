"""What the owner account holds in End User Messaging SMS, read with the describe and list APIs.

Every listing follows NextToken to the end at the largest page the API allows: an owner with thousands of
identities must be read whole, or the inventory silently loses what lies past the first page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from botocore import xform_name

from eum_share.dal import protect
from eum_share.dal.accounts import Clients

SMS_VOICE = "pinpoint-sms-voice-v2"
PAGE_SIZE = 100  # the MaxResults ceiling of every sms-voice listing
# Protect rules are read per capability; a rule set left out here would not be recreated in consumers.
_OWN = {"Owner": "SELF"}  # RAM shares only owned resources; never list what others share with the owner


Page = tuple[list[dict[str, Any]], bool]  # a page's items, and whether more follow


class Pages:
    """A listing a page at a time, each page read when asked for (`read`) and known to be the last when it is:
    listings of different actions can then take turns, each paced by its own action's quota. A page whose read
    fails (AWS busy) is read again at the next `read`: the listing keeps where it had got to."""

    def __init__(self, operation: str, read: Callable[[Any], tuple[list[dict[str, Any]], Any]]) -> None:
        self.operation = operation  # the End User Messaging action each page counts against
        self._read = read  # where the listing is (None: its start) -> the page's items, where it goes on (None: done)
        self._at: Any = None
        self.done = False

    def read(self) -> Page:
        items, self._at = self._read(self._at)
        self.done = self._at is None
        return items, not self.done

    def __iter__(self) -> Iterator[Page]:
        while not self.done:
            yield self.read()


def _pages(clients: Clients, operation: str, key: str, **params: Any) -> Pages:
    def read(token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        asked = {**params, "MaxResults": PAGE_SIZE, **({"NextToken": token} if token else {})}
        page = getattr(clients(SMS_VOICE), xform_name(operation))(**asked)
        return page[key], page.get("NextToken") or None

    return Pages(operation, read)


def _all(clients: Clients, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    return [item for page, _ in _pages(clients, operation, key, **params) for item in page]


def phone_numbers(clients: Clients) -> Pages:
    return _pages(clients, "DescribePhoneNumbers", "PhoneNumbers", **_OWN)


def sender_ids(clients: Clients) -> Pages:
    return _pages(clients, "DescribeSenderIds", "SenderIds", **_OWN)


def pools(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "DescribePools", "Pools", **_OWN)


def opt_out_lists(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "DescribeOptOutLists", "OptOutLists", **_OWN)


def pool_members(clients: Clients, pool_id: str) -> Pages:
    """The pool's phone numbers and sender IDs (OriginationIdentityArn, IsoCountryCode, ...)."""
    return _pages(clients, "ListPoolOriginationIdentities", "OriginationIdentities", PoolId=pool_id)


def resource_tags(clients: Clients, arn: str) -> dict[str, str]:
    answer = clients(SMS_VOICE).list_tags_for_resource(ResourceArn=arn)
    return {tag["Key"]: tag["Value"] for tag in answer["Tags"]}


def configuration_sets(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "DescribeConfigurationSets", "ConfigurationSets")


def protect_configurations(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "DescribeProtectConfigurations", "ProtectConfigurations")


def spend_limits(clients: Clients) -> Pages:
    return _pages(clients, "DescribeSpendLimits", "SpendLimits")


def registrations(clients: Clients) -> Pages:
    return _pages(clients, "DescribeRegistrations", "Registrations")


def country_rules(clients: Clients, protect_id: str) -> Pages:
    """A protect configuration's country rules a capability a page (a GetProtectConfigurationCountryRuleSet each):
    {"capability": ..., "exceptions": ISO country -> status where not ALLOW}."""

    def read(index: int | None) -> tuple[list[dict[str, Any]], int | None]:
        at = index or 0
        capability = protect.RULE_CAPABILITIES[at]
        exceptions = protect.capability_rules(clients, protect_id, capability)
        following = at + 1 if at + 1 < len(protect.RULE_CAPABILITIES) else None
        return [{"capability": capability, "exceptions": exceptions}], following

    return Pages("GetProtectConfigurationCountryRuleSet", read)


def account_attributes(clients: Clients) -> Pages:
    """{"Name": ACCOUNT_TIER, DEFAULT_PROTECT_CONFIGURATION_ID..., "Value": ...}."""
    return _pages(clients, "DescribeAccountAttributes", "AccountAttributes")
