"""A quarter of an hour in which AWS throttles every call to every service while a rollback takes the
identities back: the rollback waits it out, succeeds, and every account ends as it was before the migration."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.migration import seeded_organization
from tests.support.rollback import resting_state
from tests.support.throttled import storm_from
from twin.offline import OfflineAWS
from twin.runner import Execution, local_migration_workflow

STORM_SECONDS = 15 * 60.0
NAME = "mig-rollback-storm"


@dataclass
class StormyRollback:
    aws: OfflineAWS
    rollback: Execution
    started: list[float]
    before: dict[str, Any]
    after: dict[str, Any]


@pytest.fixture(scope="module")
def run() -> Iterator[StormyRollback]:
    with (
        seeded_organization(24, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        before = resting_state(aws, scenario)
        migration = workflow.run(scenario.request(migrationId=NAME), name=NAME)
        assert migration.status == "SUCCEEDED", migration.cause
        started = storm_from(aws, workflow.rollback, "UndoSharing", 1, STORM_SECONDS)
        rollback = workflow.rollback.run({"migrationId": NAME}, name=f"{NAME}-rollback")
        yield StormyRollback(aws, rollback, started, before, resting_state(aws, scenario))


def test_the_storm_lasted_a_quarter_of_an_hour_while_the_rollback_ran(run: StormyRollback) -> None:
    assert run.started
    assert run.aws.world.faults.injected.get("throttle", 0) > 0
    assert run.aws.world.clock.now() > run.started[0] + STORM_SECONDS


def test_the_rollback_waits_the_storm_out_and_every_account_is_as_before(run: StormyRollback) -> None:
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    assert run.after == run.before
