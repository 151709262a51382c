"""`eum-share resume ID` starts a stopped migration's own request again, and the migration finishes."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tests.cli.support import EumShare
from tests.support.migration import wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_a_migration_stopped_mid_run_is_resumed_and_finishes(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a migration whose execution someone stopped from the console while it ran
    arn = workflow.start(scenario.request(migrationId="resumed-run"), name="resumed-run")
    wait_for_status(aws, workflow, "resumed-run", "RUNNING")
    with aws.observing():
        aws.client("stepfunctions").stop_execution(executionArn=arn)
    # (a stopped execution shows ABORTED once the task it was in returns; until then it still runs)
    assert workflow.wait(arn).status == "ABORTED"
    # When it is resumed
    resumed = eum_share("resume", "resumed-run")
    # Then a new execution of the same request starts, and the migration succeeds
    assert resumed.code == 0, resumed.err
    assert "migration resumed-run started" in resumed.out
    wait_for_status(aws, workflow, "resumed-run", "SUCCEEDED")


def test_a_migration_never_started_cannot_be_resumed(eum_share: EumShare) -> None:
    # Given no migration of that ID / When it is resumed
    resumed = eum_share("resume", "never-started")
    # Then nothing starts, and the command says why
    assert resumed.code != 0
    assert "no request stored" in resumed.err + resumed.out


DONE = ("ASSOCIATED", "VERIFIED", "REPAIRED")
# Batches of five: the migration is still in its batches at AdvanceBatches' third invocation.
MANY_BATCHES = {"batchSize": 5}


def _statuses(aws: OfflineAWS, workflow: LocalStateMachine, migration_id: str) -> dict[str, str]:
    """Each identity's status in the ledger, by ARN."""
    table = workflow.resource_name("LedgerTable")
    with aws.observing():
        items = aws.client("dynamodb").scan(TableName=table)["Items"]
    prefix = f"MIGRATION#{migration_id}"
    return {
        item["sk"]["S"].removeprefix("IDENTITY#"): item["status"]["S"]
        for item in items
        if item["pk"]["S"] == prefix and item["sk"]["S"].startswith("IDENTITY#")
    }


def _resumed_report(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, migration_id: str
) -> dict[str, Any]:
    resumed = eum_share("resume", migration_id)
    assert resumed.code == 0, resumed.err
    wait_for_status(aws, workflow, migration_id, "SUCCEEDED")
    report: dict[str, Any] = json.loads(workflow.read_artifact(f"migrations/{migration_id}/report.json"))
    return report


def _stop_at(aws: OfflineAWS, workflow: LocalStateMachine, state: str, invocation: int) -> None:
    """The `invocation`-th run of `state`'s function does its work, then someone stops the execution from the
    console before the state ends."""
    name = workflow.task_functions()[state]
    function = aws.lambdas.functions[name]
    seen = []

    def stopping(event: dict[str, Any], context: Any) -> Any:
        answer = function.handler(event, context)
        seen.append(event)
        if len(seen) == invocation:
            with aws.observing():
                sfn = aws.client("stepfunctions")
                for execution in sfn.list_executions(stateMachineArn=workflow.arn, statusFilter="RUNNING")[
                    "executions"
                ]:
                    sfn.stop_execution(executionArn=execution["executionArn"])
        return answer

    aws.lambdas.register(name, replace(function, handler=stopping))


def test_a_migration_whose_batch_step_crashed_is_resumed_and_reported_whole(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a migration whose AdvanceBatches function died mid-batches (its work done, no answer), after some
    # identities were shared
    aws.lambdas.crash_after(workflow.task_functions()["AdvanceBatches"], invocation=3)
    first = workflow.run(scenario.request(migrationId="crashed-run", options=MANY_BATCHES), name="crashed-run")
    assert first.status == "FAILED", first
    done_first = {arn for arn, status in _statuses(aws, workflow, "crashed-run").items() if status in DONE}
    assert done_first
    assert len(done_first) < len(scenario.identities)
    # When it is resumed
    report = _resumed_report(aws, workflow, eum_share, "crashed-run")
    # Then the report covers the whole migration: every identity, those the first run shared among them, usable
    lines = {line["arn"]: line["status"] for line in report["identities"]}
    assert set(scenario.identities) <= set(lines)
    assert {arn: lines[arn] for arn in done_first if lines[arn] not in ("VERIFIED", "REPAIRED")} == {}
    assert report["outcome"] == "SUCCEEDED"


def test_the_configuration_a_crashed_run_created_is_reported_created_after_resuming(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a migration that created the consumers' configuration, then died mid-batches
    aws.lambdas.crash_after(workflow.task_functions()["AdvanceBatches"], invocation=3)
    first = workflow.run(scenario.request(migrationId="crashed-config", options=MANY_BATCHES), name="crashed-config")
    assert first.status == "FAILED", first
    created = _created(workflow, "crashed-config", scenario.consumers)
    assert created
    # When it is resumed, and the second run finds those items already there
    report = _resumed_report(aws, workflow, eum_share, "crashed-config")
    # Then the report still says the migration created them, not that they were there before it
    reported = {
        (account, item["kind"], item["name"]): item["status"]
        for account, items in report["configuration"].items()
        for item in items
    }
    assert {item: reported.get(item) for item in created if reported.get(item) != "CREATED"} == {}


def _created(workflow: LocalStateMachine, migration_id: str, consumers: list[str]) -> set[tuple[str, str, str]]:
    """The configuration items the migration's runs so far report CREATED, per consumer."""
    created = set()
    for account in consumers:
        outcome = json.loads(workflow.read_artifact(f"migrations/{migration_id}/configuration/{account}.json"))
        created |= {(account, i["kind"], i["name"]) for i in outcome["items"] if i["status"] == "CREATED"}
    return created


def test_a_migration_stopped_mid_batches_is_resumed_and_reported_whole(
    aws: OfflineAWS, workflow: LocalStateMachine, eum_share: EumShare, scenario: Scenario
) -> None:
    # Given a migration someone stopped from the console in the middle of its batches
    _stop_at(aws, workflow, "AdvanceBatches", invocation=3)
    first = workflow.run(scenario.request(migrationId="stopped-run", options=MANY_BATCHES), name="stopped-run")
    assert first.status == "ABORTED", first
    done_first = {arn for arn, status in _statuses(aws, workflow, "stopped-run").items() if status in DONE}
    assert done_first
    assert len(done_first) < len(scenario.identities)
    # When it is resumed
    report = _resumed_report(aws, workflow, eum_share, "stopped-run")
    # Then the report covers the whole migration, the identities the stopped run shared among them
    lines = {line["arn"]: line["status"] for line in report["identities"]}
    assert set(scenario.identities) <= set(lines)
    assert {arn: lines[arn] for arn in done_first if lines[arn] not in ("VERIFIED", "REPAIRED")} == {}
    assert report["outcome"] == "SUCCEEDED"
