"""A consuming account that can no longer be read from inside when the migration reports (its role stopped
trusting the orchestrator): the migration still succeeds, and that account's handoff says why it lacks the view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest

from tests.support.handoff import handoff_of
from tests.support.migration import MigrationRun, seeded_organization
from tests.support.untrusting import STRANGER
from twin.runner import local_migration_workflow
from twin.seed import role_trust


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with (
        seeded_organization(12, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        # Given the first consumer's role trusts nobody by the time Report runs
        name = workflow.task_functions()["Report"]
        function = aws.lambdas.functions[name]
        locked = scenario.consumers[0]

        def report(event: dict[str, Any], context: Any) -> Any:
            # The sessions the functions hold last an hour: past them, the next use of the role assumes it.
            role, _ = role_trust(aws, "ConsumerRole", locked)
            aws.clock.advance(3600.0)
            with aws.observing():
                aws.client("iam", account=locked).update_assume_role_policy(
                    RoleName=role, PolicyDocument=json.dumps(STRANGER)
                )
            return function.handler(event, context)

        aws.lambdas.register(name, replace(function, handler=report))
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(), name="mig-handoff-locked")
        yield MigrationRun(aws, scenario, workflow, execution, first_call)


def test_the_migration_succeeds_though_a_consumer_cannot_be_read_at_the_end(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_that_consumers_handoff_says_why_it_lacks_the_accounts_view(run: MigrationRun) -> None:
    handoff = handoff_of(run, run.scenario.consumers[0])
    assert "AccessDenied" in handoff["unreadable"]
    assert "accountTier" not in handoff
    assert handoff["identities"]


def test_the_other_consumer_is_read_as_usual(run: MigrationRun) -> None:
    handoff = handoff_of(run, run.scenario.consumers[1])
    assert "unreadable" not in handoff
    assert handoff["accountTier"] == "PRODUCTION"
