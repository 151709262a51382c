"""Starting a migration from a door that may deliver twice (a ticket webhook retried, an event redelivered).

The execution is named after what was delivered (the ticket, the event), and its input is the validated request
in one canonical form, so a second delivery meets the first execution instead of starting another: Step Functions
refuses a second execution of the same name, and answers a running one of the same name and input with itself.
"""

from __future__ import annotations

import json
from typing import Any

from eum_share.dal import executions
from eum_share.dal.ledger import Ledger
from eum_share.errors import ConfigurationError, ExecutionNameTaken, InvalidRequest, MigrationNotFound
from eum_share.logic.rollback_open import rollback_request
from eum_share.logic.validate_request import validate_request
from eum_share.models.doors import StartedMigration, StartedRollback
from eum_share.models.request import MigrationRequest
from eum_share.settings import DoorSettings


def canonical_input(request: MigrationRequest) -> str:
    return json.dumps(request.model_dump(mode="json", by_alias=True, exclude_none=True), sort_keys=True)


def start_migration(
    raw_request: Any, execution_name: str, settings: DoorSettings, *, migration_id: str | None = None
) -> StartedMigration:
    """Validate at the door (nothing starts for a bad request), then start once per delivery name.

    `migration_id`, when the door knows it (a ticket key), is the migration's ID; a request naming another
    is refused, so one ticket cannot steer someone else's migration."""
    request = validate_request(
        raw_request,
        default_migration_id=migration_id or execution_name,
        role_names=settings.role_names,
        callback_origins=settings.callback_origins,
        allow_list=settings.allow_list,
    )
    if migration_id is not None and request.migration_id != migration_id:
        raise InvalidRequest(
            [f"migrationId: must be absent or {migration_id!r} (the ticket), not {request.migration_id!r}"]
        )
    assert request.migration_id is not None
    payload = canonical_input(request)
    arn = executions.execution_arn(settings.state_machine_arn, execution_name)
    existing = executions.describe(arn)
    if existing is None:
        try:
            arn = executions.start(settings.state_machine_arn, execution_name, payload)
            return _started(request.migration_id, execution_name, arn, already=False)
        except executions.ExecutionExists:
            existing = executions.describe(arn)  # another delivery won the race
            assert existing is not None
    if not _same_request(existing.input, payload):
        raise ExecutionNameTaken(
            f"{execution_name} already started migration with a different request; "
            "open a new ticket (or event) for a different migration"
        )
    return _started(request.migration_id, execution_name, existing.arn, already=True)


def start_rollback(raw_request: Any, execution_name: str, settings: DoorSettings) -> StartedRollback:
    """A rollback (or restore) of a migration the ledger knows, started once per delivery name; a bad request, or
    a migration the ledger does not know, is refused at the door with nothing started."""
    try:
        request = rollback_request(raw_request)
    except InvalidRequest as refused:
        raise InvalidRequest([f"detail.{problem}" for problem in refused.problems]) from None
    if not settings.rollback_state_machine_arn:
        raise ConfigurationError("ROLLBACK_STATE_MACHINE_ARN is not set: this door cannot start rollbacks")
    if Ledger(settings.ledger_table).migration(request.migration_id) is None:
        raise MigrationNotFound(f"no migration {request.migration_id!r} in the ledger; nothing was started")
    payload = json.dumps(request.model_dump(mode="json", by_alias=True), sort_keys=True)
    arn = executions.execution_arn(settings.rollback_state_machine_arn, execution_name)
    existing = executions.describe(arn)
    if existing is None:
        try:
            arn = executions.start(settings.rollback_state_machine_arn, execution_name, payload)
            return StartedRollback(migration_id=request.migration_id, mode=request.mode, execution_arn=arn)
        except executions.ExecutionExists:
            existing = executions.describe(arn)
            assert existing is not None
    if not _same_request(existing.input, payload):
        raise ExecutionNameTaken(f"{execution_name} already started a rollback with a different request")
    return StartedRollback(migration_id=request.migration_id, mode=request.mode, execution_arn=existing.arn)


def _same_request(stored: str, payload: str) -> bool:
    try:
        return bool(json.loads(stored) == json.loads(payload))
    except ValueError:
        return False


def _started(migration_id: str, name: str, arn: str, *, already: bool) -> StartedMigration:
    return StartedMigration(
        migration_id=migration_id,
        execution_name=name,
        execution_arn=arn,
        already_started=already,
        status_path=f"/migrations/{migration_id}",
    )
