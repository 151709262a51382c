"""A quarter of an hour in which AWS throttles every call to every service the orchestrator calls, while a state
runs (the checks before anything changes, the inventory, the share taking its principals, the consumers accepting,
the batches, the final check): the migration waits it out and succeeds. AWS busy is a wait, never a failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from tests.support.throttled import storm_from
from twin.inspect import state_dump
from twin.runner import local_migration_workflow

STORM_SECONDS = 15 * 60.0
# The run of each state the storm starts at: the first, the second of AdvanceBatches (a batch in flight).
STORMS = {
    "Preflight": 1,
    "Inventory": 1,
    "EnsureShareWithPrincipals": 1,
    "AcceptInvitations": 1,
    "AdvanceBatches": 2,
    "VerifyFromConsumers": 1,
}


@pytest.fixture(scope="module", params=sorted(STORMS))
def run(request: pytest.FixtureRequest) -> Iterator[tuple[MigrationRun, list[float]]]:
    state = request.param
    with (
        seeded_organization(30, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        started = storm_from(aws, workflow, state, STORMS[state], STORM_SECONDS)
        first_call = len(aws.world.calls)
        execution = workflow.run(scenario.request(), name=f"mig-storm-{state.lower()}")
        yield MigrationRun(aws, scenario, workflow, execution, first_call), started


def test_the_storm_lasted_a_quarter_of_an_hour_while_the_state_ran(run: tuple[MigrationRun, list[float]]) -> None:
    migration, started = run
    # Given the storm started while the state ran, and AWS refused calls through it
    assert started
    assert migration.aws.world.faults.injected.get("throttle", 0) > 0
    # Then the migration outlasted it
    assert migration.aws.world.clock.now() > started[0] + STORM_SECONDS


def test_the_migration_waits_the_storm_out_and_succeeds(run: tuple[MigrationRun, list[float]]) -> None:
    migration, _ = run
    assert migration.execution.status == "SUCCEEDED", migration.execution.cause


def test_every_identity_is_usable_by_every_consumer_after_the_storm(run: tuple[MigrationRun, list[float]]) -> None:
    migration, _ = run
    dump = state_dump(migration.aws)
    for line in migration.report["identities"]:
        assert line["status"] in ("VERIFIED", "REPAIRED"), line
        for consumer in migration.scenario.consumers:
            assert line["arn"] in dump["accounts"][consumer]["us-east-1"]["sharedVisible"], (consumer, line)


def test_the_report_names_the_throttles_aws_answered_per_action(run: tuple[MigrationRun, list[float]]) -> None:
    migration, _ = run
    # Given the RAM and End User Messaging calls of the functions that AWS throttled through the storm (the call log
    # of the offline AWS; the pacing counts those: Step Functions' own Lambda invokes and the ledger's are not its)
    throttled = [
        c
        for c in migration.aws.world.calls[migration.first_call :]
        if c.error == "ThrottlingException" and c.caller is not None and c.service in ("ram", "sms-voice")
    ]
    # Then the report counts throttles per action, for actions AWS did throttle, no more than it did, and names
    # some whenever AWS throttled any
    seen = migration.report["throttles"]
    actions = {c.operation for c in throttled}
    assert all(action.removeprefix("ram:").split(":")[0] in actions for action in seen), (seen, actions)
    assert sum(seen.values()) <= len(throttled)
    assert bool(seen) == bool(throttled), (seen, len(throttled))
