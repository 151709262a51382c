"""`eum-share demo`, as a newcomer runs it: a migration on the offline AWS ending with its summary."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from eum_share_cli.main import main

from tests.support.report_page import ReportPage, at


@pytest.fixture(scope="module")
def demo_output(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """One demo run, read by every test of this module (none changes what it left)."""
    folder = tmp_path_factory.mktemp("demo")
    dump = folder / "state.json"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(printed):
        monkeypatch.chdir(folder)
        code = main(["demo", "--identities", "30", "--json", "--dump-state", str(dump)])
    summary: dict[str, object] = json.loads(printed.getvalue().strip().splitlines()[-1])
    return {"code": code, "summary": summary, "dump": json.loads(dump.read_text()), "folder": folder}


def test_the_demo_ends_with_a_json_summary_of_the_migration(demo_output: dict[str, object]) -> None:
    summary = demo_output["summary"]
    assert demo_output["code"] == 0
    assert isinstance(summary, dict)
    assert {"identities", "consumers", "counts", "failed", "repairs", "simulatedSeconds", "reportPath"} <= set(summary)
    assert summary["failed"] == 0


def test_the_demo_writes_the_markdown_report_where_it_says(demo_output: dict[str, object]) -> None:
    summary = demo_output["summary"]
    assert isinstance(summary, dict)
    folder = demo_output["folder"]
    assert isinstance(folder, Path)
    assert (folder / str(summary["reportPath"])).read_text().startswith("# Migration demo-7:")


def test_the_state_dump_holds_the_calls_and_every_planned_identity(demo_output: dict[str, object]) -> None:
    dump = demo_output["dump"]
    assert isinstance(dump, dict)
    assert dump["calls"][0]["operation"] == "StartExecution"
    assert {"t", "account", "service", "operation", "params", "error", "caller"} == set(dump["calls"][0])
    final = dump["final"]
    planned = {i["arn"] for i in final["identities"]}
    assert all(i["policy"] for i in final["identities"])
    for consumer in final["consumers"]:
        assert planned <= set(final["sharedVisible"][consumer])


def test_the_demo_recreates_every_event_destination_in_both_consumers(demo_output: dict[str, object]) -> None:
    # Given the owner's configuration sets and their event destinations, as the offline AWS holds them at the end
    dump = demo_output["dump"]
    assert isinstance(dump, dict)
    final = dump["final"]

    def destinations(account: str) -> set[tuple[str, str]]:
        return {
            (found["ConfigurationSetName"], destination["EventDestinationName"])
            for found in final["configurationSets"][account]
            for destination in found["EventDestinations"]
        }

    owner = destinations(final["owner"])
    assert owner
    # Then each consumer has every one of them, and the report lists none as a manual action
    for consumer in final["consumers"]:
        assert destinations(consumer) == owner, consumer
    folder = demo_output["folder"]
    assert isinstance(folder, Path)
    report = json.loads((folder / "out" / "demo-7" / "report.json").read_text())
    assert [a for a in report["manualActions"] if a["kind"] == "EVENT_DESTINATION"] == []
    for consumer in final["consumers"]:
        created = [i for i in report["configuration"][consumer] if i["kind"] == "EVENT_DESTINATION"]
        assert {i["status"] for i in created} == {"CREATED"}


def test_the_demo_writes_report_html_beside_the_markdown_report(demo_output: dict[str, object]) -> None:
    summary, folder = demo_output["summary"], demo_output["folder"]
    assert isinstance(summary, dict)
    assert isinstance(folder, Path)
    html = folder / str(summary["htmlPath"])
    assert html.parent == (folder / str(summary["reportPath"])).parent
    report = json.loads((html.parent / "report.json").read_text())
    page = ReportPage(html.read_text())
    assert page.figures["migrationId"] == "demo-7"
    assert {path: text for path, text in page.figures.items() if path not in page.values} == {
        path: str(at(report, path)) for path in page.figures if path not in page.values
    }


def test_the_demo_ends_by_saying_where_report_html_and_each_consumers_handoff_are(tmp_path: Path) -> None:
    # Given a newcomer running the demo as `make demo` does, without --json
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as monkeypatch, redirect_stdout(printed):
        monkeypatch.chdir(tmp_path)
        code = main(["demo", "--identities", "8"])
    assert code == 0
    # Then its last lines name report.html, then each consuming account's handoff
    lines = printed.getvalue().splitlines()
    report = json.loads((tmp_path / "out" / "demo-7" / "report.json").read_text())
    consumers = [c["account"] for c in report["consumers"]]
    assert (
        lines[-len(consumers) - 1] == "report.html: out/demo-7/report.html (in S3 under migrations/demo-7/report.html)"
    )
    handoffs = lines[-len(consumers) :]
    assert [line.split(": ", 1)[0] for line in handoffs] == [f"handoff for {a}" for a in consumers]
    for line, account in zip(handoffs, consumers, strict=True):
        assert f"in S3 under migrations/demo-7/handoff/{account}.md" in line
