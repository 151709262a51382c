"""What the owner account holds: the identities to share, and what RAM cannot share."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.request import ResourceType


class SelectedBy(StrEnum):
    SELECTION = "SELECTION"  # chosen by the request (ALL, ARNS or TAGS)
    MEMBERSHIP = "MEMBERSHIP"  # brought in because a selected pool or opt-out list holds it


class IdentityDetails(WireModel):
    """What the owner's listing says about an identity that the people sending with it need to know."""

    phone_number: str | None = None  # E.164; phone numbers only
    number_type: str | None = None  # NumberType: TOLL_FREE, TEN_DLC, LONG_CODE, SHORT_CODE, SIMULATOR
    message_types: list[str] = Field(default_factory=list)  # TRANSACTIONAL, PROMOTIONAL
    capabilities: list[str] = Field(default_factory=list)  # NumberCapability: SMS, VOICE, MMS, RCS
    two_way: bool | None = None
    international_sending: bool | None = None  # InternationalSendingEnabled of a phone number


class Identity(WireModel):
    arn: str
    type: ResourceType
    id: str
    iso_country: str | None = None
    # Pools: phone numbers and sender IDs in the pool. Opt-out lists: the identities that use the list.
    members: list[str] = Field(default_factory=list)
    opt_out_list: str | None = None
    selected_by: SelectedBy = SelectedBy.SELECTION
    brought_by: list[str] = Field(default_factory=list)
    details: IdentityDetails = Field(default_factory=IdentityDetails)


class SkippedIdentity(WireModel):
    """An identity the selection chose that cannot be shared now, and why; the migration leaves it as it is."""

    arn: str
    type: ResourceType
    reason: str


class EventDestinationItem(WireModel):
    name: str
    enabled: bool = True
    matching_event_types: list[str]
    # Exactly one of these three, in the API's own shape.
    cloud_watch_logs_destination: dict[str, str] | None = None
    kinesis_firehose_destination: dict[str, str] | None = None
    sns_destination: dict[str, str] | None = None

    @property
    def kind(self) -> str:
        if self.cloud_watch_logs_destination is not None:
            return "CLOUDWATCH_LOGS"
        if self.kinesis_firehose_destination is not None:
            return "FIREHOSE"
        return "SNS"


class ConfigurationSetItem(WireModel):
    name: str
    default_message_type: str | None = None
    default_sender_id: str | None = None
    default_message_feedback_enabled: bool | None = None
    protect_configuration_id: str | None = None
    event_destinations: list[EventDestinationItem] = Field(default_factory=list)

    @classmethod
    def from_api(cls, info: dict[str, Any]) -> ConfigurationSetItem:
        """From a DescribeConfigurationSets entry; destinations in name order, so two accounts compare equal."""
        destinations = sorted(info.get("EventDestinations", []), key=lambda d: str(d["EventDestinationName"]))
        return cls(
            name=info["ConfigurationSetName"],
            default_message_type=info.get("DefaultMessageType"),
            default_sender_id=info.get("DefaultSenderId"),
            default_message_feedback_enabled=info.get("DefaultMessageFeedbackEnabled"),
            protect_configuration_id=info.get("ProtectConfigurationId"),
            event_destinations=[
                EventDestinationItem(
                    name=d["EventDestinationName"],
                    enabled=d["Enabled"],
                    matching_event_types=list(d["MatchingEventTypes"]),
                    cloud_watch_logs_destination=d.get("CloudWatchLogsDestination"),
                    kinesis_firehose_destination=d.get("KinesisFirehoseDestination"),
                    sns_destination=d.get("SnsDestination"),
                )
                for d in destinations
            ],
        )


class ProtectConfigurationItem(WireModel):
    id: str
    account_default: bool = False
    deletion_protection_enabled: bool = False
    # NumberCapability -> ISO country -> ProtectStatus, only where the status is not the default ALLOW.
    country_rules: dict[str, dict[str, str]] = Field(default_factory=dict)


class ManualAction(WireModel):
    """What no API can do; a person has to, in the named account, with the lead time AWS documents."""

    account: str
    kind: str
    subject: str
    detail: str
    lead_time: str | None = None


class Inventory(WireModel):
    owner: str
    region: str
    account_tier: str
    identities: list[Identity]
    skipped: list[SkippedIdentity] = Field(default_factory=list)
    configuration_sets: list[ConfigurationSetItem] = Field(default_factory=list)
    protect_configurations: list[ProtectConfigurationItem] = Field(default_factory=list)
    spend_limits: list[dict[str, Any]] = Field(default_factory=list)
    registrations: list[dict[str, Any]] = Field(default_factory=list)
    manual_actions: list[ManualAction] = Field(default_factory=list)

    def by_arn(self) -> dict[str, Identity]:
        return {identity.arn: identity for identity in self.identities}
