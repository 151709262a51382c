"""What RAM cannot share is rebuilt in the consuming account: protect configurations, configuration sets and
event destinations, compared and never overwritten when they already exist."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eum_share import clock
from eum_share.dal.accounts import Clients
from eum_share.logic.configuration import recreate_configuration
from eum_share.models.configuration import (
    ConfigItemKind,
    ConfigItemStatus,
    ConfigurationOutcome,
)
from eum_share.models.inventory import (
    ConfigurationSetItem,
    EventDestinationItem,
    Inventory,
    ProtectConfigurationItem,
)
from eum_share.models.request import MigrationRequest

from tests.support.events import load_event
from twin.offline import OfflineAWS
from twin.seed import Scenario, seed

SMS = "pinpoint-sms-voice-v2"
READ_ONLY = ("Describe", "Get", "List")


# -- Given ---------------------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def simulated_waits(aws: OfflineAWS, monkeypatch: pytest.MonkeyPatch) -> None:
    """The functions' waits pass simulated time, as they do in the offline Lambda runtime."""
    monkeypatch.setattr(clock, "sleep", aws.clock.sleep)


@pytest.fixture
def scenario(aws: OfflineAWS) -> Scenario:
    return seed(aws, identities=10, consumers=1, external_consumers=0, configuration_sets=2)


@pytest.fixture
def consumer_id(scenario: Scenario) -> str:
    return scenario.consumers[0]


@pytest.fixture
def consumer(aws: OfflineAWS, consumer_id: str) -> Clients:
    made: dict[str, Any] = {}

    def clients(service: str) -> Any:
        if service not in made:
            made[service] = aws.client(service, account=consumer_id)
        return made[service]

    return clients


@pytest.fixture
def sms(consumer: Clients) -> Any:
    return consumer(SMS)


@pytest.fixture
def owner_sms(aws: OfflineAWS, scenario: Scenario) -> Any:
    return aws.client(SMS, account=scenario.owner)


@pytest.fixture
def inventory(owner_sms: Any, scenario: Scenario) -> Inventory:
    return _inventory_of(owner_sms, scenario)


def _inventory_of(owner_sms: Any, scenario: Scenario) -> Inventory:
    """The owner's configuration as the inventory describes it, read through the API."""
    return Inventory(
        owner=scenario.owner,
        region=scenario.region,
        account_tier="PRODUCTION",
        identities=[],
        configuration_sets=[_set_item(info) for info in owner_sms.describe_configuration_sets()["ConfigurationSets"]],
        protect_configurations=[
            _protect_item(owner_sms, info)
            for info in owner_sms.describe_protect_configurations()["ProtectConfigurations"]
        ],
    )


def _set_item(info: dict[str, Any]) -> ConfigurationSetItem:
    return ConfigurationSetItem(
        name=info["ConfigurationSetName"],
        default_message_type=info.get("DefaultMessageType"),
        default_sender_id=info.get("DefaultSenderId"),
        default_message_feedback_enabled=info["DefaultMessageFeedbackEnabled"],
        protect_configuration_id=info.get("ProtectConfigurationId"),
        event_destinations=[
            EventDestinationItem(
                name=d["EventDestinationName"],
                enabled=d["Enabled"],
                matching_event_types=d["MatchingEventTypes"],
                cloud_watch_logs_destination=d.get("CloudWatchLogsDestination"),
                kinesis_firehose_destination=d.get("KinesisFirehoseDestination"),
                sns_destination=d.get("SnsDestination"),
            )
            for d in info["EventDestinations"]
        ],
    )


def _protect_item(owner_sms: Any, info: dict[str, Any]) -> ProtectConfigurationItem:
    rules = {}
    for capability in ("SMS", "VOICE", "MMS"):
        rule_set = owner_sms.get_protect_configuration_country_rule_set(
            ProtectConfigurationId=info["ProtectConfigurationId"], NumberCapability=capability
        )["CountryRuleSet"]
        blocked = {c: r["ProtectStatus"] for c, r in rule_set.items() if r["ProtectStatus"] != "ALLOW"}
        if blocked:
            rules[capability] = blocked
    return ProtectConfigurationItem(
        id=info["ProtectConfigurationId"], account_default=info["AccountDefault"], country_rules=rules
    )


