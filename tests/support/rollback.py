"""Helpers for rollback tests: a migration run through the real state machine, then rolled back through the real
rollback state machine, with the offline AWS's state kept before, between and after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support.migration import Hook, seeded_organization
from twin.inspect import event_targets, in_use, state_dump
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario
from twin.world import CallRecord


def resting_state(aws: OfflineAWS, scenario: Scenario) -> dict[str, Any]:
    """What anyone using the owner and consuming accounts would see: End User Messaging and RAM as they are in
    use (no history, no clock), and the topics, log groups and roles event destinations deliver to."""
    aws.world.settle()
    return {
        "aws": in_use(state_dump(aws)),
        "targets": event_targets(aws, [scenario.owner, *scenario.consumers]),
    }


@dataclass
class RolledBack:
    aws: OfflineAWS
    scenario: Scenario
    workflow: LocalStateMachine
    migration: Execution
    rollback: Execution
    again: Execution
    before: dict[str, Any]
    migrated: dict[str, Any]
    after: dict[str, Any]
    rollback_calls: list[CallRecord]
    again_calls: list[CallRecord]
    # The first rollback's report (the second one's replaces it in S3).
    report: dict[str, Any]
    markdown: str

    @property
    def migrated_arns(self) -> list[str]:
        """Every identity the migration moved (its selection and the members that came with it)."""
        report = json.loads(self.workflow.read_artifact(self.migration.output["reportKey"]))
        return [line["arn"] for line in report["identities"]]


def run_with_crash(
    workflow: LocalStateMachine, request: dict[str, Any], name: str, module: str, call: str
) -> Execution:
    """The migration, with the function that makes `call` (in eum_share.dal.`module`) dying right after its
    first call went through: the state that made it fails, and with it the execution."""
    import importlib

    dal = importlib.import_module(f"eum_share.dal.{module}")  # the module the deployed functions use
    original = getattr(dal, call)
    crashed: list[Any] = []

    def then_crash(*args: Any, **kwargs: Any) -> Any:
        answer = original(*args, **kwargs)
        if not crashed:
            crashed.append(answer)
            raise CrashAfterCall(f"the function died after {call} went through")
        return answer

    setattr(dal, call, then_crash)
    try:
        return workflow.run(request, name=name)
    finally:
        setattr(dal, call, original)


class CrashAfterCall(Exception):
    """The Lambda dies after AWS accepted the call, before the ledger heard of it."""


@contextmanager
def migrated_and_rolled_back(
    *,
    name: str,
    identities: int = 16,
    consumers: int = 2,
    external_consumers: int = 1,
    faults: dict[str, Any] | None = None,
    before: Hook | None = None,
    between: Hook | None = None,
    crash: tuple[str, str] | None = None,
    **request_changes: Any,
) -> Iterator[RolledBack]:
    """A seeded offline AWS (with `before` applied to it), one migration (dying after the call `crash` names,
    when given), `between` applied, its rollback, and a second rollback of the same migration."""
    with (
        seeded_organization(identities, consumers, external_consumers, faults, before) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        initial = resting_state(aws, scenario)
        request = scenario.request(migrationId=name, **request_changes)
        if crash is None:
            migration = workflow.run(request, name=name)
        else:
            migration = run_with_crash(workflow, request, name, *crash)
        migrated = resting_state(aws, scenario)
        if between is not None:
            with aws.world.faults.paused():
                between(aws, scenario)
        first = len(aws.world.calls)
        rollback = workflow.rollback.run({"migrationId": name}, name=f"{name}-rollback")
        second = len(aws.world.calls)
        after = resting_state(aws, scenario)
        report, markdown = _reports(workflow, rollback)
        again = workflow.rollback.run({"migrationId": name}, name=f"{name}-rollback-again")
        yield RolledBack(
            aws,
            scenario,
            workflow,
            migration,
            rollback,
            again,
            initial,
            migrated,
            after,
            aws.world.calls[first:second],
            aws.world.calls[second:],
            report,
            markdown,
        )


def _reports(workflow: LocalStateMachine, rollback: Execution) -> tuple[dict[str, Any], str]:
    if rollback.status != "SUCCEEDED":
        return {}, ""
    report = json.loads(workflow.read_artifact(rollback.output["reportKey"]))
    return report, workflow.read_artifact(rollback.output["markdownKey"])
