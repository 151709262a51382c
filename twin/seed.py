"""Seeding: an owner account full of production identities, its organization and consuming accounts."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from twin.cfn import load_template
from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.stack import ROOT, LocalStack

OWNER = "111111111111"
EXTERNAL_BASE = 900000000001  # consuming accounts outside the organization
NUMBER_TYPES = ("TOLL_FREE", "TEN_DLC", "LONG_CODE", "SHORT_CODE")
SENDER_COUNTRIES = ("GB", "DE", "FR", "AU", "IN", "JP", "BR", "SG")
POOL_SIZE = 5
BLOCKED_COUNTRIES = ("CN", "RU")
EVENTS_ROLE, EVENTS_STREAM = "SmsEventsRole", "sms-otp-events"  # a Firehose event target and its role
ROLES_TEMPLATE = ROOT / "roles" / "cross-account-roles.yaml"
# The role `eum-share doctor --offline` runs with, as an operator's own role would be added to OrchestratorRoleArns.
OFFLINE_OPERATOR_ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT}:role/eum-share-doctor"
# Roles each account's roles stack deploys, by the account's part: the consumer role with the role End User
# Messaging uses for CloudWatch Logs destinations, and the owner role.
ROLE_RESOURCES = {"ConsumerRole": ("ConsumerRole", "SmsEventsToLogsRole"), "OwnerRole": ("OwnerRole",)}


def external_id(account: str) -> str:
    """The ExternalId a seeded account's role expects: what its request gives as `externalId`. Random-looking, as
    docs/deploy.md has it generated: nothing about the account (its ID, the project's name) leads to it."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"offline-external-id/{account}").hex


@dataclass
class Scenario:
    """What was seeded, by ARN and account ID."""

    region: str
    owner: str
    organization_arn: str
    consumer_ou: str
    org_consumers: list[str]
    external_consumers: list[str]
    phone_numbers: list[str] = field(default_factory=list)
    sender_ids: list[str] = field(default_factory=list)
    pools: list[str] = field(default_factory=list)
    opt_out_lists: list[str] = field(default_factory=list)
    pool_members: dict[str, list[str]] = field(default_factory=dict)
    configuration_sets: list[str] = field(default_factory=list)
    protect_configurations: list[str] = field(default_factory=list)
    # The owner's event targets each consumer has a target of its own for (same name, in its own account):
    # owner ARN -> the consumer's, with "{accountId}" for the consumer's account ID (eventDestinations.map).
    consumer_targets: dict[str, str] = field(default_factory=dict)

    @property
    def consumers(self) -> list[str]:
        return self.org_consumers + self.external_consumers

    @property
    def identities(self) -> list[str]:
        return self.phone_numbers + self.sender_ids + self.pools + self.opt_out_lists

    def consumer_entries(self) -> list[dict[str, str]]:
        """The request's `consumers`: each account with the ExternalId its role expects."""
        return [{"accountId": account, "externalId": external_id(account)} for account in self.consumers]

    def event_destinations(self) -> dict[str, Any]:
        """The request's `configuration.eventDestinations` that recreates every event destination: the targets
        the consumers have (a Firehose delivery stream is never provisioned) mapped, the others provisioned."""
        return {"mode": "PROVISION", "map": dict(self.consumer_targets)}

    def request(self, **changes: Any) -> dict[str, Any]:
        """The migration request a platform team would write for this owner: the consumers' OU plus the
        external accounts, every identity; `changes` replace top-level fields."""
        principals = ([self.consumer_ou] if self.org_consumers else []) + self.external_consumers
        return {
            "region": self.region,
            "owner": {"accountId": self.owner, "externalId": external_id(self.owner)},
            "share": {"name": "sms-production", "allowExternalPrincipals": bool(self.external_consumers)},
            "principals": principals,
            "consumers": self.consumer_entries(),
            "resources": {"select": "ALL"},
        } | changes


def seed(
    offline: OfflineAWS,
    *,
    identities: int = 200,
    consumers: int = 2,
    external_consumers: int = 1,
    owner: str = OWNER,
    configuration_sets: int = 3,
    consumer_targets: bool = False,
) -> Scenario:
    """An owner (the organization's management account) with `identities` identities of every kind, and
    `consumers` consuming accounts of which `external_consumers` are outside the organization. Every
    account is in the production tier and has the role roles/cross-account-roles.yaml deploys there, with its
    trust and its policies (the consumer role, trusting the orchestrator with the consumer's ExternalId; the
    owner role in the owner account). With `consumer_targets`, each consumer has a Firehose delivery stream and
    its role like the owner's, for a request to map the owner's to (`Scenario.event_destinations`). Faults are
    paused while seeding."""
    if not 0 <= external_consumers <= consumers:
        raise ValueError("external_consumers must be between 0 and consumers")
    with offline.world.faults.paused():
        scenario = _organization(offline, owner, consumers - external_consumers, external_consumers)
        for account in [owner, *scenario.consumers]:
            offline.sms.set_account_tier(account, offline.region, "PRODUCTION")
        _roles(offline, scenario)
        _identities(offline, scenario, identities)
        _configuration(offline, scenario, configuration_sets)
        if consumer_targets:
            _consumer_targets(offline, scenario)
        offline.world.settle()
    return scenario


def _organization(offline: OfflineAWS, owner: str, members: int, external: int) -> Scenario:
    orgs = offline.client("organizations", account=owner)
    organization = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Messaging")["OrganizationalUnit"]
    accounts: list[str] = []
    for index in range(members):
        status = orgs.create_account(Email=f"consumer{index}@example.com", AccountName=f"consumer-{index}")
        account = orgs.describe_create_account_status(CreateAccountRequestId=status["CreateAccountStatus"]["Id"])[
            "CreateAccountStatus"
        ]["AccountId"]
        orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ou["Id"])
        accounts.append(account)
    return Scenario(
        region=offline.region,
        owner=owner,
        organization_arn=organization["Arn"],
        consumer_ou=ou["Arn"],
        org_consumers=accounts,
        external_consumers=[str(EXTERNAL_BASE + index) for index in range(external)],
    )