def _request(consumer_id: str, **configuration: Any) -> MigrationRequest:
    raw = load_event("requests/single-account.json")
    raw["principals"] = [consumer_id]
    raw["consumers"] = [{"accountId": consumer_id}]
    raw["configuration"] = {**raw["configuration"], **configuration}
    return MigrationRequest.model_validate(raw)


def _owner_targets(inventory: Inventory) -> dict[str, str]:
    """Every target ARN of the owner's event destinations, by API member name."""
    targets: dict[str, str] = {}
    for item in inventory.configuration_sets[0].event_destinations:
        for target in (item.cloud_watch_logs_destination, item.kinesis_firehose_destination, item.sns_destination):
            targets.update(target or {})
    return targets


def _full_map(inventory: Inventory, region: str) -> dict[str, str]:
    """A map sending every owner target to a same-named target in the consuming account."""
    names = {
        "IamRoleArn": "arn:aws:iam::{accountId}:role/SmsEventsRole",
        "LogGroupArn": f"arn:aws:logs:{region}:{{accountId}}:log-group:/sms/otp-events",
        "DeliveryStreamArn": f"arn:aws:firehose:{region}:{{accountId}}:deliverystream/sms-otp-events",
        "TopicArn": f"arn:aws:sns:{region}:{{accountId}}:sms-otp-events",
    }
    return {arn: names[member] for member, arn in _owner_targets(inventory).items()}


def _sets(sms: Any) -> dict[str, dict[str, Any]]:
    return {c["ConfigurationSetName"]: c for c in sms.describe_configuration_sets()["ConfigurationSets"]}


def _destinations(sms: Any, set_name: str) -> dict[str, dict[str, Any]]:
    return {d["EventDestinationName"]: d for d in _sets(sms)[set_name]["EventDestinations"]}


def _rules(sms: Any, protect_id: str, capability: str = "SMS") -> dict[str, str]:
    rule_set = sms.get_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect_id, NumberCapability=capability
    )["CountryRuleSet"]
    return {c: r["ProtectStatus"] for c, r in rule_set.items() if r["ProtectStatus"] != "ALLOW"}


def _statuses(outcome: ConfigurationOutcome, kind: ConfigItemKind) -> dict[str, ConfigItemStatus]:
    return {item.name: item.status for item in outcome.items if item.kind is kind}


def _mutating_calls(aws: OfflineAWS, account: str, since: int) -> list[str]:
    calls = aws.world.calls[since:]
    return [c.operation for c in calls if c.account == account and not c.operation.startswith(READ_ONLY)]


