"""`eum-share demo`, as a newcomer runs it: a migration on the offline AWS ending with its summary."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from eum_share_cli.main import main


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
