"""`eum-share handoff ID`: each consuming account's handoff, printed from the stack's artifact bucket."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.cli.support import Result, run_captured, seeded, stack_name
from tests.support.handoff import usable_in_the_twin
from tests.support.migration import MigrationRun
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow

MIGRATION = "cli-handoff"


@dataclass(frozen=True)
class Printed:
    run: MigrationRun
    json_one: Result
    markdown_all: Result
    csv_all: Result
    json_all: Result
    unknown_consumer: Result


@pytest.fixture(scope="module")
def printed() -> Iterator[Printed]:
    # Given a finished migration with two consumers
    with OfflineAWS() as aws:
        scenario = seeded(aws)
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            execution = workflow.run(scenario.request(migrationId=MIGRATION), name=MIGRATION)
            assert execution.status == "SUCCEEDED", execution.cause
            stack = ("--stack-name", stack_name(workflow))
            first = scenario.consumers[0]
            # When the operator prints the handoffs
            yield Printed(
                run=MigrationRun(aws, scenario, workflow, execution, 0),
                json_one=run_captured(*stack, "handoff", MIGRATION, "--consumer", first, "--format", "json"),
                markdown_all=run_captured(*stack, "handoff", MIGRATION),
                csv_all=run_captured(*stack, "handoff", MIGRATION, "--format", "csv"),
                json_all=run_captured(*stack, "handoff", MIGRATION, "--format", "json"),
                unknown_consumer=run_captured(*stack, "handoff", MIGRATION, "--consumer", "999999999999"),
            )


def test_one_consumers_handoff_lists_what_it_can_send_with(printed: Printed) -> None:
    # Then the JSON of one consumer names exactly the identities it can use, by full ARN and name
    assert printed.json_one.code == 0, printed.json_one.err
    account = printed.run.scenario.consumers[0]
    handoff = json.loads(printed.json_one.out)
    assert handoff["account"] == account
    assert {row["arn"]: row["name"] for row in handoff["identities"]} == usable_in_the_twin(printed.run, account)


def test_without_consumer_the_markdown_has_a_section_per_consumer(printed: Printed) -> None:
    assert printed.markdown_all.code == 0, printed.markdown_all.err
    for account in printed.run.scenario.consumers:
        assert f"# Handoff: account {account}" in printed.markdown_all.out


def test_without_consumer_the_csv_is_one_table_with_every_consumers_rows(printed: Printed) -> None:
    rows = list(csv.DictReader(io.StringIO(printed.csv_all.out)))
    handoffs = json.loads(printed.json_all.out)
    assert len(rows) == sum(len(h["identities"]) + len(h["notUsable"]) for h in handoffs)
    assert {row["account"] for row in rows} == set(printed.run.scenario.consumers)


def test_an_account_that_is_not_a_consumer_is_refused_naming_the_option(printed: Printed) -> None:
    assert printed.unknown_consumer.code == 2
    assert "--consumer: 999999999999 is not a consuming account" in printed.unknown_consumer.err
    assert printed.unknown_consumer.out == ""