def role_trust(offline: OfflineAWS, kind: str, account: str) -> tuple[str, dict[str, Any]]:
    """The name and trust policy roles/cross-account-roles.yaml gives the role of `kind` (its logical ID, e.g.
    "ConsumerRole" or "OwnerRole") when deployed in `account` for the offline orchestrator."""
    template = _roles_stack(offline, account)
    properties = template.resources[kind]["Properties"]
    return str(template.resolve(properties["RoleName"])), dict(template.resolve(properties["AssumeRolePolicyDocument"]))


def role_policies(offline: OfflineAWS, kind: str, account: str) -> dict[str, dict[str, Any]]:
    """The inline policies (name -> document) the template gives that role in `account`."""
    template = _roles_stack(offline, account)
    policies = template.resolve(template.resources[kind]["Properties"]["Policies"])
    return {str(p["PolicyName"]): dict(p["PolicyDocument"]) for p in policies}


def _role_path(kind: str) -> str:
    return str(load_template(ROLES_TEMPLATE)["Resources"][kind]["Properties"].get("Path", "/"))


@lru_cache(maxsize=4)  # resolving template.yaml takes a while; the seed asks once per role and account
def orchestrator_roles(offline: OfflineAWS) -> str:
    """The roles stacks' OrchestratorRoleArns as docs/deploy.md says to give it: the eum-share stack's output of
    that name, exactly as the offline stack resolves it, and the operator's role doctor runs with."""
    stack = LocalStack(offline)
    listed = stack.resolve(stack.template["Outputs"]["OrchestratorRoleArns"]["Value"])
    return ",".join([str(listed), OFFLINE_OPERATOR_ROLE_ARN])


def _roles_stack(offline: OfflineAWS, account: str) -> LocalStack:
    template = LocalStack(
        offline,
        ROLES_TEMPLATE,
        stack_name="eum-share-roles",
        parameters={
            "OrchestratorAccountId": DEFAULT_ACCOUNT,
            "OrchestratorRoleArns": orchestrator_roles(offline),
            "ExternalId": external_id(account),
        },
    )
    template.account = account  # ${AWS::AccountId} is the account the roles are deployed in
    return template


def _roles(offline: OfflineAWS, scenario: Scenario) -> None:
    for part, accounts in (("OwnerRole", [scenario.owner]), ("ConsumerRole", scenario.consumers)):
        for account in accounts:
            for kind in ROLE_RESOURCES[part]:
                name, trust = role_trust(offline, kind, account)
                iam = offline.client("iam", account=account)
                iam.create_role(RoleName=name, Path=_role_path(kind), AssumeRolePolicyDocument=json.dumps(trust))
                for policy_name, document in role_policies(offline, kind, account).items():
                    iam.put_role_policy(RoleName=name, PolicyName=policy_name, PolicyDocument=json.dumps(document))


