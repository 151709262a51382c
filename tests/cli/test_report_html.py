"""`eum-share report ID --html`: the migration's report.html, with the consumers' handoffs beside it, in a local
folder a browser opens without the network."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli.support import Result, run_captured, seeded, stack_name
from tests.support.report_page import ReportPage, at
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow

MIGRATION = "cli-html"


@dataclass(frozen=True)
class Written:
    chosen: Result  # --html DIR
    default: Result  # --html alone, run in `cwd`
    folder: Path
    cwd: Path
    report: dict[str, Any]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Written]:
    # Given a migration that has ended on a deployed stack
    with OfflineAWS() as aws:
        scenario = seeded(aws)
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            execution = workflow.run(scenario.request(migrationId=MIGRATION), name=MIGRATION)
            assert execution.status == "SUCCEEDED", execution.cause
            report = json.loads(workflow.read_artifact(execution.output["reportKey"]))
            stack = ("--stack-name", stack_name(workflow))
            folder, cwd = tmp_path_factory.mktemp("html") / "pages", tmp_path_factory.mktemp("cwd")
            # When the operator asks for its report.html, into a folder of their choice and into the default one
            chosen = run_captured(*stack, "report", MIGRATION, "--html", str(folder))
            with pytest.MonkeyPatch.context() as monkeypatch:
                monkeypatch.chdir(cwd)
                default = run_captured(*stack, "report", MIGRATION, "--html")
            yield Written(chosen, default, folder, cwd, report)


def test_report_html_is_written_where_asked_and_says_where(written: Written) -> None:
    assert written.chosen.code == 0, written.chosen.err
    assert (
        f"report.html: {written.folder / 'report.html'} (in S3 under migrations/{MIGRATION}/report.html)"
        in written.chosen.out.splitlines()
    )


def test_the_written_page_shows_the_figures_of_the_migrations_report_json(written: Written) -> None:
    page = ReportPage((written.folder / "report.html").read_text())
    assert page.figures["migrationId"] == MIGRATION
    for path, text in page.figures.items():
        if path not in page.values:
            assert text == str(at(written.report, path)), path
    assert page.fetching == []


def test_the_command_names_each_consumers_handoff(written: Written) -> None:
    consumers = [c["account"] for c in written.report["consumers"]]
    printed = [line for line in written.chosen.out.splitlines() if line.startswith("handoff for ")]
    assert [line.split(":", 1)[0] for line in printed] == [f"handoff for {account}" for account in consumers]


def test_without_a_folder_the_page_goes_to_out_and_the_migration_id(written: Written) -> None:
    assert written.default.code == 0, written.default.err
    assert (written.cwd / "out" / MIGRATION / "report.html").is_file()
