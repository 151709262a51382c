"""Taking out of a consuming account what a migration added there. Each removal first reads whether there is
anything to remove, so a rollback run again makes no call that changes anything."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from eum_share.dal.accounts import Clients
from eum_share.dal.consumer_configuration import (
    PUBLISH_SID,
    SMS,
    _code,
    _pages,
    _statements,
    _topic_policy,
    missing_log_group_parts,
)


class InUse(Exception):
    """AWS refused to delete it because something else uses it (the message says what)."""


@contextmanager
def _in_use_when(code: str) -> Iterator[None]:
    """AWS's refusal with this error code, which it gives for what something else uses, raised as InUse."""
    try:
        yield
    except ClientError as error:
        if _code(error) == code:
            raise InUse(error.response.get("Error", {}).get("Message", "in use")) from None
        raise


def configuration_sets(consumer: Clients) -> dict[str, set[str]]:
    """The consumer's configuration sets by name, with the names of their event destinations."""
    found = _pages(consumer(SMS), "describe_configuration_sets", "ConfigurationSets")
    return {s["ConfigurationSetName"]: {d["EventDestinationName"] for d in s["EventDestinations"]} for s in found}


def delete_event_destination(consumer: Clients, set_name: str, name: str) -> None:
    consumer(SMS).delete_event_destination(ConfigurationSetName=set_name, EventDestinationName=name)


def delete_configuration_set(consumer: Clients, name: str) -> None:
    consumer(SMS).delete_configuration_set(ConfigurationSetName=name)


def protect_configurations(consumer: Clients) -> dict[str, bool]:
    """The consumer's protect configuration IDs, each with whether it is the account default."""
    found = _pages(consumer(SMS), "describe_protect_configurations", "ProtectConfigurations")
    return {p["ProtectConfigurationId"]: bool(p["AccountDefault"]) for p in found}


def delete_account_default_protect_configuration(consumer: Clients) -> None:
    consumer(SMS).delete_account_default_protect_configuration()


def delete_protect_configuration(consumer: Clients, protect_id: str) -> None:
    with _in_use_when("ConflictException"):
        consumer(SMS).delete_protect_configuration(ProtectConfigurationId=protect_id)


def topic_exists(consumer: Clients, topic: str) -> bool:
    return _topic_policy(consumer, topic) is not None


def has_publish_permission(consumer: Clients, topic: str) -> bool:
    policy = _topic_policy(consumer, topic)
    return policy is not None and any(s.get("Sid") == PUBLISH_SID for s in _statements(policy))


def remove_publish_permission(consumer: Clients, topic: str) -> None:
    """The topic's policy without End User Messaging's publish statement; every other statement kept."""
    policy = _topic_policy(consumer, topic) or {}
    policy["Statement"] = [s for s in _statements(policy) if s.get("Sid") != PUBLISH_SID]
    consumer("sns").set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))


def delete_topic(consumer: Clients, topic: str) -> None:
    consumer("sns").delete_topic(TopicArn=topic)


def log_group_exists(consumer: Clients, name: str) -> bool:
    return not missing_log_group_parts(consumer, name)


def delete_log_group(consumer: Clients, name: str) -> None:
    consumer("logs").delete_log_group(logGroupName=name)
