"""The functions' environment, validated once at cold start."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from os import environ
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eum_share.errors import ConfigurationError

# Where the Lambda console and `sam local` would show the fix: the variable's name, not the field's.
_NAME_PATTERN = r"^[A-Za-z0-9+=,.@_-]{1,64}$"
_STATE_MACHINE_ARN = r"^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:"
# Account IDs separated by commas (CloudFormation joins a CommaDelimitedList so), "*" for any, empty for none.
ApprovalRequired = Literal["ALWAYS", "EXTERNAL_PRINCIPALS", "REQUESTED"]
_ACCOUNT_LIST = r"^(\*|\s*(\d{12}\s*(,\s*\d{12}\s*)*)?)$"


@dataclass(frozen=True)
class AllowList:
    """The accounts a request may name. None: any account."""

    owners: frozenset[str] | None = None
    consumers: frozenset[str] | None = None
    # Consumers may be any account of this organization (RAM keeps the share inside it).
    organization: str | None = None


def _accounts(value: str) -> frozenset[str] | None:
    return None if value.strip() == "*" else frozenset(a.strip() for a in value.split(",") if a.strip())


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    ledger_table: str = Field(alias="LEDGER_TABLE_NAME", min_length=3, max_length=255)
    artifact_bucket: str = Field(alias="ARTIFACT_BUCKET_NAME", min_length=3, max_length=63)
    event_bus: str = Field(alias="EVENT_BUS_NAME", min_length=1, max_length=256)
    event_source: str = Field(default="eum-share", alias="EVENT_SOURCE", min_length=1)
    consumer_role_name: str = Field(default="EumShareConsumerRole", alias="CONSUMER_ROLE_NAME", pattern=_NAME_PATTERN)
    owner_role_name: str = Field(default="EumShareOwnerRole", alias="OWNER_ROLE_NAME", pattern=_NAME_PATTERN)
    # How long a share lock holds without being renewed: a migration that died without releasing it frees the
    # share after this long. Every loop step renews it.
    share_lock_seconds: int = Field(default=21_600, alias="SHARE_LOCK_SECONDS", ge=300, le=7 * 86_400)
    # Origins (scheme://host[:port]) a completion callback may be POSTed to, comma-separated; empty: none.
    callback_allowed_origins: str = Field(default="", alias="CALLBACK_ALLOWED_ORIGINS", max_length=4096)
    # The accounts requests may name, comma-separated account IDs, "*" for any (stack parameters OwnerAccountIds,
    # ConsumerAccountIds, ConsumerOrganizationId): a request naming another account is refused before anything.
    allowed_owner_accounts: str = Field(default="*", alias="ALLOWED_OWNER_ACCOUNTS", pattern=_ACCOUNT_LIST)
    allowed_consumer_accounts: str = Field(default="*", alias="ALLOWED_CONSUMER_ACCOUNTS", pattern=_ACCOUNT_LIST)
    consumer_organization_id: str = Field(
        default="", alias="CONSUMER_ORGANIZATION_ID", pattern=r"^$|^o-[a-z0-9]{10,32}$"
    )
    # Which migrations wait at the approval gate (stack parameter ApprovalRequired): ALWAYS every one;
    # EXTERNAL_PRINCIPALS those whose share may reach accounts outside the organization, and those that ask;
    # REQUESTED only those whose request asks (options.requireApproval).
    approval_required: ApprovalRequired = Field(default="EXTERNAL_PRINCIPALS", alias="APPROVAL_REQUIRED")

    @property
    def role_names(self) -> frozenset[str]:
        return frozenset({self.owner_role_name, self.consumer_role_name})

    @property
    def allow_list(self) -> AllowList:
        return AllowList(
            owners=_accounts(self.allowed_owner_accounts),
            consumers=_accounts(self.allowed_consumer_accounts),
            organization=self.consumer_organization_id or None,
        )

    @property
    def callback_origins(self) -> frozenset[str]:
        return frozenset(o.strip().rstrip("/").lower() for o in self.callback_allowed_origins.split(",") if o.strip())


class DoorSettings(Settings):
    """The doors that start and steer migrations from outside: the webhook and the EventBridge starter."""

    state_machine_arn: str = Field(alias="STATE_MACHINE_ARN", pattern=_STATE_MACHINE_ARN)
    # One key per job: tickets and status reads; approval decisions. Neither is the callbacks' key.
    webhook_secret_name: str = Field(default="", alias="WEBHOOK_SECRET_NAME", max_length=2048)
    approval_secret_name: str = Field(default="", alias="APPROVAL_SECRET_NAME", max_length=2048)
    # Signs completion callbacks, and opens nothing: every callback receiver can read it.
    callback_secret_name: str = Field(default="", alias="CALLBACK_SECRET_NAME", max_length=2048)
    # The EventBridge door's "SMS Migration Rollback Requested" starts it; empty where a door does not.
    rollback_state_machine_arn: str = Field(
        default="", alias="ROLLBACK_STATE_MACHINE_ARN", pattern=rf"^$|{_STATE_MACHINE_ARN}"
    )


class RollbackSettings(Settings):
    """OpenRollback: a rollback is refused while the migration's execution still runs."""

    migration_state_machine_arn: str = Field(alias="MIGRATION_STATE_MACHINE_ARN", pattern=_STATE_MACHINE_ARN)


Loaded = TypeVar("Loaded", bound=Settings)


def _load(model: type[Loaded]) -> Loaded:
    try:
        return model.model_validate(dict(environ))
    except ValidationError as error:
        names = ", ".join(f"{err['loc'][0]} ({err['msg']})" for err in error.errors(include_url=False) if err["loc"])
        raise ConfigurationError(f"environment variables missing or malformed: {names}") from error


@cache
def get_settings() -> Settings:
    return _load(Settings)


@cache
def get_door_settings() -> DoorSettings:
    return _load(DoorSettings)


@cache
def get_rollback_settings() -> RollbackSettings:
    return _load(RollbackSettings)
