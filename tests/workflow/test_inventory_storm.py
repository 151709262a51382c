"""A throttling storm of two hours in the middle of the inventory, far longer than one Lambda invocation and than the
ASL's Retry would wait: the inventory saves what it read, waits in its Wait state, and goes on from there."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest

from tests.support.migration import MigrationRun, seeded_organization
from twin.faults import FAKED_SERVICES
from twin.runner import local_migration_workflow
from twin.world import CallRecord

STORM_SECONDS = 2 * 3600.0


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with (
        seeded_organization(60, 2, 1, None, None) as (aws, scenario),
        local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow,
    ):
        assert len(scenario.pools) >= 3

        def storm() -> None:
            now = aws.world.clock.now()
            aws.world.faults.config = replace(
                aws.world.faults.config,
                throttle_bursts=((now, now + STORM_SECONDS),),
                throttled_services=FAKED_SERVICES,
            )

        # Given every RAM and End User Messaging call throttled for two hours from the second pool's member listing
        aws.world.after_call("sms-voice", "ListPoolOriginationIdentities", storm, nth=2)
        first_call = len(aws.world.calls)
        # When the migration runs through it
        execution = workflow.run(scenario.request(), name="mig-inventory-storm")
        yield MigrationRun(aws, scenario, workflow, execution, first_call)


def test_the_migration_waits_the_storm_out_and_succeeds(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert run.aws.world.clock.now() > STORM_SECONDS


def _by_inventory(call: CallRecord) -> bool:
    return call.caller is not None and "Inventory" in call.caller


def test_the_inventory_goes_on_from_what_it_read_instead_of_reading_everything_again(run: MigrationRun) -> None:
    # Then each page of each pool's members was read once, before or after the storm; the owner's phone numbers,
    # whose pages were being read in turns with the pools' members when the storm came, from their first page
    # again at most once (a listing is kept once read whole)
    listed = Counter(
        (c.params["PoolId"], c.params.get("NextToken"))
        for c in run.calls
        if c.operation == "ListPoolOriginationIdentities" and c.error is None and _by_inventory(c)
    )
    assert set(listed.values()) == {1}
    assert len({pool for pool, _ in listed}) == len(run.scenario.pools)
    numbers = Counter(
        c.params.get("NextToken")
        for c in run.calls
        if c.operation == "DescribePhoneNumbers" and c.error is None and _by_inventory(c)
    )
    assert set(numbers.values()) <= {1, 2}


def test_the_inventory_waited_in_its_wait_state(run: MigrationRun) -> None:
    entered = [
        event["stateEnteredEventDetails"]["name"]
        for event in run.workflow.history(run.execution.arn)
        if event["type"].endswith("StateEntered")
    ]
    assert entered.count("WaitForInventory") >= 2
    assert entered.index("PlanBatches") > max(i for i, name in enumerate(entered) if name == "Inventory")


def test_every_identity_is_verified(run: MigrationRun) -> None:
    assert all(line["status"] in ("VERIFIED", "REPAIRED") for line in run.report["identities"])
