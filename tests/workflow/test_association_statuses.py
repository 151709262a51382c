"""How the batch loop reads RAM's associations: by the statuses RAM documents (ResourceShareAssociationStatus in
botocore's model), with a resource not listed yet still settling, FAILED repaired with RAM's statusMessage, and a
suspended association FAILED at once with what to do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from twin.offline import OfflineAWS
from twin.seed import Scenario
from twin.world import CallRecord

INTERNAL_ERROR = "The resource could not be associated because of an internal error."  # the twin's statusMessage


def _first_page_of_resource_associations(call: CallRecord) -> bool:
    return (
        call.operation == "GetResourceShareAssociations"
        and call.params.get("associationType") == "RESOURCE"
        and "nextToken" not in call.params
    )


def _lines(run: MigrationRun) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = run.report["identities"]
    return lines


@pytest.fixture
def lagging() -> Iterator[MigrationRun]:
    # RAM lists an association only 10 s after it was made; an association itself takes the usual 2 s.
    with migration_run(identities=20, faults={"association_listing_lag_seconds": 10.0}, name="mig-lag") as run:
        yield run


def test_a_resource_ram_does_not_list_yet_settles_later_and_is_not_repaired(lagging: MigrationRun) -> None:
    # Given RAM's lists lagging its writes (the fault was really met) / Then every identity is VERIFIED, none repaired
    assert lagging.aws.world.faults.injected.get("unlisted-association", 0) > 0
    assert lagging.execution.status == "SUCCEEDED", lagging.execution.cause
    assert {line["status"] for line in _lines(lagging)} == {"VERIFIED"}
    assert not [c for c in lagging.calls if c.operation == "DisassociateResourceShare"]


@pytest.fixture
def failing() -> Iterator[MigrationRun]:
    with migration_run(identities=20, faults={"seed": 3, "fail_rate": 0.3}, name="mig-failed-associations") as run:
        yield run


def test_a_failed_association_is_repaired_with_rams_status_message_as_its_cause(failing: MigrationRun) -> None:
    # Given associations RAM reports FAILED with a statusMessage
    assert failing.aws.world.faults.injected.get("association-failed", 0) > 0
    repaired = [line for line in _lines(failing) if line["repairs"]]
    assert repaired
    # Then each repair's first cause is RAM's status and message, as GetResourceShareAssociations gave them
    for line in repaired:
        assert line["repairs"][0]["cause"] == f"association FAILED: {INTERNAL_ERROR}", line


def _run_after_its_association(
    action: Callable[[OfflineAWS, Scenario, str, str], None],
) -> Iterator[tuple[MigrationRun, str]]:
    """A migration during which `action(aws, scenario, share, number)` happens to a number (in no pool) right after
    the call that associated its batch."""
    number: dict[str, str] = {}

    def before(aws: OfflineAWS, scenario: Scenario) -> None:
        pooled = {member for members in scenario.pool_members.values() for member in members}
        arn = number["arn"] = next(arn for arn in scenario.phone_numbers if arn not in pooled)
        share: dict[str, str] = {}

        def batch_with_the_number(params: dict[str, Any]) -> bool:
            share["arn"] = params["resourceShareArn"]
            return arn in params.get("resourceArns", [])

        aws.world.after_call(
            "ram",
            "AssociateResourceShare",
            lambda: action(aws, scenario, share["arn"], arn),
            when=batch_with_the_number,
        )

    with migration_run(identities=20, before=before, name="mig-changed-association") as run:
        yield run, number["arn"]


def _taken_out_by_hand(aws: OfflineAWS, scenario: Scenario, share: str, number: str) -> None:
    ram = aws.client("ram", account=scenario.owner)
    ram.disassociate_resource_share(resourceShareArn=share, resourceArns=[number])


@pytest.fixture
def taken_out() -> Iterator[tuple[MigrationRun, str]]:
    yield from _run_after_its_association(_taken_out_by_hand)


def test_a_resource_taken_out_of_the_share_while_it_associates_is_repaired_with_that_cause(
    taken_out: tuple[MigrationRun, str],
) -> None:
    run, number = taken_out
    # Given someone took the number out of the share while its batch associated
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    (line,) = [line for line in _lines(run) if line["arn"] == number]
    # Then it is repaired (associated again), the repair's cause saying what RAM showed
    assert line["status"] == "REPAIRED"
    assert "taken out of the share" in line["repairs"][0]["cause"], line


def _suspended_by_ram(aws: OfflineAWS, scenario: Scenario, share: str, number: str) -> None:
    aws.ram.suspend_resource(scenario.owner, scenario.region, share, number)


@pytest.fixture
def suspended() -> Iterator[tuple[MigrationRun, str]]:
    yield from _run_after_its_association(_suspended_by_ram)


def test_a_suspended_association_ends_failed_with_what_to_do_at_the_first_look(
    suspended: tuple[MigrationRun, str],
) -> None:
    run, number = suspended
    # Given RAM suspended one number's association while its batch associated
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    (line,) = [line for line in _lines(run) if line["arn"] == number]
    # Then it is FAILED, not repaired, and its reason names the status and what the user can do
    assert (line["status"], line["repairs"]) == ("FAILED", [])
    assert "SUSPEND" in line["reason"]
    assert "AWS Support" in line["reason"]
    # At once: one or two looks at its batch, not one per poll up to the check limit
    calls = run.calls
    start = next(
        i for i, c in enumerate(calls) if c.operation == "AssociateResourceShare" and number in c.params["resourceArns"]
    )
    end = next((i for i, c in enumerate(calls) if i > start and c.operation == "AssociateResourceShare"), len(calls))
    assert sum(1 for c in calls[start:end] if _first_page_of_resource_associations(c)) <= 2
    assert not [c for c in run.calls if c.operation == "DisassociateResourceShare"]
    # And every other identity is shared as usual
    assert {other["status"] for other in _lines(run) if other["arn"] != number} == {"VERIFIED"}
