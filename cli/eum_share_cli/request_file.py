"""A migration request file, read and validated on the operator's machine exactly as ValidateRequest would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eum_share.models.request import MigrationRequest


class RequestFileError(Exception):
    """The file cannot be read, is not JSON, or is refused; `lines` says why, each bad field on its own line."""

    def __init__(self, lines: list[str], exit_code: int) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines
        self.exit_code = exit_code


def read_request(path: Path) -> Any:
    """The file's JSON value, whatever it is (validation judges its shape)."""
    try:
        text = path.read_text()
    except OSError as error:
        raise RequestFileError([f"{path}: cannot be read: {error.strerror or error}"], 2) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise RequestFileError([f"{path}: not JSON: {error}"], 1) from None


def validate(
    raw: Any, *, default_migration_id: str, role_names: frozenset[str], callback_origins: frozenset[str]
) -> MigrationRequest:
    # Imported here: the functions' modules are reloaded when an offline stack deploys, and the error class
    # caught must be the one the validator raises.
    from eum_share.errors import InvalidRequest
    from eum_share.logic.validate_request import validate_request

    try:
        return validate_request(
            raw, default_migration_id=default_migration_id, role_names=role_names, callback_origins=callback_origins
        )
    except InvalidRequest as refused:
        raise RequestFileError(list(refused.problems), 1) from None
