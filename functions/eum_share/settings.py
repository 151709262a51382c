"""The functions' environment, validated once at cold start."""

from __future__ import annotations

from functools import cache
from os import environ

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eum_share.errors import ConfigurationError

# Where the Lambda console and `sam local` would show the fix: the variable's name, not the field's.
_NAME_PATTERN = r"^[A-Za-z0-9+=,.@_-]{1,64}$"


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    ledger_table: str = Field(alias="LEDGER_TABLE_NAME", min_length=3, max_length=255)
    artifact_bucket: str = Field(alias="ARTIFACT_BUCKET_NAME", min_length=3, max_length=63)
    event_bus: str = Field(alias="EVENT_BUS_NAME", min_length=1, max_length=256)
    event_source: str = Field(default="eum-share", alias="EVENT_SOURCE", min_length=1)
    consumer_role_name: str = Field(default="EumShareConsumerRole", alias="CONSUMER_ROLE_NAME", pattern=_NAME_PATTERN)
    owner_role_name: str = Field(default="EumShareOwnerRole", alias="OWNER_ROLE_NAME", pattern=_NAME_PATTERN)


@cache
def get_settings() -> Settings:
    try:
        return Settings.model_validate(dict(environ))
    except ValidationError as error:
        names = ", ".join(f"{err['loc'][0]} ({err['msg']})" for err in error.errors(include_url=False) if err["loc"])
        raise ConfigurationError(f"environment variables missing or malformed: {names}") from error
