"""What a migration added, recorded when (or before) it adds it, so that a rollback undoes exactly that."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from eum_share.models.base import WireModel


class AddedKind(StrEnum):
    # Owner account
    PRINCIPAL = "PRINCIPAL"  # added to a share that existed before the migration
    # Consuming accounts
    INVITATION = "INVITATION"  # accepted from inside the consumer (undone with the principal or the share)
    CONFIGURATION_SET = "CONFIGURATION_SET"
    EVENT_DESTINATION = "EVENT_DESTINATION"  # name: "<configuration set>/<event destination>"
    PROTECT_CONFIGURATION = "PROTECT_CONFIGURATION"  # name: the consumer's ID of the copy
    ACCOUNT_DEFAULT_PROTECT = "ACCOUNT_DEFAULT_PROTECT"  # name: the copy made the account default
    SNS_TOPIC = "SNS_TOPIC"  # name: the topic's ARN
    SNS_PUBLISH_PERMISSION = "SNS_PUBLISH_PERMISSION"  # name: the topic's ARN (its EumShareSmsVoicePublish statement)
    LOG_GROUP = "LOG_GROUP"  # name: the log group's name
    # Made by earlier versions only (a role per CloudWatch Logs destination), still read from their ledgers.
    IAM_ROLE = "IAM_ROLE"  # name: the role's name
    IAM_ROLE_POLICY = "IAM_ROLE_POLICY"  # name: the role's name (its inline log delivery policy)


# The consuming account's own configuration, removed by RemoveConfiguration in this order: what uses a thing
# goes before the thing.
CONFIGURATION_ORDER = (
    AddedKind.EVENT_DESTINATION,
    AddedKind.CONFIGURATION_SET,
    AddedKind.ACCOUNT_DEFAULT_PROTECT,
    AddedKind.PROTECT_CONFIGURATION,
    AddedKind.SNS_PUBLISH_PERMISSION,
    AddedKind.SNS_TOPIC,
    AddedKind.IAM_ROLE_POLICY,
    AddedKind.IAM_ROLE,
    AddedKind.LOG_GROUP,
)


class AddedItem(WireModel):
    kind: AddedKind
    account: str
    name: str
    detail: str = ""
    at: str | None = None


class ShareBefore(WireModel):
    """A share that existed before the migration, as the migration first found it (share-before.json)."""

    share_arn: str
    # Live (ASSOCIATED or ASSOCIATING) associations when the migration found the share.
    resources: list[str] = Field(default_factory=list)
    principals: list[str] = Field(default_factory=list)
    # Each resource's policy ("" for none) read just before the migration added principals to the share, which
    # makes RAM rewrite every one of them.
    policies: dict[str, str] = Field(default_factory=dict)
