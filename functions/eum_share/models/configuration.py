"""What recreating the owner's configuration did in one consuming account, item by item."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.inventory import ManualAction


class ConfigItemStatus(StrEnum):
    CREATED = "CREATED"  # made by this run (or, in a dry run, would be)
    UNCHANGED = "UNCHANGED"  # already there and equal to the owner's
    DRIFT = "DRIFT"  # already there and different: reported, never overwritten
    MANUAL = "MANUAL"  # no API can do it from here; a ManualAction says what a person has to do
    SKIPPED = "SKIPPED"  # the request asked not to


class ConfigItemKind(StrEnum):
    CONFIGURATION_SET = "CONFIGURATION_SET"
    EVENT_DESTINATION = "EVENT_DESTINATION"
    PROTECT_CONFIGURATION = "PROTECT_CONFIGURATION"
    ACCOUNT_DEFAULT_PROTECT = "ACCOUNT_DEFAULT_PROTECT"
    PROVISIONED_TARGET = "PROVISIONED_TARGET"  # an SNS topic, log group or IAM role made for an event destination


class ConfigItemResult(WireModel):
    kind: ConfigItemKind
    # The consumer's name for the item (configuration set, "set/destination", resource name), or for a
    # protect configuration the owner's ID, since the consumer's copy has an ID of its own.
    name: str
    status: ConfigItemStatus
    detail: str = ""
    # The consumer's identifier (protect configuration ID, ARN of a provisioned target) when there is one.
    consumer_id: str | None = None


class ConfigurationOutcome(WireModel):
    account: str
    items: list[ConfigItemResult] = Field(default_factory=list)
    manual_actions: list[ManualAction] = Field(default_factory=list)
    # A configuration set that exists in the consuming account, for DryRun send probes.
    dry_run_configuration_set: str | None = None
