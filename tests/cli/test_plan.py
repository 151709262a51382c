"""`eum-share plan`: the request as a dry run, followed to its report, with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.cli.support import FAST, Result, run_captured, seeded, stack_name, write_request
from tests.support.migration import mutating_calls
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow
from twin.world import CallRecord

MIGRATION = "cli-plan"


@dataclass(frozen=True)
class Planned:
    plan: Result
    calls: list[CallRecord]
    status_of_request_id: Result


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Planned]:
    # Given a deployed stack and a request for a seeded owner
    with OfflineAWS() as aws:
        scenario = seeded(aws)
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            path = write_request(tmp_path_factory.mktemp("plan"), scenario.request(migrationId=MIGRATION))
            stack = ("--stack-name", stack_name(workflow))
            first_call = len(aws.world.calls)
            # When the operator plans it
            plan = run_captured(*stack, "plan", "--input", str(path), *FAST)
            calls = aws.world.calls[first_call:]
            yield Planned(plan, calls, run_captured(*stack, "status", MIGRATION))


def test_plan_prints_the_dry_run_report(planned: Planned) -> None:
    # Then it succeeds and prints the report of a dry run under the plan's own ID
    assert planned.plan.code == 0, planned.plan.err
    assert f"# Migration {MIGRATION}-plan-" in planned.plan.out
    assert ": DRY_RUN" in planned.plan.out


def test_plan_changes_nothing_in_any_account(planned: Planned) -> None:
    # Then no account being migrated was changed
    assert mutating_calls(planned.calls) == []


def test_plan_leaves_the_requests_migration_id_free_for_start(planned: Planned) -> None:
    # Then the request's own migrationId is not in the ledger: starting it later is not a conflict
    assert planned.status_of_request_id.code == 1
    assert f"no migration '{MIGRATION}'" in planned.status_of_request_id.err
