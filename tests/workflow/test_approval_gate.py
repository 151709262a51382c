"""The approval gate: a gated migration plans, changes nothing, and waits for a person; then goes on or ends."""

from __future__ import annotations

import json
import re
import time

import pytest
from eum_share.dal.ledger import Ledger
from eum_share.errors import NotAwaitingApproval
from eum_share.logic.approval import decide
from eum_share.models.ledger import Decision

from tests.support.migration import bus_events, mutating_calls, wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow
from twin.seed import Scenario

GATED = {"requireApproval": True, "approvalTimeoutSeconds": 3600}


def start_gated(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, name: str) -> tuple[str, int]:
    first_call = len(aws.world.calls)
    arn = workflow.start(scenario.request(migrationId=name, options=GATED), name=name)
    wait_for_status(aws, workflow, name, "AWAITING_APPROVAL")
    # The gate is reached once it is announced too: the ledger is written just before the event is sent.
    deadline = time.monotonic() + 60
    while not any(e["migrationId"] == name for e in bus_events(aws, "MigrationAwaitingApproval")):
        assert time.monotonic() < deadline, f"{name} was never announced as awaiting approval"
        time.sleep(0.02)
    return arn, first_call


def test_a_gated_migration_changes_nothing_while_it_waits(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration that requires approval
    # When it reaches the gate
    arn, first_call = start_gated(aws, workflow, scenario, "gated-wait")
    # Then nothing in any account has changed, the execution still runs, and the gate was announced with the plan
    assert mutating_calls(aws.world.calls[first_call:]) == []
    with aws.observing():
        assert aws.client("stepfunctions").describe_execution(executionArn=arn)["status"] == "RUNNING"
    (announced,) = bus_events(aws, "MigrationAwaitingApproval")
    assert announced["identities"] == len(scenario.identities) + 1  # and the account's implicit Default opt-out list
    assert "Migration gated-wait: AWAITING_APPROVAL" in workflow.read_artifact(announced["planReportKey"])


def test_an_approved_migration_completes_and_its_report_names_the_approver(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn, _ = start_gated(aws, workflow, scenario, "gated-yes")
    # When a person approves it
    with aws.observing():
        decide(Ledger(workflow.resource_name("LedgerTable")), "gated-yes", Decision.APPROVED, "ana.ops@example.com")
    execution = workflow.wait(arn)
    # Then it completes, every identity verified, and the report says who approved
    assert execution.status == "SUCCEEDED", execution.cause
    report = json.loads(workflow.read_artifact(execution.output["reportKey"]))
    assert report["approval"]["approver"] == "ana.ops@example.com"
    assert report["approval"]["decision"] == "APPROVED"
    assert execution.output["failed"] == 0


def test_a_rejected_migration_ends_with_nothing_changed(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    arn, first_call = start_gated(aws, workflow, scenario, "gated-no")
    # When a person rejects it
    with aws.observing():
        decide(Ledger(workflow.resource_name("LedgerTable")), "gated-no", Decision.REJECTED, "ana.ops@example.com")
    execution = workflow.wait(arn)
    # Then the execution fails as rejected, nothing changed, and the ledger and the bus say so
    assert (execution.status, execution.error) == ("FAILED", "ApprovalRejected")
    assert "ana.ops@example.com" in (execution.cause or "")
    assert mutating_calls(aws.world.calls[first_call:]) == []
    item = wait_for_status(aws, workflow, "gated-no", "REJECTED")
    assert "approvalToken" not in item
    assert bus_events(aws, "MigrationRejected")[0]["migrationId"] == "gated-no"


def test_a_second_decision_is_refused(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    # Given a migration that was just approved
    arn, _ = start_gated(aws, workflow, scenario, "gated-twice")
    ledger = Ledger(workflow.resource_name("LedgerTable"))
    with aws.observing():
        decide(ledger, "gated-twice", Decision.APPROVED, "ana.ops@example.com")
        # When someone else rejects it afterwards
        # Then the rejection is refused, naming who decided first
        with pytest.raises(NotAwaitingApproval, match=re.escape("APPROVED by ana.ops@example.com")):
            decide(ledger, "gated-twice", Decision.REJECTED, "bob@example.com")
    assert workflow.wait(arn).status == "SUCCEEDED"


def test_a_dry_run_never_waits_for_approval(aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario) -> None:
    # Given a gated request that is a dry run
    request = scenario.request(options=GATED | {"dryRun": True})
    # When it runs
    execution = workflow.run(request, name="gated-dry")
    # Then it ends with its plan, without stopping at the gate
    assert execution.status == "SUCCEEDED"
    assert execution.output["outcome"] == "DRY_RUN"
    assert bus_events(aws, "MigrationAwaitingApproval") == []


def test_an_unanswered_gate_times_out_with_nothing_changed(
    aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    # Given a migration waiting at a gate that allows an hour
    arn, first_call = start_gated(aws, workflow, scenario, "gated-late")
    # When an hour passes with no decision
    aws.clock.advance(3601)
    execution = workflow.wait(arn)
    # Then it ends as expired, nothing changed, and the ledger and the bus say so
    assert (execution.status, execution.error) == ("FAILED", "ApprovalExpired")
    assert mutating_calls(aws.world.calls[first_call:]) == []
    wait_for_status(aws, workflow, "gated-late", "EXPIRED")
    assert bus_events(aws, "MigrationApprovalExpired")[0]["migrationId"] == "gated-late"
    # And a decision arriving afterwards is refused
    with aws.observing(), pytest.raises(NotAwaitingApproval):
        decide(Ledger(workflow.resource_name("LedgerTable")), "gated-late", Decision.APPROVED, "ana.ops@example.com")


def _template_default(parameter: str) -> str:
    from twin.stack import TEMPLATE, load_template

    return str(load_template(TEMPLATE)["Parameters"][parameter]["Default"])


def test_by_default_a_migration_whose_share_allows_external_principals_waits_unasked(
    aws: OfflineAWS, scenario: Scenario
) -> None:
    # Given the stack as deployed with its defaults, and a request sharing with an account outside the
    # organization (allowExternalPrincipals) that does not ask for approval
    parameters = {"LogLevel": "WARNING", "ApprovalRequired": _template_default("ApprovalRequired")}
    with local_migration_workflow(aws, parameters=parameters) as stack:
        first_call = len(aws.world.calls)
        stack.start(scenario.request(migrationId="gate-external"), name="gate-external")
        # When it has planned
        wait_for_status(aws, stack, "gate-external", "AWAITING_APPROVAL")
        # Then it waits at the gate with nothing changed
        assert mutating_calls(aws.world.calls[first_call:]) == []


def test_by_default_a_share_kept_inside_the_organization_goes_through_unasked(
    aws: OfflineAWS, scenario: Scenario
) -> None:
    # Given the stack with its defaults, and a request sharing with the organization's OU only
    parameters = {"LogLevel": "WARNING", "ApprovalRequired": _template_default("ApprovalRequired")}
    inside = scenario.request(
        migrationId="gate-inside",
        share={"name": "sms-production", "allowExternalPrincipals": False},
        principals=[scenario.consumer_ou],
        consumers=[c for c in scenario.consumer_entries() if c["accountId"] in scenario.org_consumers],
    )
    with local_migration_workflow(aws, parameters=parameters) as stack:
        # When it runs
        execution = stack.run(inside, name="gate-inside")
    # Then it completes without waiting for anyone
    assert execution.status == "SUCCEEDED", execution.cause


def test_approval_required_always_holds_every_migration_at_the_gate(aws: OfflineAWS, scenario: Scenario) -> None:
    # Given a stack deployed with ApprovalRequired=ALWAYS, and a request kept inside the organization
    inside = scenario.request(
        migrationId="gate-always",
        share={"name": "sms-production", "allowExternalPrincipals": False},
        principals=[scenario.consumer_ou],
        consumers=[c for c in scenario.consumer_entries() if c["accountId"] in scenario.org_consumers],
    )
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING", "ApprovalRequired": "ALWAYS"}) as stack:
        # When it starts
        stack.start(inside, name="gate-always")
        # Then it waits at the gate
        wait_for_status(aws, stack, "gate-always", "AWAITING_APPROVAL")
