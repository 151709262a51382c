"""What End User Messaging SMS keeps per account and Region, and how its ARNs are built and read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from twin.services.sms_voice.countries import ISO_COUNTRIES

# The RAM resource type of each shareable kind of ARN.
SHAREABLE_KINDS = {
    "phone-number": "sms-voice:PhoneNumber",
    "sender-id": "sms-voice:SenderId",
    "pool": "sms-voice:Pool",
    "opt-out-list": "sms-voice:OptOutList",
}

# The capabilities a protect configuration has country rules for: "Valid values are SMS, VOICE, or MMS."
# (GetProtectConfigurationCountryRuleSet's NumberCapability member)
RULE_CAPABILITIES = ("SMS", "VOICE", "MMS")


@dataclass(frozen=True)
class Arn:
    """An sms-voice ARN: `arn:aws:sms-voice:REGION:ACCOUNT:KIND/ID[/COUNTRY]`."""

    region: str
    account: str
    kind: str
    resource_id: str
    country: str | None = None

    @staticmethod
    def parse(text: str) -> Arn | None:
        parts = text.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sms-voice":
            return None
        kind, _, rest = parts[5].partition("/")
        if not rest:
            return None
        resource_id, _, country = rest.partition("/")
        return Arn(parts[3], parts[4], kind, resource_id, country or None)

    def __str__(self) -> str:
        suffix = f"/{self.country}" if self.country else ""
        return f"arn:aws:sms-voice:{self.region}:{self.account}:{self.kind}/{self.resource_id}{suffix}"


def is_arn(text: str) -> bool:
    return text.startswith("arn:")


@dataclass
class PhoneNumber:
    arn: str
    phone_number_id: str
    number: str
    iso_country: str
    message_type: str
    capabilities: list[str]
    number_type: str
    opt_out_list_name: str
    created: datetime
    seq: int
    status: str = "ACTIVE"  # NumberStatus: PENDING, ACTIVE, ASSOCIATING, DISASSOCIATING or DELETED
    pool_id: str | None = None
    registration_id: str | None = None
    deletion_protection: bool = False

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "PhoneNumberArn": self.arn,
            "PhoneNumberId": self.phone_number_id,
            "PhoneNumber": self.number,
            "Status": self.status,
            "IsoCountryCode": self.iso_country,
            "MessageType": self.message_type,
            "NumberCapabilities": list(self.capabilities),
            "NumberType": self.number_type,
            "MonthlyLeasingPrice": _LEASING_PRICES.get(self.number_type, "1.00"),
            "TwoWayEnabled": False,
            "SelfManagedOptOutsEnabled": False,
            "OptOutListName": self.opt_out_list_name,
            "InternationalSendingEnabled": False,
            "DeletionProtectionEnabled": self.deletion_protection,
            "CreatedTimestamp": self.created,
        }
        if self.pool_id is not None:
            info["PoolId"] = self.pool_id
        if self.registration_id is not None:
            info["RegistrationId"] = self.registration_id
        return info


# Monthly prices of US numbers (USD), as the console lists them; the API returns them as strings.
_LEASING_PRICES = {"TOLL_FREE": "2.00", "TEN_DLC": "2.00", "LONG_CODE": "1.00", "SHORT_CODE": "995.00"}


@dataclass
class SenderId:
    arn: str
    sender_id: str
    iso_country: str
    message_types: list[str]
    registered: bool
    created: datetime
    seq: int
    deletion_protection: bool = False

    def info(self) -> dict[str, Any]:
        return {
            "SenderIdArn": self.arn,
            "SenderId": self.sender_id,
            "IsoCountryCode": self.iso_country,
            "MessageTypes": list(self.message_types),
            "MonthlyLeasingPrice": "0.00",
            "DeletionProtectionEnabled": self.deletion_protection,
            "Registered": self.registered,
        }


@dataclass
class Pool:
    arn: str
    pool_id: str
    message_type: str
    opt_out_list_name: str
    members: list[str]  # ARNs of phone numbers and sender IDs of the same account
    created: datetime
    seq: int
    deletion_protection: bool = False
    status: str = "ACTIVE"  # PoolStatus: CREATING, ACTIVE or DELETING

    def info(self) -> dict[str, Any]:
        return {
            "PoolArn": self.arn,
            "PoolId": self.pool_id,
            "Status": self.status,
            "MessageType": self.message_type,
            "TwoWayEnabled": False,
            "SelfManagedOptOutsEnabled": False,
            "OptOutListName": self.opt_out_list_name,
            "SharedRoutesEnabled": False,
            "DeletionProtectionEnabled": self.deletion_protection,
            "CreatedTimestamp": self.created,
        }


@dataclass
class OptOutList:
    arn: str
    name: str
    created: datetime
    seq: int
    # Destination numbers that opted out (PutOptedOutNumber, or a recipient's STOP).
    opted_out: set[str] = field(default_factory=set)

    def info(self) -> dict[str, Any]:
        return {"OptOutListArn": self.arn, "OptOutListName": self.name, "CreatedTimestamp": self.created}


# The one member of an event destination that says where events go.
DESTINATION_KINDS = ("CloudWatchLogsDestination", "KinesisFirehoseDestination", "SnsDestination")


@dataclass
class EventDestination:
    name: str
    enabled: bool
    matching_event_types: list[str]
    kind: str
    target: dict[str, str]

    def info(self) -> dict[str, Any]:
        return {
            "EventDestinationName": self.name,
            "Enabled": self.enabled,
            "MatchingEventTypes": list(self.matching_event_types),
            self.kind: dict(self.target),
        }


@dataclass
class ConfigurationSet:
    arn: str
    name: str
    created: datetime
    event_destinations: dict[str, EventDestination] = field(default_factory=dict)
    default_message_type: str | None = None
    default_sender_id: str | None = None
    feedback_enabled: bool = False
    protect_configuration_id: str | None = None

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "ConfigurationSetArn": self.arn,
            "ConfigurationSetName": self.name,
            "EventDestinations": [d.info() for d in self.event_destinations.values()],
            "DefaultMessageFeedbackEnabled": self.feedback_enabled,
            "CreatedTimestamp": self.created,
        }
        if self.default_message_type is not None:
            info["DefaultMessageType"] = self.default_message_type
        if self.default_sender_id is not None:
            info["DefaultSenderId"] = self.default_sender_id
        if self.protect_configuration_id is not None:
            info["ProtectConfigurationId"] = self.protect_configuration_id
        return info


def _allow_everywhere() -> dict[str, dict[str, str]]:
    # "By default all country rule sets for each capability are set to ALLOW." (CreateProtectConfiguration)
    return {capability: dict.fromkeys(ISO_COUNTRIES, "ALLOW") for capability in RULE_CAPABILITIES}


@dataclass
class ProtectConfiguration:
    arn: str
    protect_configuration_id: str
    created: datetime
    deletion_protection: bool
    rules: dict[str, dict[str, str]] = field(default_factory=_allow_everywhere)

    def info(self, account_default: bool) -> dict[str, Any]:
        return {
            "ProtectConfigurationArn": self.arn,
            "ProtectConfigurationId": self.protect_configuration_id,
            "CreatedTimestamp": self.created,
            "AccountDefault": account_default,
            "DeletionProtectionEnabled": self.deletion_protection,
        }

    def blocks(self, capability: str, country: str) -> bool:
        return self.rules[capability].get(country) == "BLOCK"


@dataclass
class Registration:
    arn: str
    registration_id: str
    registration_type: str
    status: str
    created: datetime

    def info(self) -> dict[str, Any]:
        info: dict[str, Any] = {
            "RegistrationArn": self.arn,
            "RegistrationId": self.registration_id,
            "RegistrationType": self.registration_type,
            "RegistrationStatus": self.status,
            "CurrentVersionNumber": 1,
            "CreatedTimestamp": self.created,
        }
        if self.status == "COMPLETE":
            info["ApprovedVersionNumber"] = 1
        return info


@dataclass
class StoredPolicy:
    """A resource policy, and when each of its statements was written (which the document does not say).

    Statements are keyed by their canonical JSON, so rewriting a policy keeps the time of every statement
    it leaves unchanged: that is what lets a consumer's access survive another consumer being added.
    """

    document: dict[str, Any]
    text: str
    created: datetime
    written: dict[str, float]


@dataclass
class AccountState:
    account: str
    region: str
    phone_numbers: dict[str, PhoneNumber] = field(default_factory=dict)
    sender_ids: dict[tuple[str, str], SenderId] = field(default_factory=dict)
    pools: dict[str, Pool] = field(default_factory=dict)
    opt_out_lists: dict[str, OptOutList] = field(default_factory=dict)
    configuration_sets: dict[str, ConfigurationSet] = field(default_factory=dict)
    protect_configurations: dict[str, ProtectConfiguration] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    policies: dict[str, StoredPolicy] = field(default_factory=dict)
    tags: dict[str, dict[str, str]] = field(default_factory=dict)
    # New accounts start in the SMS sandbox (DescribeAccountAttributes).
    tier: str = "SANDBOX"
    default_protect_configuration_id: str | None = None
    verified_destinations: set[str] = field(default_factory=set)
    # Countries that need the account itself to be allowed before it sends there (China), that it is allowed to.
    allowed_countries: set[str] = field(default_factory=set)
    # The kinds of message ("TEXT", "VOICE", "MEDIA") whose monthly spend limit the account has reached.
    spend_limits_reached: set[str] = field(default_factory=set)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def arn(self, kind: str, resource_id: str, country: str | None = None) -> str:
        return str(Arn(self.region, self.account, kind, resource_id, country))

    def shareable(self, arn: Arn) -> PhoneNumber | SenderId | Pool | OptOutList | None:
        """The phone number, sender ID, pool or opt-out list an ARN of this account names."""
        if arn.kind == "phone-number":
            return self.phone_numbers.get(arn.resource_id)
        if arn.kind == "sender-id":
            return self.sender_ids.get((arn.resource_id, arn.country or ""))
        if arn.kind == "pool":
            return self.pools.get(arn.resource_id)
        if arn.kind == "opt-out-list":
            return self.opt_out_lists.get(arn.resource_id)
        return None

    def exists(self, arn: Arn) -> bool:
        """Whether an ARN of this account names a resource that can carry tags."""
        if arn.kind == "configuration-set":
            return arn.resource_id in self.configuration_sets
        if arn.kind == "protect-configuration":
            return arn.resource_id in self.protect_configurations
        if arn.kind == "registration":
            return arn.resource_id in self.registrations
        return self.shareable(arn) is not None
