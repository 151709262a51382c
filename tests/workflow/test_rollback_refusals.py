"""A rollback that must not happen is refused at once, saying why, with nothing changed and nothing written."""

from __future__ import annotations

from typing import Any

from tests.support.events import load_event
from tests.support.migration import mutating_calls, wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario

GATED = {"requireApproval": True, "approvalTimeoutSeconds": 3600}


def _ledger_item(aws: OfflineAWS, workflow: LocalStateMachine, migration_id: str, sk: str) -> dict[str, Any]:
    with aws.observing():
        item = aws.client("dynamodb").get_item(
            TableName=workflow.resource_name("LedgerTable"),
            Key={"pk": {"S": f"MIGRATION#{migration_id}"}, "sk": {"S": sk}},
        )
    return dict(item.get("Item", {}))


def test_a_migration_still_running_is_refused(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    # Given a migration whose execution is still running (waiting at its approval gate)
    arn = workflow.start(scenario.request(migrationId="mig-busy", options=GATED), name="mig-busy")
    wait_for_status(aws, workflow, "mig-busy", "AWAITING_APPROVAL")
    first = len(aws.world.calls)
    # When its rollback is started
    refused = workflow.rollback.run({"migrationId": "mig-busy"}, name="rollback-busy")
    # Then it fails at once naming why, the migration is untouched, and nothing changed anywhere
    assert (refused.status, refused.error) == ("FAILED", "MigrationStillRunning")
    assert "migration mig-busy is AWAITING_APPROVAL (execution mig-busy)" in (refused.cause or "")
    assert _ledger_item(aws, workflow, "mig-busy", "MIGRATION")["status"]["S"] == "AWAITING_APPROVAL"
    assert _ledger_item(aws, workflow, "mig-busy", "ROLLBACK") == {}
    assert mutating_calls(aws.world.calls[first:]) == []
    workflow.sfn.stop_execution(executionArn=arn)


def test_an_unknown_migration_is_refused(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    refused = workflow.rollback.run({"migrationId": "mig-nobody"}, name="rollback-nobody")
    assert (refused.status, refused.error) == ("FAILED", "MigrationNotFound")
    assert "mig-nobody" in (refused.cause or "")


def test_a_dry_run_has_nothing_to_roll_back(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    planned = workflow.run(scenario.request(migrationId="mig-plan", options={"dryRun": True}), name="mig-plan")
    assert planned.status == "SUCCEEDED", planned.cause
    refused = workflow.rollback.run({"migrationId": "mig-plan"}, name="rollback-plan")
    assert (refused.status, refused.error) == ("FAILED", "RollbackNotPossible")
    assert "was a dry run" in (refused.cause or "")


def test_a_bad_request_is_refused_naming_every_bad_field(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    refused = workflow.rollback.run({"mode": "UNDO", "identities": 7}, name="rollback-bad")
    assert (refused.status, refused.error) == ("FAILED", "InvalidRequest")
    for field in ("migrationId: Field required", "mode: Input should be 'ROLLBACK' or 'RESTORE'", "identities:"):
        assert field in (refused.cause or ""), refused.cause


def test_identities_are_only_for_a_restore(aws: OfflineAWS, workflow: LocalStateMachine) -> None:
    request = load_event("rollback/restore-identities.json") | {"mode": "ROLLBACK"}
    refused = workflow.rollback.run(request, name="rollback-identities")
    assert (refused.status, refused.error) == ("FAILED", "InvalidRequest")
    assert "identities: only a RESTORE takes identities" in (refused.cause or "")
