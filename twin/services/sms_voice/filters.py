"""Describe filters: each filter name reads one member of the item's description."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Reader = str | Callable[[dict[str, Any]], list[str]]


def _as_strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, list):
        return [str(item) for item in value]
    return [str(value)]


def matches(info: dict[str, Any], filters: Sequence[Mapping[str, Any]], readers: Mapping[str, Reader]) -> bool:
    """Every filter holds: one of the item's values for the filter's name is among the filter's Values."""
    for item in filters:
        reader = readers[item["Name"]]
        values = reader(info) if callable(reader) else _as_strings(info.get(reader))
        if not set(values) & set(item["Values"]):
            return False
    return True


PHONE_NUMBER: dict[str, Reader] = {
    "status": "Status",
    "iso-country-code": "IsoCountryCode",
    "message-type": "MessageType",
    "number-capability": "NumberCapabilities",
    "number-type": "NumberType",
    "two-way-enabled": "TwoWayEnabled",
    "self-managed-opt-outs-enabled": "SelfManagedOptOutsEnabled",
    "opt-out-list-name": "OptOutListName",
    "deletion-protection-enabled": "DeletionProtectionEnabled",
    "two-way-channel-arn": "TwoWayChannelArn",
}

SENDER_ID: dict[str, Reader] = {
    "sender-id": "SenderId",
    "iso-country-code": "IsoCountryCode",
    "message-type": "MessageTypes",
    "deletion-protection-enabled": "DeletionProtectionEnabled",
    "registered": "Registered",
}

POOL: dict[str, Reader] = {
    "status": "Status",
    "message-type": "MessageType",
    "two-way-enabled": "TwoWayEnabled",
    "self-managed-opt-outs-enabled": "SelfManagedOptOutsEnabled",
    "opt-out-list-name": "OptOutListName",
    "shared-routes-enabled": "SharedRoutesEnabled",
    "deletion-protection-enabled": "DeletionProtectionEnabled",
    "two-way-channel-arn": "TwoWayChannelArn",
}

POOL_ORIGINATION_IDENTITY: dict[str, Reader] = {
    "iso-country-code": "IsoCountryCode",
    "number-capability": "NumberCapabilities",
}


def _destination_names(info: dict[str, Any]) -> list[str]:
    return [d["EventDestinationName"] for d in info["EventDestinations"]]


def _event_types(info: dict[str, Any]) -> list[str]:
    return [t for d in info["EventDestinations"] for t in d["MatchingEventTypes"]]


CONFIGURATION_SET: dict[str, Reader] = {
    "event-destination-name": _destination_names,
    "matching-event-types": _event_types,
    "default-message-type": "DefaultMessageType",
    "default-sender-id": "DefaultSenderId",
    "default-message-feedback-enabled": "DefaultMessageFeedbackEnabled",
    "protect-configuration-id": "ProtectConfigurationId",
}

PROTECT_CONFIGURATION: dict[str, Reader] = {
    "account-default": "AccountDefault",
    "deletion-protection-enabled": "DeletionProtectionEnabled",
}

REGISTRATION: dict[str, Reader] = {
    "registration-type": "RegistrationType",
    "registration-status": "RegistrationStatus",
}
