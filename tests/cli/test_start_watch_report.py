"""A migration started, followed and reported from the command line, as an operator runs it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.cli.support import FAST, Result, run_captured, seeded, stack_name, write_request
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow

MIGRATION = "cli-journey"


@dataclass(frozen=True)
class Journey:
    start: Result
    watch: Result
    report: Result
    status: Result
    bucket: str


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journey]:
    # Given a deployed stack and a request for a seeded owner
    with OfflineAWS() as aws:
        scenario = seeded(aws)
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            path = write_request(tmp_path_factory.mktemp("journey"), scenario.request(migrationId=MIGRATION))
            stack = ("--stack-name", stack_name(workflow))
            # When the operator starts it, watches it to the end, then asks for the report and the status
            yield Journey(
                start=run_captured(*stack, "start", "--input", str(path)),
                watch=run_captured(*stack, "watch", MIGRATION, *FAST),
                report=run_captured(*stack, "report", MIGRATION),
                status=run_captured(*stack, "status", MIGRATION, "--json"),
                bucket=workflow.resource_name("ArtifactBucket"),
            )


def test_start_prints_the_migration_the_execution_and_what_to_run_next(journey: Journey) -> None:
    # Then start names the migration, its execution (the ID and a UTC time) and the commands that follow it
    assert journey.start.code == 0, journey.start.err
    assert f"migration {MIGRATION} started" in journey.start.out
    assert f":execution:eum-share-local-migration:{MIGRATION}-" in journey.start.out
    assert f"watch {MIGRATION}" in journey.start.out
    assert f"report {MIGRATION}" in journey.start.out


def test_watch_follows_the_migration_until_it_succeeds(journey: Journey) -> None:
    # Then watch ends with the summary of a succeeded migration, exit 0
    assert journey.watch.code == 0, journey.watch.err
    assert f"migration {MIGRATION}: SUCCEEDED (phase DONE)" in journey.watch.out


def test_watch_prints_a_batch_bar_only_when_it_changes(journey: Journey) -> None:
    # Then, off a terminal, each batch bar line is printed once
    bars = [line for line in journey.watch.out.splitlines() if "batches verified" in line]
    assert bars
    assert len(bars) == len(set(bars))


def test_report_prints_the_markdown_report(journey: Journey) -> None:
    # Then report prints the Markdown report of the succeeded migration
    assert journey.report.code == 0, journey.report.err
    assert journey.report.out.startswith(f"# Migration {MIGRATION}: SUCCEEDED")


def test_status_says_every_identity_is_done_and_where_the_report_is(journey: Journey) -> None:
    # Then status, as JSON, is complete and points at the report in S3
    status = json.loads(journey.status.out)
    assert (status["status"], status["percentDone"]) == ("SUCCEEDED", 100.0)
    assert set(status["counts"]) == {"VERIFIED"}
    assert status["reportUri"] == f"s3://{journey.bucket}/migrations/{MIGRATION}/report.md"
