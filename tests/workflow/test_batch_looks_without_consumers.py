"""With no consumer named in the request, nothing proves from the consuming side that a batch is associated: RAM's
own word settles each batch."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from twin.runner import local_migration_workflow


@pytest.fixture(scope="module")
def run_without_consumers() -> Iterator[MigrationRun]:
    # Given a request that shares with two accounts of the organization but names no consumer to check from, and
    # RAM failing some associations
    with (
        seeded_organization(20, 2, 0, {"fail_rate": 0.3}, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(consumers=[]), name="mig-looks-2")
        yield MigrationRun(aws, scenario, workflow, execution, first_call)


def test_with_no_consumer_to_ask_every_identity_is_still_verified(run_without_consumers: MigrationRun) -> None:
    # When it runs / Then every identity is verified or repaired
    run = run_without_consumers
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert (run.execution.output["outcome"], run.execution.output["failed"]) == ("SUCCEEDED", 0)


def test_with_no_consumer_rams_word_says_why_an_identity_was_repaired(
    run_without_consumers: MigrationRun,
) -> None:
    # Then each repair's cause is RAM's FAILED association, read before anything took the batch as associated
    causes = [r["cause"] for i in run_without_consumers.report["identities"] for r in i["repairs"]]
    assert causes
    assert [c for c in causes if not c.startswith("association FAILED")] == []