# -- configuration sets --------------------------------------------------------------------------------------
def test_configuration_sets_are_recreated_with_the_prefix_and_the_owners_defaults(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    outcome = recreate_configuration(inventory, _request(consumer_id, namePrefix="acme-"), consumer_id, consumer)

    found = _sets(sms)
    assert sorted(found) == ["acme-otp-0", "acme-otp-1"]
    for source in inventory.configuration_sets:
        copy = found[f"acme-{source.name}"]
        assert copy["DefaultMessageType"] == source.default_message_type == "TRANSACTIONAL"
        assert copy["DefaultSenderId"] == source.default_sender_id
        assert copy["DefaultMessageFeedbackEnabled"] is source.default_message_feedback_enabled
    assert _statuses(outcome, ConfigItemKind.CONFIGURATION_SET) == {
        "acme-otp-0": ConfigItemStatus.CREATED,
        "acme-otp-1": ConfigItemStatus.CREATED,
    }
    assert outcome.dry_run_configuration_set == "acme-otp-0"


def test_only_the_named_configuration_sets_are_recreated(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, configurationSets=["otp-1", "gone"])

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    assert sorted(_sets(sms)) == ["otp-1"]
    assert _statuses(outcome, ConfigItemKind.CONFIGURATION_SET)["gone"] is ConfigItemStatus.SKIPPED


# -- protect configurations ----------------------------------------------------------------------------------
def test_protect_rules_are_copied_and_the_copy_is_associated_with_each_set(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    outcome = recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)

    [copy] = sms.describe_protect_configurations()["ProtectConfigurations"]
    assert _rules(sms, copy["ProtectConfigurationId"]) == {"CN": "BLOCK", "RU": "BLOCK"}
    assert {s["ProtectConfigurationId"] for s in _sets(sms).values()} == {copy["ProtectConfigurationId"]}
    [item] = [i for i in outcome.items if i.kind is ConfigItemKind.PROTECT_CONFIGURATION]
    assert (item.status, item.consumer_id) == (ConfigItemStatus.CREATED, copy["ProtectConfigurationId"])


def test_the_account_default_is_left_alone_unless_asked(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    outcome = recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)

    assert [p["AccountDefault"] for p in sms.describe_protect_configurations()["ProtectConfigurations"]] == [False]
    assert set(_statuses(outcome, ConfigItemKind.ACCOUNT_DEFAULT_PROTECT).values()) == {ConfigItemStatus.SKIPPED}


def test_the_copy_becomes_the_account_default_when_asked(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, setAccountDefaultProtect=True)

    recreate_configuration(inventory, request, consumer_id, consumer)

    [copy] = sms.describe_protect_configurations()["ProtectConfigurations"]
    assert copy["AccountDefault"] is True


def test_a_different_account_default_is_drift_and_kept(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    own = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.set_account_default_protect_configuration(ProtectConfigurationId=own)

    outcome = recreate_configuration(
        inventory, _request(consumer_id, setAccountDefaultProtect=True), consumer_id, consumer
    )

    defaults = [p for p in sms.describe_protect_configurations()["ProtectConfigurations"] if p["AccountDefault"]]
    assert [p["ProtectConfigurationId"] for p in defaults] == [own]
    assert set(_statuses(outcome, ConfigItemKind.ACCOUNT_DEFAULT_PROTECT).values()) == {ConfigItemStatus.DRIFT}


def test_without_protect_configurations_only_those_the_sets_use_are_copied(
    owner_sms: Any, scenario: Scenario, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    unused = owner_sms.create_protect_configuration()["ProtectConfigurationId"]
    inventory = _inventory_of(owner_sms, scenario)

    outcome = recreate_configuration(
        inventory, _request(consumer_id, protectConfigurations=False), consumer_id, consumer
    )

    [copy] = sms.describe_protect_configurations()["ProtectConfigurations"]
    assert {s["ProtectConfigurationId"] for s in _sets(sms).values()} == {copy["ProtectConfigurationId"]}
    assert _statuses(outcome, ConfigItemKind.PROTECT_CONFIGURATION)[unused] is ConfigItemStatus.SKIPPED


def test_a_copy_with_different_rules_is_drift_and_not_overwritten(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)
    [copy] = sms.describe_protect_configurations()["ProtectConfigurations"]
    sms.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=copy["ProtectConfigurationId"],
        NumberCapability="SMS",
        CountryRuleSetUpdates={"RU": {"ProtectStatus": "ALLOW"}},
    )

    outcome = recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)

    assert _rules(sms, copy["ProtectConfigurationId"]) == {"CN": "BLOCK"}
    [item] = [i for i in outcome.items if i.kind is ConfigItemKind.PROTECT_CONFIGURATION]
    assert item.status is ConfigItemStatus.DRIFT
    assert "SMS RU (wanted BLOCK, found ALLOW)" in item.detail


# -- event destinations: MAP ---------------------------------------------------------------------------------
def test_map_rewrites_every_target_with_the_consumer_account(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    mapping = _full_map(inventory, aws.region)
    request = _request(consumer_id, eventDestinations={"mode": "MAP", "map": mapping})

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    found = _destinations(sms, "otp-0")
    assert found["otp-0-sns"]["SnsDestination"] == {
        "TopicArn": f"arn:aws:sns:{aws.region}:{consumer_id}:sms-otp-events"
    }
    assert found["otp-0-logs"]["CloudWatchLogsDestination"] == {
        "IamRoleArn": f"arn:aws:iam::{consumer_id}:role/SmsEventsRole",
        "LogGroupArn": f"arn:aws:logs:{aws.region}:{consumer_id}:log-group:/sms/otp-events",
    }
    assert found["otp-0-firehose"]["KinesisFirehoseDestination"]["DeliveryStreamArn"].endswith(
        f":{consumer_id}:deliverystream/sms-otp-events"
    )
    assert found["otp-0-sns"]["MatchingEventTypes"] == ["ALL"]
    assert outcome.manual_actions == []


def test_an_unmapped_target_becomes_a_manual_action(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    topic = _owner_targets(inventory)["TopicArn"]
    mapping = {k: v for k, v in _full_map(inventory, aws.region).items() if k != topic}
    request = _request(consumer_id, eventDestinations={"mode": "MAP", "map": mapping})

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    assert sorted(_destinations(sms, "otp-0")) == ["otp-0-firehose", "otp-0-logs"]
    assert [a.subject for a in outcome.manual_actions] == ["otp-0/otp-0-sns", "otp-1/otp-1-sns"]
    assert topic in outcome.manual_actions[0].detail


# -- event destinations: PROVISION ---------------------------------------------------------------------------
def test_provision_creates_a_topic_that_end_user_messaging_may_publish_to(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})

    recreate_configuration(inventory, request, consumer_id, consumer)

    topic = _destinations(sms, "otp-0")["otp-0-sns"]["SnsDestination"]["TopicArn"]
    policy = json.loads(consumer("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    [publish] = [s for s in policy["Statement"] if s["Principal"] == {"Service": "sms-voice.amazonaws.com"}]
    assert publish["Action"] == "sns:Publish"
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": consumer_id}}
    assert topic.split(":")[4] == consumer_id


def test_provision_creates_a_log_group_written_through_the_roles_stacks_events_role(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    # Given a request that provisions the consumer's event destinations
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})
    # When the configuration is recreated
    recreate_configuration(inventory, request, consumer_id, consumer)
    # Then the CloudWatch Logs destination writes to a log group of its own, through the role the roles stack made
    target = _destinations(sms, "otp-0")["otp-0-logs"]["CloudWatchLogsDestination"]
    group_name = target["LogGroupArn"].split(":log-group:")[1]
    groups = consumer("logs").describe_log_groups(logGroupNamePrefix=group_name)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group_name]
    assert group_name.startswith("/eum-share/sms-events/")
    assert target["IamRoleArn"] == f"arn:aws:iam::{consumer_id}:role/eum-share/EumShareSmsEventsToLogs"


def test_provision_creates_no_role(aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str) -> None:
    # Given a request that provisions the consumer's event destinations
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})
    # When the configuration is recreated
    first = len(aws.world.calls)
    recreate_configuration(inventory, request, consumer_id, consumer)
    # Then no IAM role or role policy was made or changed in the consuming account
    writes = [c for c in aws.world.calls[first:] if c.service == "iam" and not c.operation.startswith(READ_ONLY)]
    assert writes == []


