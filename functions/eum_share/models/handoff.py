"""The handoff: what one consuming account's team needs to start sending with the shared identities."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.configuration import ConfigItemKind, ConfigItemStatus


class HandoffState(StrEnum):
    USABLE = "USABLE"  # visible under Owner=SHARED in the account, and a DryRun send from it went through
    NOT_USABLE = "NOT_USABLE"  # shared, but something in the way; `problem` and `action` say what
    PREVIEW = "PREVIEW"  # a dry run: nothing is shared yet, this is what the migration would share


class HandoffIdentity(WireModel):
    name: str  # what people call it: the E.164 number, the sender ID and its country, the pool, the list
    type: str  # toll-free, 10DLC, long code, short code, sender ID, pool, opt-out list
    iso_country: str | None = None
    message_types: list[str] = Field(default_factory=list)
    capabilities: list[str] = Field(default_factory=list)
    two_way: bool | None = None
    international_sending: bool | None = None  # US toll-free numbers only
    pools: list[str] = Field(default_factory=list)  # the pools (IDs) it belongs to
    arn: str  # what to pass as OriginationIdentity: consumers must name a shared identity by its full ARN
    state: HandoffState
    problem: str | None = None
    action: str | None = None


class ConfigurationLine(WireModel):
    """One item of the owner's configuration and what stands for it in this account."""

    kind: ConfigItemKind
    owner_name: str  # the owner's configuration set, "set/destination", or protect configuration ID
    name: str | None = None  # this account's own (its protect configuration's ID), when there is one
    status: ConfigItemStatus
    detail: str = ""


class SpendLimitLine(WireModel):
    name: str
    owner_usd: float | None = None
    account_usd: float | None = None


class AccountTask(WireModel):
    """What only this account can do; no share or API call made from elsewhere does it."""

    kind: str
    subject: str
    detail: str
    lead_time: str | None = None


class Handoff(WireModel):
    migration_id: str
    account: str
    owner: str
    region: str
    preview: bool
    identities: list[HandoffIdentity]  # what the account can send with (PREVIEW in a dry run)
    not_usable: list[HandoffIdentity] = Field(default_factory=list)
    configuration: list[ConfigurationLine] = Field(default_factory=list)
    configuration_set: str | None = None  # the account's own configuration set the examples send through
    example_identity: str | None = None
    example_destination: str | None = None
    cli_example: str | None = None
    boto3_example: str | None = None
    # The application role's permissions, as managed policy documents each within IAM's size quota.
    iam_policies: list[dict[str, Any]] = Field(default_factory=list)
    unreadable: str | None = None  # why the account could not be read from inside, when it could not
    account_tier: str | None = None
    owner_account_tier: str | None = None
    spend_limits: list[SpendLimitLine] = Field(default_factory=list)
    tasks: list[AccountTask] = Field(default_factory=list)
