"""A consuming account's own configuration: End User Messaging SMS configuration sets, event destinations and
protect configurations, and the SNS topics and log groups its event destinations deliver to. The role a CloudWatch
Logs destination names is the roles stack's (roles/cross-account-roles.yaml): the workflow passes it, never makes
one."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal.accounts import Clients
from eum_share.models.inventory import ConfigurationSetItem, EventDestinationItem

SMS = "pinpoint-sms-voice-v2"
SERVICE_PRINCIPAL = "sms-voice.amazonaws.com"
# The consumer's copy of a protect configuration names its source: IDs differ between accounts.
SOURCE_PROTECT_TAG = "eum-share:source-protect-configuration"
SOURCE_SET_TAG = "eum-share:source-configuration-set"
# The migration that made the copy: AWS names a protect configuration only when it creates it, so a run that
# stopped before recording its copy finds it by this tag.
MIGRATION_TAG = "eum-share:migration"
# UpdateProtectConfigurationCountryRuleSet: CountryRuleSetUpdates holds at most 300 countries.
COUNTRY_RULES_PER_CALL = 300
# The role roles/cross-account-roles.yaml makes in every consuming account for End User Messaging to write to
# the log groups under LOG_GROUP_PREFIX; the consumer role may pass only it, only to End User Messaging.
EVENTS_ROLE_PATH = "/eum-share/"
EVENTS_ROLE_NAME = "EumShareSmsEventsToLogs"
LOG_GROUP_PREFIX = "/eum-share/sms-events/"
PUBLISH_SID = "EumShareSmsVoicePublish"
_NOT_FOUND = frozenset({"NotFound", "NoSuchEntity", "ResourceNotFoundException"})


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _pages(client: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator(operation).paginate(**params):
        yield from page[key]


# -- protect configurations ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProtectConfiguration:
    id: str
    account_default: bool
    source_id: str | None  # the owner's protect configuration this one copies, from its tag
    migration_id: str | None = None  # the migration that made it, from its tag


def protect_configurations(consumer: Clients) -> list[ProtectConfiguration]:
    sms = consumer(SMS)
    found = []
    for info in _pages(sms, "describe_protect_configurations", "ProtectConfigurations"):
        tags = sms.list_tags_for_resource(ResourceArn=info["ProtectConfigurationArn"])["Tags"]
        tagged = {t["Key"]: t["Value"] for t in tags}
        found.append(
            ProtectConfiguration(
                info["ProtectConfigurationId"],
                info["AccountDefault"],
                tagged.get(SOURCE_PROTECT_TAG),
                tagged.get(MIGRATION_TAG),
            )
        )
    return found


def create_protect_configuration(
    consumer: Clients, source_id: str, rules: dict[str, dict[str, str]], migration_id: str
) -> str:
    """A copy of the owner's `source_id`, tagged with it and the migration, with its non-ALLOW country rules;
    returns its ID."""
    sms = consumer(SMS)
    tags = [{"Key": SOURCE_PROTECT_TAG, "Value": source_id}, {"Key": MIGRATION_TAG, "Value": migration_id}]
    protect_id = str(sms.create_protect_configuration(Tags=tags)["ProtectConfigurationId"])
    for capability, by_country in rules.items():
        countries = sorted(by_country)
        for start in range(0, len(countries), COUNTRY_RULES_PER_CALL):
            chunk = countries[start : start + COUNTRY_RULES_PER_CALL]
            sms.update_protect_configuration_country_rule_set(
                ProtectConfigurationId=protect_id,
                NumberCapability=capability,
                CountryRuleSetUpdates={c: {"ProtectStatus": by_country[c]} for c in chunk},
            )
    return protect_id


def set_account_default_protect_configuration(consumer: Clients, protect_id: str) -> None:
    consumer(SMS).set_account_default_protect_configuration(ProtectConfigurationId=protect_id)


# -- configuration sets and event destinations ---------------------------------------------------------------
def configuration_sets(consumer: Clients) -> dict[str, ConfigurationSetItem]:
    """The consumer's configuration sets by name, with their event destinations."""
    found = _pages(consumer(SMS), "describe_configuration_sets", "ConfigurationSets")
    return {item.name: item for item in map(ConfigurationSetItem.from_api, found)}


