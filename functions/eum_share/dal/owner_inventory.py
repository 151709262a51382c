"""What the owner account holds in End User Messaging SMS, read with the describe and list APIs.

Every listing follows NextToken to the end at the largest page the API allows: an owner with thousands of
identities must be read whole, or the inventory silently loses what lies past the first page.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from eum_share.dal import protect
from eum_share.dal.accounts import Clients

SMS_VOICE = "pinpoint-sms-voice-v2"
PAGE_SIZE = 100  # the MaxResults ceiling of every sms-voice listing
# Protect rules are read per capability; a rule set left out here would not be recreated in consumers.
_OWN = {"Owner": "SELF"}  # RAM shares only owned resources; never list what others share with the owner


# A listing's pages, each with whether more follow.
Pages = Iterator[tuple[list[dict[str, Any]], bool]]


def _pages(clients: Clients, operation: str, key: str, **params: Any) -> Pages:
    """The listing a page at a time, each page read when asked for and known to be the last when it is: listings
    of different actions can then take turns, each paced by its own action's quota."""
    call = getattr(clients(SMS_VOICE), operation)
    asked = {**params, "MaxResults": PAGE_SIZE}
    while True:
        page = call(**asked)
        token = page.get("NextToken")
        yield page[key], bool(token)
        if not token:
            return
        asked["NextToken"] = token


def _all(clients: Clients, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    return [item for page, _ in _pages(clients, operation, key, **params) for item in page]


def phone_numbers(clients: Clients) -> Pages:
    return _pages(clients, "describe_phone_numbers", "PhoneNumbers", **_OWN)


def sender_ids(clients: Clients) -> Pages:
    return _pages(clients, "describe_sender_ids", "SenderIds", **_OWN)


def pools(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_pools", "Pools", **_OWN)


def opt_out_lists(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_opt_out_lists", "OptOutLists", **_OWN)


def pool_members(clients: Clients, pool_id: str) -> Pages:
    """The pool's phone numbers and sender IDs (OriginationIdentityArn, IsoCountryCode, ...)."""
    return _pages(clients, "list_pool_origination_identities", "OriginationIdentities", PoolId=pool_id)


def resource_tags(clients: Clients, arn: str) -> dict[str, str]:
    answer = clients(SMS_VOICE).list_tags_for_resource(ResourceArn=arn)
    return {tag["Key"]: tag["Value"] for tag in answer["Tags"]}


def configuration_sets(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_configuration_sets", "ConfigurationSets")


def protect_configurations(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_protect_configurations", "ProtectConfigurations")


def spend_limits(clients: Clients) -> Pages:
    return _pages(clients, "describe_spend_limits", "SpendLimits")


def registrations(clients: Clients) -> Pages:
    return _pages(clients, "describe_registrations", "Registrations")


def country_rules(clients: Clients, protect_id: str) -> Pages:
    """A protect configuration's country rules a capability a page (a GetProtectConfigurationCountryRuleSet each):
    {"capability": ..., "exceptions": ISO country -> status where not ALLOW}."""
    last = len(protect.RULE_CAPABILITIES) - 1
    for index, capability in enumerate(protect.RULE_CAPABILITIES):
        exceptions = protect.capability_rules(clients, protect_id, capability)
        yield [{"capability": capability, "exceptions": exceptions}], index < last


def account_attributes(clients: Clients) -> Pages:
    """{"Name": ACCOUNT_TIER, DEFAULT_PROTECT_CONFIGURATION_ID..., "Value": ...}."""
    return _pages(clients, "describe_account_attributes", "AccountAttributes")
