"""Starting a migration from a request file: validated here first, then one new execution per start.

Every start gets its own execution name, so a re-run of the same migrationId is a new execution that continues
where the last one stopped (the ledger keeps the progress); a second run while one is still going is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eum_share_cli.deployment import Deployment
from eum_share_cli.failures import CommandFailed
from eum_share_cli.migrations import still_running
from eum_share_cli.request_file import RequestFileError, read_request, validate

if TYPE_CHECKING:
    from eum_share.models.request import MigrationRequest

NAME_LIMIT = 80  # Step Functions execution names and migration IDs alike
STAMP = "%Y%m%d%H%M%S"


@dataclass(frozen=True)
class Launched:
    migration_id: str
    execution_name: str
    execution_arn: str
    dry_run: bool
    gated: bool


def utc_now() -> datetime:
    return datetime.now(UTC)


def new_migration_id(now: datetime) -> str:
    return f"mig-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def execution_name(migration_id: str, now: datetime) -> str:
    stamp = f"-{now:{STAMP}}"
    return migration_id[: NAME_LIMIT - len(stamp)] + stamp


def plan_id(migration_id: str, now: datetime) -> str:
    """A dry run's own migration ID: the ledger keeps one request per ID, so a plan under the request's ID
    would make the real start of the same request a conflict."""
    suffix = f"-plan-{now:{STAMP}}"
    return migration_id[: NAME_LIMIT - len(suffix)] + suffix


def read_raw(path: Path) -> Any:
    try:
        return read_request(path)
    except RequestFileError as refused:
        raise CommandFailed("\n".join([*refused.lines, "nothing started"]), refused.exit_code) from None


def validated(
    raw: Any, *, source: Path, default_migration_id: str, role_names: frozenset[str], callback_origins: frozenset[str]
) -> MigrationRequest:
    """The request as the stack's ValidateRequest would take it (its role names, its callback allow-list)."""
    try:
        return validate(
            raw, default_migration_id=default_migration_id, role_names=role_names, callback_origins=callback_origins
        )
    except RequestFileError as refused:
        lines = [f"{source}: the request is refused, nothing started:", *(f"  {line}" for line in refused.lines)]
        raise CommandFailed("\n".join(lines), refused.exit_code) from None


def as_dry_run(raw: Any, migration_id: str) -> Any:
    """The same request, planned only, under its own ID; a value that is not a request is left for validation."""
    if not isinstance(raw, dict):
        return raw
    options = raw.get("options")
    options = options if isinstance(options, dict) else {}
    return raw | {"migrationId": migration_id, "options": options | {"dryRun": True}}


def launch(deployment: Deployment, request: MigrationRequest, name: str) -> Launched:
    from eum_share.dal import executions
    from eum_share.logic.doors import canonical_input
    from eum_share.logic.start import approval_needed

    assert request.migration_id is not None
    _refuse_a_clash(deployment, request)
    try:
        arn = executions.start(deployment.state_machine_arn, name, canonical_input(request))
    except executions.ExecutionExists:
        raise CommandFailed(f"an execution named {name} already exists with another request; start again") from None
    return Launched(
        migration_id=request.migration_id,
        execution_name=name,
        execution_arn=arn,
        dry_run=request.options.dry_run,
        gated=approval_needed(request, deployment.approval_required) and not request.options.dry_run,
    )


def _refuse_a_clash(deployment: Deployment, request: MigrationRequest) -> None:
    """What the workflow would refuse only after starting, refused before: another request under the same ID,
    or the same migration still running (two executions would work the same ledger at once)."""
    from eum_share.dal.ledger import Ledger
    from eum_share.logic.start import request_hash

    assert request.migration_id is not None
    record = Ledger(deployment.ledger_table).migration(request.migration_id)
    if record is None:
        return
    if record.request_hash != request_hash(request):
        raise CommandFailed(
            f"migration {record.migration_id} already exists with a different request; nothing started: "
            "use a new migrationId, or re-run the original request"
        )
    if still_running(deployment, record):
        raise CommandFailed(
            f"migration {record.migration_id} is already running as execution {record.execution_name}; "
            "nothing started: follow it with `eum-share watch`"
        )
