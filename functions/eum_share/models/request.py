"""The migration request: one model for every door (console, EventBridge, ticket webhook)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator, model_validator

from eum_share.models.base import WireModel
from eum_share.models.identifiers import (
    AccountId,
    CallbackUrl,
    PermissionArn,
    Principal,
    RegionName,
    RoleArn,
)

MAX_BATCH_SIZE = 10  # AWS's sharing guide: associate 10 or fewer resources at a time, then verify


class ResourceType(StrEnum):
    PHONE_NUMBER = "PHONE_NUMBER"
    SENDER_ID = "SENDER_ID"
    POOL = "POOL"
    OPT_OUT_LIST = "OPT_OUT_LIST"


class Selection(StrEnum):
    ALL = "ALL"
    ARNS = "ARNS"
    TAGS = "TAGS"


class EventDestinationMode(StrEnum):
    MAP = "MAP"
    PROVISION = "PROVISION"
    SKIP = "SKIP"


class Strategy(StrEnum):
    RAM = "RAM"
    RESOURCE_POLICY = "RESOURCE_POLICY"


# sts:AssumeRole's ExternalId (botocore: 2 to 1224 characters, "[\w+=,.@:\/-]*"): "only someone with the ID can assume
# the role", so the orchestrator acts in an account only for a request from someone that account gave the value to.
ExternalId = Annotated[str, Field(min_length=2, max_length=1224, pattern=r"^[\w+=,.@:/-]+$")]


class Owner(WireModel):
    account_id: AccountId
    role_arn: RoleArn | None = None
    # The owner role's ExternalId, passed when the functions assume it (not when they run in the owner account).
    external_id: ExternalId | None = None


class Share(WireModel):
    name: Annotated[str, Field(min_length=1, max_length=255, pattern=r"^[\w .:/=+@-]+$")] | None = None
    arn: str | None = None
    allow_external_principals: bool = False
    # None sent unless named: "If you do not specify an ARN for the permission, RAM automatically attaches the
    # default version of the permission for each resource type" (CreateResourceShare.permissionArns).
    permission_arns: Annotated[list[PermissionArn], Field(max_length=4)] = Field(default_factory=list)

    @model_validator(mode="after")
    def _name_or_arn(self) -> Share:
        if (self.name is None) == (self.arn is None):
            raise ValueError("give exactly one of share.name (find or create by name) or share.arn")
        return self


class Consumer(WireModel):
    account_id: AccountId
    role_arn: RoleArn | None = None
    external_id: ExternalId | None = None


class Resources(WireModel):
    select: Selection = Selection.ALL
    arns: Annotated[list[str], Field(max_length=10_000)] = Field(default_factory=list)
    tags: Annotated[dict[str, str], Field(max_length=50)] = Field(default_factory=dict)
    types: Annotated[list[ResourceType], Field(min_length=1)] = Field(default_factory=lambda: list(ResourceType))

    @model_validator(mode="after")
    def _selection_is_complete(self) -> Resources:
        if self.select is Selection.ARNS and not self.arns:
            raise ValueError("select ARNS needs a non-empty arns list")
        if self.select is Selection.TAGS and not self.tags:
            raise ValueError("select TAGS needs a non-empty tags map")
        if self.select is not Selection.ARNS and self.arns:
            raise ValueError(f"arns is only used with select ARNS, not {self.select.value}")
        if self.select is not Selection.TAGS and self.tags:
            raise ValueError(f"tags is only used with select TAGS, not {self.select.value}")
        return self


class EventDestinations(WireModel):
    mode: EventDestinationMode = EventDestinationMode.SKIP
    # Source target ARN -> consumer target ARN; "{accountId}" in a value becomes the consumer's account ID.
    map: dict[str, Annotated[str, Field(min_length=20, max_length=2048)]] = Field(default_factory=dict)


# End User Messaging's own rule for a configuration set's name (botocore: ConfigurationSetName).
ConfigurationSetName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


def _all_none_or_names(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """One problem for the field, rather than one per alternative of the union, each at a made-up path."""
    try:
        return handler(value)
    except ValidationError:
        raise ValueError(
            'must be "ALL", "NONE" or a list of 1 to 500 configuration set names (letters, digits, _ and -, '
            "1 to 64 characters each)"
        ) from None


class Configuration(WireModel):
    configuration_sets: Annotated[
        Literal["ALL", "NONE"] | Annotated[list[ConfigurationSetName], Field(min_length=1, max_length=500)],
        WrapValidator(_all_none_or_names),
    ] = "ALL"
    name_prefix: Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9_-]*$")] = ""
    event_destinations: EventDestinations = EventDestinations()
    protect_configurations: bool = True
    set_account_default_protect: bool = False


class Options(WireModel):
    batch_size: Annotated[int, Field(ge=1, le=MAX_BATCH_SIZE)] = MAX_BATCH_SIZE
    dry_run: bool = False
    strategy: Strategy = Strategy.RAM
    max_repair_attempts: Annotated[int, Field(ge=0, le=10)] = 3
    poll_seconds: Annotated[int, Field(ge=0, le=300)] = 5
    # Change management: stop after planning, with nothing changed, until someone approves or rejects.
    require_approval: bool = False
    approval_timeout_seconds: Annotated[int, Field(ge=60, le=30 * 86_400)] = 86_400
    # How long a run may take from taking the share's lock; past it, the run stops cleanly (DeadlineExceeded) and the
    # same request started again continues, with a deadline of its own.
    deadline_seconds: Annotated[int, Field(ge=60, le=7 * 86_400)] = 86_400


class MigrationRequest(WireModel):
    migration_id: Annotated[str, Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9_-]+$")] | None = None
    region: RegionName
    owner: Owner
    share: Share
    principals: Annotated[list[Principal], Field(min_length=1, max_length=100)]
    consumers: Annotated[list[Consumer], Field(max_length=100)] = Field(default_factory=list)
    resources: Resources = Resources()
    configuration: Configuration = Configuration()
    options: Options = Options()
    # Where the outcome is POSTed, signed, when the migration ends; its origin must be on the stack's allow-list.
    callback_url: CallbackUrl | None = None
