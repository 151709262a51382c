"""What the owner account holds in End User Messaging SMS, read with the describe and list APIs.

Every listing follows NextToken to the end at the largest page the API allows: an owner with thousands of
identities must be read whole, or the inventory silently loses what lies past the first page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from eum_share.dal.accounts import Clients

SMS_VOICE = "pinpoint-sms-voice-v2"
PAGE_SIZE = 100  # the MaxResults ceiling of every sms-voice listing
# Protect rules are read per capability; a rule set left out here would not be recreated in consumers.
_OWN = {"Owner": "SELF"}  # RAM shares only owned resources; never list what others share with the owner


def _all(clients: Clients, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    paginator = clients(SMS_VOICE).get_paginator(operation)
    pages = paginator.paginate(**params, PaginationConfig={"PageSize": PAGE_SIZE})
    return [item for page in pages for item in page[key]]


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """The item with timestamps as ISO 8601 strings, so it can be stored as JSON."""
    return {key: value.isoformat() if isinstance(value, datetime) else value for key, value in item.items()}


def phone_numbers(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_phone_numbers", "PhoneNumbers", **_OWN)


def sender_ids(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_sender_ids", "SenderIds", **_OWN)


def pools(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_pools", "Pools", **_OWN)


def opt_out_lists(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_opt_out_lists", "OptOutLists", **_OWN)


def pool_members(clients: Clients, pool_id: str) -> list[dict[str, Any]]:
    """The pool's phone numbers and sender IDs (OriginationIdentityArn, IsoCountryCode, ...)."""
    return _all(clients, "list_pool_origination_identities", "OriginationIdentities", PoolId=pool_id)


def resource_tags(clients: Clients, arn: str) -> dict[str, str]:
    answer = clients(SMS_VOICE).list_tags_for_resource(ResourceArn=arn)
    return {tag["Key"]: tag["Value"] for tag in answer["Tags"]}


def configuration_sets(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_configuration_sets", "ConfigurationSets")


def protect_configurations(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_protect_configurations", "ProtectConfigurations")


def spend_limits(clients: Clients) -> list[dict[str, Any]]:
    return _all(clients, "describe_spend_limits", "SpendLimits")


def registrations(clients: Clients) -> list[dict[str, Any]]:
    return [_plain(item) for item in _all(clients, "describe_registrations", "Registrations")]


def account_attributes(clients: Clients) -> dict[str, str]:
    """Attribute name (ACCOUNT_TIER, DEFAULT_PROTECT_CONFIGURATION_ID) -> value."""
    attributes = _all(clients, "describe_account_attributes", "AccountAttributes")
    return {attribute["Name"]: attribute["Value"] for attribute in attributes}
