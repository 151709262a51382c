"""The probe's destination opted out in the identity's opt-out list: reported for each consumer, never repaired."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.support.refusals import US_SIMULATOR, consumer_problems, disassociated, identity_line
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _opted_out(aws: OfflineAWS, scenario: Scenario) -> None:
    [optouts] = scenario.opt_out_lists
    aws.sms.add_opted_out_number(scenario.owner, scenario.region, optouts.rsplit("/", 1)[-1], US_SIMULATOR)


@pytest.fixture(scope="module")
def opted_out() -> Iterator[MigrationRun]:
    def selection(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": [scenario.phone_numbers[0]]}

    with migration_run(identities=8, before=_opted_out, name="mig-opted-out-1", resources=selection) as outcome:
        yield outcome


def test_an_opted_out_destination_is_reported_for_each_consumer_and_not_repaired(opted_out: MigrationRun) -> None:
    # Given a number whose opt-out list holds the probe's destination / When it is migrated
    number = opted_out.scenario.phone_numbers[0]
    # Then it is verified and left in the share, and each consumer's report line says why the probe was refused
    assert opted_out.execution.output["outcome"] == "SUCCEEDED"
    assert identity_line(opted_out, number)["status"] == "VERIFIED"
    assert not disassociated(opted_out, number)
    for consumer in opted_out.scenario.consumers:
        [problem] = consumer_problems(opted_out, consumer)
        assert (problem["identity"], problem["destination"]) == (number, US_SIMULATOR)
        assert "DESTINATION_PHONE_NUMBER_OPTED_OUT" in problem["problem"]
        assert "opt-out list" in problem["action"]
