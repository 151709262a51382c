"""What the state machine passes between states: small, and never growing with the number of resources."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from eum_share.models.base import WireModel
from eum_share.models.request import MigrationRequest


class ValidateRequestInput(WireModel):
    # The request stays untyped here so that validate_request can name every bad field in one error.
    request: Any
    execution_name: Annotated[str, Field(min_length=1, max_length=80)]


class ValidatedRequest(WireModel):
    migration_id: str
    request: MigrationRequest


class StateError(WireModel):
    """What a Catch with ResultPath "$.error" puts in the state input."""

    model_config = WireModel.model_config | {"alias_generator": None}

    Error: str
    Cause: str = ""


class RecordFailureInput(WireModel):
    migration_id: Annotated[str, Field(min_length=1, max_length=80)]
    error: StateError


class FailureRecorded(WireModel):
    migration_id: str
    error: str
    cause: str
