"""A dry run plans everything, reports it, and changes nothing in any account."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run, mutating_calls
from tests.support.report_page import ReportPage


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    with migration_run(identities=30, name="mig-dry-1", options={"dryRun": True, "pollSeconds": 5}) as outcome:
        yield outcome


def test_a_dry_run_succeeds_as_a_dry_run(run: MigrationRun) -> None:
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert run.execution.output["outcome"] == "DRY_RUN"


def test_a_dry_run_makes_no_mutating_call_in_any_account(run: MigrationRun) -> None:
    assert mutating_calls(run.calls) == []


def test_the_report_holds_the_plan(run: MigrationRun) -> None:
    report = run.report
    assert report["batches"] >= 3
    assert {line["status"] for line in report["identities"]} == {"PLANNED"}
    assert len(report["identities"]) == len(run.scenario.identities) + 1  # and the implicit Default opt-out list


def test_the_report_says_what_configuration_would_be_created(run: MigrationRun) -> None:
    for consumer in run.scenario.consumers:
        items = run.report["configuration"][consumer]
        assert any(item["detail"].startswith("dry run") for item in items)


def test_a_dry_runs_report_html_draws_no_batch_and_says_why_it_gives_no_floor(run: MigrationRun) -> None:
    html = run.workflow.read_artifact(run.execution.output["reportKey"].replace("report.json", "report.html"))
    page = ReportPage(html)
    assert page.figures["outcome"] == "DRY_RUN"
    assert page.parts["g.batch"] == 0
    assert "Floor: not computed: RAM&#39;s association time was not measured" in html
