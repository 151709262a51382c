"""Each built function, invoked with its events/ sample as `sam local invoke -e` would (without Docker), gets past
import and event parsing to the outcome its domain gives in a freshly deployed offline stack.

The sample migration `mig-2026-0001` is not in that stack's ledger, so every state after ValidateRequest refuses it
with MigrationConflict; an ImportError, a ValidationError or a ConfigurationError fails these tests.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.stack.artifacts import HOST_BUILDS, Function, template_functions
from tests.support.events import load_event

SAMPLE_MIGRATION = "mig-2026-0001"
Invocation = dict[str, Any]


def _refuses_the_unknown_migration(invocation: Invocation) -> None:
    assert invocation["outcome"] == "raised", invocation
    assert invocation["errorType"] == "MigrationConflict", invocation.get("traceback") or invocation
    assert f"migration {SAMPLE_MIGRATION} is not in the ledger" in invocation["errorMessage"]


def _knows_no_such_migration(invocation: Invocation) -> None:
    # The rollback's states: the sample migration is not in the ledger to roll back.
    assert invocation["outcome"] == "raised", invocation
    assert invocation["errorType"] == "MigrationNotFound", invocation.get("traceback") or invocation
    assert f"no migration '{SAMPLE_MIGRATION}' in the ledger" in invocation["errorMessage"]


def _opens_the_migration(invocation: Invocation) -> None:
    assert invocation["outcome"] == "returned", invocation.get("traceback") or invocation
    assert invocation["result"]["migrationId"] == SAMPLE_MIGRATION
    assert invocation["result"]["alreadyComplete"] is False


def _refuses_the_sample_signature(invocation: Invocation) -> None:
    # The sample's signature is a placeholder and its timestamp is long past: the door answers 401, signed routes only.
    assert invocation["outcome"] == "returned", invocation.get("traceback") or invocation
    assert invocation["result"]["statusCode"] == 401
    assert json.loads(invocation["result"]["body"])["type"] == "urn:eum-share:problem:signature"


def _starts_an_execution_named_after_the_event(invocation: Invocation) -> None:
    assert invocation["outcome"] == "returned", invocation.get("traceback") or invocation
    assert invocation["result"]["executionName"] == f"event-{load_event('start_from_event.json')['id']}"
    assert invocation["result"]["alreadyStarted"] is False


def _records_the_failure(invocation: Invocation) -> None:
    assert invocation["outcome"] == "returned", invocation.get("traceback") or invocation
    assert invocation["result"]["migrationId"] == SAMPLE_MIGRATION
    assert invocation["result"]["status"] == "FAILED"


# By handler module: what its sample event leads to in a freshly deployed stack.
OUTCOMES: dict[str, Callable[[Invocation], None]] = {
    "validate_request": _opens_the_migration,
    "preflight": _refuses_the_unknown_migration,
    "inventory": _refuses_the_unknown_migration,
    "plan_batches": _refuses_the_unknown_migration,
    "lock_share": _refuses_the_unknown_migration,
    "ensure_share": _refuses_the_unknown_migration,
    "accept_invitations": _refuses_the_unknown_migration,
    "associate_batches": _refuses_the_unknown_migration,
    "recreate_configuration": _refuses_the_unknown_migration,
    "verify_from_consumers": _refuses_the_unknown_migration,
    "report": _refuses_the_unknown_migration,
    "request_approval": _refuses_the_unknown_migration,
    "notify_callback": _refuses_the_unknown_migration,
    "record_failure": _records_the_failure,
    "webhook": _refuses_the_sample_signature,
    "start_from_event": _starts_an_execution_named_after_the_event,
    "open_rollback": _knows_no_such_migration,
    "undo_sharing": _knows_no_such_migration,
    "remove_configuration": _knows_no_such_migration,
    "restore_policies": _knows_no_such_migration,
    "report_rollback": _knows_no_such_migration,
    "record_rollback_failure": _records_the_failure,
}
FUNCTIONS = template_functions()


def test_every_function_of_the_template_has_an_expected_outcome() -> None:
    # Given the functions template.yaml declares
    handlers = {function.event_name for function in FUNCTIONS.values()}
    # When they are compared with the outcomes these tests check
    # Then each has exactly one
    assert handlers == set(OUTCOMES)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_the_built_handler_reaches_its_domain_outcome_with_its_sample_event(
    invocations: dict[str, Invocation], logical_id: str
) -> None:
    # Given the function built by `sam build` and invoked with events/<handler>.json in a deployed offline stack
    invocation = invocations[logical_id]
    # When its outcome is looked at
    check = OUTCOMES[FUNCTIONS[logical_id].event_name]
    # Then it is the domain's answer to that event, past import, environment and event parsing
    assert invocation["outcome"] != "crashed", invocation.get("stderr")
    check(invocation)


@pytest.mark.parametrize("logical_id", sorted(FUNCTIONS))
def test_the_built_handler_runs_the_code_and_packages_of_its_artifact(
    built: dict[str, Function], invocations: dict[str, Invocation], logical_id: str
) -> None:
    # Given the function's artifact, and this machine's builds of the artifact's compiled packages
    artifact = str(built[logical_id].artifact)
    allowed = (artifact, str(HOST_BUILDS))
    # When the invocation says where the handler and its packages were imported from
    invocation = invocations[logical_id]
    assert invocation["outcome"] != "crashed", invocation.get("stderr")
    origins = invocation["origins"]
    # Then the handler, the project's package and the requirements (boto3 among them) all came from the artifact
    assert invocation["module"].startswith(artifact + "/")
    for package in ("eum_share", "aws_lambda_powertools", "pydantic", "aws_xray_sdk", "boto3", "botocore"):
        assert origins[package].startswith(artifact + "/"), f"{package} came from {origins[package]}"
    assert origins["pydantic_core"].startswith(allowed), origins["pydantic_core"]


def test_the_built_validate_request_opens_the_migration_in_the_ledger(invocations: dict[str, Invocation]) -> None:
    # Given ValidateRequest built and invoked with its sample, a valid request, in a freshly deployed stack
    invocation = invocations["ValidateRequestFunction"]
    # When the stack's ledger is read afterwards
    keys = invocation["ledgerKeys"]
    # Then the migration is open there
    assert [f"MIGRATION#{SAMPLE_MIGRATION}", "MIGRATION"] in keys


def test_the_built_eventbridge_door_runs_the_migration_state_machine(invocations: dict[str, Invocation]) -> None:
    # Given the EventBridge door built and invoked with "SMS Migration Requested"
    invocation = invocations["StartFromEventFunction"]
    execution = f"event-{load_event('start_from_event.json')['id']}"
    # When the state machine's executions and the ledger are read after the execution ended
    executions = dict(invocation["executions"])
    # Then the execution named after the event ran, and its (built) ValidateRequest opened the migration
    assert set(executions) == {execution}
    assert executions[execution] in ("SUCCEEDED", "FAILED")
    assert [f"MIGRATION#{execution}", "MIGRATION"] in invocation["ledgerKeys"]
