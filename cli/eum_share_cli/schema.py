"""`eum-share schema`: the migration request's JSON Schema, and a request file checked as ValidateRequest would."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from eum_share.models.request import MigrationRequest

from eum_share_cli.deployment import CONSUMER_ROLE_NAME, OWNER_ROLE_NAME
from eum_share_cli.request_file import RequestFileError, read_request, validate

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "docs" / "request.schema.json"
REGENERATE = "eum-share schema --write"

_HEADER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "urn:eum-share:migration-request",
    "title": "eum-share migration request",
    "description": (
        "The input of the migration state machine: what is pasted into the Step Functions console's "
        '"Start execution" or passed to `aws stepfunctions start-execution --input`. Generated from the request '
        f"model (functions/eum_share/models/request.py) by `{REGENERATE}`. ValidateRequest also checks what no "
        "single field can: ARNs, roles and consumers belong to the owner account, the Region and the principals "
        "(docs/console.md)."
    ),
}


def request_schema() -> dict[str, Any]:
    generated = MigrationRequest.model_json_schema(by_alias=True)
    return _HEADER | {key: value for key, value in generated.items() if key != "title"}


def render_schema() -> str:
    """docs/request.schema.json as it should read: the same bytes for the same model."""
    return json.dumps(request_schema(), indent=2) + "\n"


def add_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the migration request's JSON Schema, rewrite docs/request.schema.json, or check a request",
        description="Prints the JSON Schema of the migration request (the state machine's input). With --write it "
        "rewrites docs/request.schema.json; with --check FILE it validates a request file exactly as the "
        "ValidateRequest state does and names every bad field.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"rewrite {SCHEMA_PATH.name} under docs/")
    action.add_argument("--check", metavar="FILE", type=Path, help="validate a request file; exit 1 if it is refused")
    parser.add_argument(
        "--owner-role-name", default=OWNER_ROLE_NAME, help=f"the stack's OwnerRoleName ({OWNER_ROLE_NAME})"
    )
    parser.add_argument(
        "--consumer-role-name", default=CONSUMER_ROLE_NAME, help=f"the stack's ConsumerRoleName ({CONSUMER_ROLE_NAME})"
    )
    parser.add_argument(
        "--callback-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin (https://host[:port]) on the stack's callback allow-list; repeat for more (none)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.write:
        SCHEMA_PATH.write_text(render_schema())
        print(f"wrote {SCHEMA_PATH}")
        return 0
    if args.check is not None:
        return _check(
            args.check,
            role_names=frozenset({args.owner_role_name, args.consumer_role_name}),
            callback_origins=frozenset(o.strip().rstrip("/").lower() for o in args.callback_origin),
        )
    print(render_schema(), end="")
    return 0


def _check(path: Path, *, role_names: frozenset[str], callback_origins: frozenset[str]) -> int:
    try:
        # The console names the execution; here the file does, as the default migrationId.
        validate(
            read_request(path), default_migration_id=path.stem, role_names=role_names, callback_origins=callback_origins
        )
    except RequestFileError as refused:
        for line in refused.lines:
            print(line)
        return refused.exit_code
    print("valid")
    return 0
