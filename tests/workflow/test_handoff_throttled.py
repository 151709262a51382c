"""AWS busy while the Report step reads the consuming accounts for their handoffs: the step waits and runs again,
and the migration succeeds with every handoff written. AWS busy is a wait, never a failure."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.handoff import handoff_of, usable_in_the_twin
from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at


@pytest.fixture(scope="module")
def throttled() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given End User Messaging throttles every DescribeSpendLimits call the first time Report runs
    with migration_throttled_at("Report", "sms-voice:DescribeSpendLimits", name="mig-handoff-busy") as outcome:
        yield outcome


def test_the_report_step_waits_out_a_throttled_consumer_read_and_succeeds(
    throttled: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = throttled
    # Then Report ran again once AWS was calm, and the migration succeeded
    assert runs == ["throttled", "calm"]
    assert run.execution.status == "SUCCEEDED", run.execution.cause


def test_every_consumer_gets_its_handoff_after_the_wait(throttled: tuple[MigrationRun, list[str]]) -> None:
    run, _ = throttled
    for account in run.scenario.consumers:
        handoff = handoff_of(run, account)
        assert handoff["spendLimits"]
        assert {row["arn"]: row["name"] for row in handoff["identities"]} == usable_in_the_twin(run, account)
