"""A check of AcceptInvitations that a storm stops half way is gone on from by the next one: what the consumers'
accounts answered before the storm is not asked again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at


@pytest.fixture(scope="module")
def stopped_half_way() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given AcceptInvitations' first check reading the external consumer's invitations, then meeting every
    # AcceptResourceShareInvitation throttled for longer than its calls wait: the check is busy, and waits
    with migration_throttled_at(
        "AcceptInvitations", "ram:AcceptResourceShareInvitation", name="mig-invitation-storm"
    ) as outcome:
        yield outcome


def test_the_invitation_is_accepted_and_the_migration_succeeds(
    stopped_half_way: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = stopped_half_way
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]


def test_the_next_check_does_not_read_again_what_the_busy_one_read(
    stopped_half_way: tuple[MigrationRun, list[str]],
) -> None:
    run, _ = stopped_half_way
    function = run.workflow.task_functions()["AcceptInvitations"]
    external = run.scenario.external_consumers[0]
    # Then the external consumer's invitations were read once, by the check the storm stopped
    reads = [
        c
        for c in run.calls
        if c.caller == function
        and c.account == external
        and c.operation == "GetResourceShareInvitations"
        and c.error is None
    ]
    assert len(reads) == 1