def _identities(offline: OfflineAWS, scenario: Scenario, total: int) -> None:
    """A realistic mix: about a fifth sender IDs, a pool per twenty identities, an opt-out list per fifty."""
    sms, owner, region = offline.sms, scenario.owner, scenario.region
    opt_out_lists = max(1, total // 50) if total >= 4 else 0
    pools = max(1, total // 20) if total >= 4 else 0
    senders = total // 5
    numbers = total - opt_out_lists - pools - senders
    for index in range(opt_out_lists):
        scenario.opt_out_lists.append(sms.add_opt_out_list(owner, region, f"optouts-{index}"))
    for index in range(numbers):
        scenario.phone_numbers.append(
            sms.add_phone_number(
                owner,
                region,
                number_type=NUMBER_TYPES[index % len(NUMBER_TYPES)],
                opt_out_list_name=f"optouts-{index % opt_out_lists}" if opt_out_lists else "Default",
                tags={"team": "otp" if index % 2 else "marketing"},
            )
        )
    for index in range(senders):
        scenario.sender_ids.append(
            sms.add_sender_id(
                owner,
                region,
                sender_id=f"BRAND{index:03d}",
                iso_country=SENDER_COUNTRIES[index % len(SENDER_COUNTRIES)],
                tags={"team": "otp"},
            )
        )
    members = scenario.phone_numbers + scenario.sender_ids
    for index in range(pools):
        chosen = members[index * POOL_SIZE : (index + 1) * POOL_SIZE]
        if not chosen:
            break
        pool = sms.add_pool(owner, region, members=chosen, tags={"team": "otp"})
        scenario.pools.append(pool)
        scenario.pool_members[pool] = chosen


def _configuration(offline: OfflineAWS, scenario: Scenario, count: int) -> None:
    """Configuration sets with all three destination kinds and defaults, protect configurations with
    blocked countries, one associated to each set, and an account default."""
    owner = scenario.owner
    sms = offline.client("pinpoint-sms-voice-v2", account=owner)
    targets = _destination_targets(offline, owner)
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    scenario.protect_configurations.append(protect)
    for country in BLOCKED_COUNTRIES:
        sms.update_protect_configuration_country_rule_set(
            ProtectConfigurationId=protect,
            NumberCapability="SMS",
            CountryRuleSetUpdates={country: {"ProtectStatus": "BLOCK"}},
        )
    sms.set_account_default_protect_configuration(ProtectConfigurationId=protect)
    for index in range(count):
        name = f"otp-{index}"
        sms.create_configuration_set(ConfigurationSetName=name)
        sms.set_default_message_type(ConfigurationSetName=name, MessageType="TRANSACTIONAL")
        if scenario.sender_ids:
            sender = scenario.sender_ids[index % len(scenario.sender_ids)].split("/")[-2]
            sms.set_default_sender_id(ConfigurationSetName=name, SenderId=sender)
        sms.set_default_message_feedback_enabled(ConfigurationSetName=name, MessageFeedbackEnabled=index % 2 == 0)
        sms.associate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName=name)
        for kind, destination in targets.items():
            sms.create_event_destination(
                ConfigurationSetName=name,
                EventDestinationName=f"{name}-{kind}",
                MatchingEventTypes=["TEXT_DELIVERED", "TEXT_BLOCKED", "TEXT_UNREACHABLE"] if kind != "sns" else ["ALL"],
                **destination,
            )
        scenario.configuration_sets.append(name)


def _consumer_targets(offline: OfflineAWS, scenario: Scenario) -> None:
    """In each consumer, the owner's Firehose delivery stream and role again, under the same names."""
    owner = scenario.owner
    owner_role = offline.client("iam", account=owner).get_role(RoleName=EVENTS_ROLE)["Role"]["Arn"]
    owner_stream = offline.client("firehose", account=owner).describe_delivery_stream(DeliveryStreamName=EVENTS_STREAM)[
        "DeliveryStreamDescription"
    ]["DeliveryStreamARN"]
    for account in scenario.consumers:
        _firehose_target(offline, account)
    scenario.consumer_targets = {
        owner_role: owner_role.replace(scenario.owner, "{accountId}"),
        owner_stream: owner_stream.replace(scenario.owner, "{accountId}"),
    }


def _destination_targets(offline: OfflineAWS, owner: str) -> dict[str, dict[str, Any]]:
    """Real moto resources for the three event destination kinds, with the role End User Messaging assumes."""
    region = offline.region
    role, stream = _firehose_target(offline, owner)
    logs = offline.client("logs", account=owner)
    logs.create_log_group(logGroupName="/sms/otp-events")
    log_group = f"arn:aws:logs:{region}:{owner}:log-group:/sms/otp-events"
    topic = offline.client("sns", account=owner).create_topic(Name="sms-otp-events")["TopicArn"]
    return {
        "logs": {"CloudWatchLogsDestination": {"IamRoleArn": role, "LogGroupArn": log_group}},
        "firehose": {"KinesisFirehoseDestination": {"IamRoleArn": role, "DeliveryStreamArn": stream}},
        "sns": {"SnsDestination": {"TopicArn": topic}},
    }


def _firehose_target(offline: OfflineAWS, account: str) -> tuple[str, str]:
    """The role End User Messaging assumes to deliver events, and a Firehose delivery stream: their ARNs."""
    iam = offline.client("iam", account=account)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "sms-voice.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = iam.create_role(RoleName=EVENTS_ROLE, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    s3 = offline.client("s3", account=account)
    s3.create_bucket(Bucket=f"sms-events-{account}")
    stream = offline.client("firehose", account=account).create_delivery_stream(
        DeliveryStreamName=EVENTS_STREAM,
        ExtendedS3DestinationConfiguration={"RoleARN": role, "BucketARN": f"arn:aws:s3:::sms-events-{account}"},
    )["DeliveryStreamARN"]
    return str(role), str(stream)
