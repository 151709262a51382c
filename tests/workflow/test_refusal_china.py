"""A consumer without its own China allowlisting: the migration succeeds, the identity stays shared, and the
report tells that consumer what to do."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.china import china_arn, china_sender
from tests.support.migration import MigrationRun, migration_run
from tests.support.refusals import consumer_problems, identity_line, shared_with
from twin.seed import Scenario


@pytest.fixture(scope="module")
def china() -> Iterator[MigrationRun]:
    def selection(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": [china_arn(scenario), scenario.phone_numbers[0]]}

    with migration_run(identities=8, before=china_sender, name="mig-china-1", resources=selection) as outcome:
        yield outcome


def test_a_consumer_without_china_allowlisting_leaves_the_migration_succeeded(china: MigrationRun) -> None:
    # Given a China sender ID and a consumer not allowed to send to China / When it is migrated
    # Then the migration succeeds with the sender ID verified and shared with both consumers
    assert china.execution.status == "SUCCEEDED", china.execution.cause
    assert china.execution.output["outcome"] == "SUCCEEDED"
    arn = china_arn(china.scenario)
    assert identity_line(china, arn)["status"] == "VERIFIED"
    assert all(shared_with(china, consumer, arn) for consumer in china.scenario.consumers)


def test_the_report_names_the_consumer_without_china_allowlisting_and_its_action(china: MigrationRun) -> None:
    allowed, refused = china.scenario.consumers
    arn = china_arn(china.scenario)
    [problem] = consumer_problems(china, refused)
    assert (problem["identity"], problem["destination"]) == (arn, "+8613000000000")
    assert "DESTINATION_COUNTRY_BLOCKED" in problem["problem"]
    assert "AWS Support" in problem["action"]
    assert consumer_problems(china, allowed) == []
    row = next(line for line in china.markdown.splitlines() if line.startswith(f"| {refused} |"))
    assert "DESTINATION_COUNTRY_BLOCKED" in row
    assert problem["action"] in row
    assert arn in row


def test_the_report_counts_thechina_sender_as_not_usable_by_that_consumer_only(china: MigrationRun) -> None:
    # Given two identities shared with both consumers, of which one refused: the China sender ID for one consumer
    allowed, refused = china.scenario.consumers
    arn = china_arn(china.scenario)
    lines = {c["account"]: c for c in china.report["consumers"]}
    # Then the refused consumer can use one of the two, and its report line names the other with why and what to do
    assert (lines[refused]["usable"], lines[refused]["shared"]) == (1, 2)
    [unusable] = lines[refused]["notUsable"]
    assert unusable["identity"] == arn
    assert "DESTINATION_COUNTRY_BLOCKED" in unusable["reason"]
    assert "AWS Support" in unusable["action"]
    assert (lines[allowed]["usable"], lines[allowed]["shared"], lines[allowed]["notUsable"]) == (2, 2, [])
    assert f"- {refused}: 1 of 2 identities usable from inside the account" in china.markdown


def test_a_consumer_without_china_allowlisting_takes_nothing_out_of_the_share(china: MigrationRun) -> None:
    assert not any(c.operation == "DisassociateResourceShare" for c in china.calls)
    assert identity_line(china, china_arn(china.scenario))["repairs"] == []