def create_configuration_set(consumer: Clients, wanted: ConfigurationSetItem, source_name: str) -> None:
    """The set with the defaults and protect configuration `wanted` names; event destinations are separate."""
    sms = consumer(SMS)
    name = wanted.name
    sms.create_configuration_set(ConfigurationSetName=name, Tags=[{"Key": SOURCE_SET_TAG, "Value": source_name}])
    if wanted.default_message_type is not None:
        sms.set_default_message_type(ConfigurationSetName=name, MessageType=wanted.default_message_type)
    if wanted.default_sender_id is not None:
        sms.set_default_sender_id(ConfigurationSetName=name, SenderId=wanted.default_sender_id)
    if wanted.default_message_feedback_enabled:  # a new set starts with feedback off
        sms.set_default_message_feedback_enabled(ConfigurationSetName=name, MessageFeedbackEnabled=True)
    if wanted.protect_configuration_id is not None:
        sms.associate_protect_configuration(
            ProtectConfigurationId=wanted.protect_configuration_id, ConfigurationSetName=name
        )


def create_event_destination(consumer: Clients, set_name: str, wanted: EventDestinationItem) -> None:
    """The destination, enabled or not as `wanted` says."""
    sms = consumer(SMS)
    target: dict[str, Any] = {}
    if wanted.cloud_watch_logs_destination is not None:
        target["CloudWatchLogsDestination"] = wanted.cloud_watch_logs_destination
    if wanted.kinesis_firehose_destination is not None:
        target["KinesisFirehoseDestination"] = wanted.kinesis_firehose_destination
    if wanted.sns_destination is not None:
        target["SnsDestination"] = wanted.sns_destination
    sms.create_event_destination(
        ConfigurationSetName=set_name,
        EventDestinationName=wanted.name,
        MatchingEventTypes=wanted.matching_event_types,
        **target,
    )
    if not wanted.enabled:  # CreateEventDestination has no Enabled member: a new destination is enabled
        sms.update_event_destination(ConfigurationSetName=set_name, EventDestinationName=wanted.name, Enabled=False)


# -- targets provisioned in the consuming account ------------------------------------------------------------
def _arn(consumer: Clients, service: str, account: str, resource: str, *, regional: bool = True) -> str:
    meta = consumer(service).meta
    return f"arn:{meta.partition}:{service}:{meta.region_name if regional else ''}:{account}:{resource}"


def configuration_set_arn(consumer: Clients, account: str, set_name: str) -> str:
    meta = consumer(SMS).meta
    return f"arn:{meta.partition}:sms-voice:{meta.region_name}:{account}:configuration-set/{set_name}"


def topic_arn(consumer: Clients, account: str, name: str) -> str:
    return _arn(consumer, "sns", account, name)


def log_group_arn(consumer: Clients, account: str, name: str) -> str:
    return _arn(consumer, "logs", account, f"log-group:{name}")


def events_role_arn(consumer: Clients, account: str) -> str:
    """The roles stack's role End User Messaging assumes to deliver events to CloudWatch Logs."""
    return _arn(consumer, "iam", account, f"role{EVENTS_ROLE_PATH}{EVENTS_ROLE_NAME}", regional=False)


def _publish_statement(topic: str, account: str) -> dict[str, Any]:
    # aws:SourceAccount keeps another account's End User Messaging from publishing here (confused deputy).
    return {
        "Sid": PUBLISH_SID,
        "Effect": "Allow",
        "Principal": {"Service": SERVICE_PRINCIPAL},
        "Action": "sns:Publish",
        "Resource": topic,
        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
    }


def _topic_policy(consumer: Clients, topic: str) -> dict[str, Any] | None:
    try:
        attributes = consumer("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    except ClientError as error:
        if _code(error) in _NOT_FOUND:
            return None
        raise
    policy: dict[str, Any] = json.loads(attributes.get("Policy") or '{"Version": "2012-10-17"}')
    return policy


def _statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    statements = policy.get("Statement", [])
    return [statements] if isinstance(statements, dict) else list(statements)


def missing_topic_parts(consumer: Clients, topic: str) -> list[str]:
    """What an SNS destination still lacks: the topic, or End User Messaging's permission to publish to it."""
    policy = _topic_policy(consumer, topic)
    if policy is None:
        return ["topic", "publish permission"]
    return [] if any(s.get("Sid") == PUBLISH_SID for s in _statements(policy)) else ["publish permission"]


def provision_topic(consumer: Clients, account: str, name: str) -> None:
    """The topic (CreateTopic returns an existing one as is) and a publish statement added to its policy."""
    sns = consumer("sns")
    topic = str(sns.create_topic(Name=name)["TopicArn"])
    policy = _topic_policy(consumer, topic) or {"Version": "2012-10-17"}
    kept = [s for s in _statements(policy) if s.get("Sid") != PUBLISH_SID]
    policy["Statement"] = [*kept, _publish_statement(topic, account)]
    sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(policy))


def missing_log_group_parts(consumer: Clients, name: str) -> list[str]:
    groups = _pages(consumer("logs"), "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    return [] if any(g["logGroupName"] == name for g in groups) else ["log group"]


def provision_log_group(consumer: Clients, name: str) -> None:
    consumer("logs").create_log_group(logGroupName=name)