def test_provisioned_targets_are_reported(inventory: Inventory, consumer: Clients, consumer_id: str) -> None:
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    targets = [i for i in outcome.items if i.kind is ConfigItemKind.PROVISIONED_TARGET]
    assert len(targets) == 4  # per set: one topic, one log group
    assert {i.status for i in targets} == {ConfigItemStatus.CREATED}
    assert all(i.consumer_id and f":{consumer_id}:" in i.consumer_id for i in targets)


def test_firehose_under_provision_is_a_manual_action(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    assert "otp-0-firehose" not in _destinations(sms, "otp-0")
    assert [a.subject for a in outcome.manual_actions] == ["otp-0/otp-0-firehose", "otp-1/otp-1-firehose"]


def test_firehose_under_provision_uses_the_map(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    mapping = _full_map(inventory, aws.region)
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION", "map": mapping})

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    firehose = _destinations(sms, "otp-0")["otp-0-firehose"]["KinesisFirehoseDestination"]
    assert firehose["IamRoleArn"] == f"arn:aws:iam::{consumer_id}:role/SmsEventsRole"
    assert outcome.manual_actions == []


# -- event destinations: SKIP --------------------------------------------------------------------------------
def test_skip_leaves_no_destinations_and_a_manual_action_for_each(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    outcome = recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)

    assert all(s["EventDestinations"] == [] for s in _sets(sms).values())
    assert len(outcome.manual_actions) == 6
    assert {a.account for a in outcome.manual_actions} == {consumer_id}
    assert set(_statuses(outcome, ConfigItemKind.EVENT_DESTINATION).values()) == {ConfigItemStatus.MANUAL}


def test_a_disabled_destination_is_recreated_disabled(
    owner_sms: Any, scenario: Scenario, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    owner_sms.update_event_destination(ConfigurationSetName="otp-0", EventDestinationName="otp-0-sns", Enabled=False)
    inventory = _inventory_of(owner_sms, scenario)
    request = _request(consumer_id, eventDestinations={"mode": "PROVISION"})

    recreate_configuration(inventory, request, consumer_id, consumer)

    assert _destinations(sms, "otp-0")["otp-0-sns"]["Enabled"] is False


# -- what already exists -------------------------------------------------------------------------------------
def test_a_set_that_differs_is_drift_and_not_overwritten(
    inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    sms.create_configuration_set(ConfigurationSetName="otp-0")
    sms.set_default_message_type(ConfigurationSetName="otp-0", MessageType="PROMOTIONAL")

    outcome = recreate_configuration(inventory, _request(consumer_id), consumer_id, consumer)

    assert _sets(sms)["otp-0"]["DefaultMessageType"] == "PROMOTIONAL"
    [item] = [i for i in outcome.items if i.name == "otp-0"]
    assert item.status is ConfigItemStatus.DRIFT
    assert "defaultMessageType (wanted TRANSACTIONAL, found PROMOTIONAL)" in item.detail
    assert "protectConfigurationId" in item.detail


def test_a_destination_that_differs_is_drift_and_not_overwritten(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, eventDestinations={"mode": "MAP", "map": _full_map(inventory, aws.region)})
    recreate_configuration(inventory, request, consumer_id, consumer)
    sms.update_event_destination(
        ConfigurationSetName="otp-0", EventDestinationName="otp-0-sns", MatchingEventTypes=["TEXT_BLOCKED"]
    )

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    assert _destinations(sms, "otp-0")["otp-0-sns"]["MatchingEventTypes"] == ["TEXT_BLOCKED"]
    statuses = _statuses(outcome, ConfigItemKind.EVENT_DESTINATION)
    assert statuses["otp-0/otp-0-sns"] is ConfigItemStatus.DRIFT
    assert statuses["otp-1/otp-1-sns"] is ConfigItemStatus.UNCHANGED


def test_a_second_run_changes_nothing(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str
) -> None:
    request = _request(
        consumer_id,
        namePrefix="acme-",
        setAccountDefaultProtect=True,
        eventDestinations={"mode": "PROVISION", "map": _full_map(inventory, aws.region)},
    )
    recreate_configuration(inventory, request, consumer_id, consumer)
    since = len(aws.world.calls)

    outcome = recreate_configuration(inventory, request, consumer_id, consumer)

    assert {i.status for i in outcome.items} == {ConfigItemStatus.UNCHANGED}
    assert _mutating_calls(aws, consumer_id, since) == []
    assert outcome.dry_run_configuration_set == "acme-otp-0"


# -- dry run -------------------------------------------------------------------------------------------------
def test_a_dry_run_changes_nothing_and_reports_what_it_would_create(
    aws: OfflineAWS, inventory: Inventory, consumer: Clients, consumer_id: str, sms: Any
) -> None:
    request = _request(consumer_id, setAccountDefaultProtect=True, eventDestinations={"mode": "PROVISION"})
    since = len(aws.world.calls)

    outcome = recreate_configuration(inventory, request, consumer_id, consumer, dry_run=True)

    assert _mutating_calls(aws, consumer_id, since) == []
    assert _sets(sms) == {}
    created = [i for i in outcome.items if i.status is ConfigItemStatus.CREATED]
    assert {i.kind for i in created} == set(ConfigItemKind)
    assert {i.detail for i in created} == {"dry run: would create"}
    assert outcome.dry_run_configuration_set is None
