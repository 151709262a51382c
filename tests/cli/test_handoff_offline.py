"""`eum-share --offline handoff ID`: the handoffs read from the copies `eum-share demo` leaves in out/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.support import run_captured


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    # Given a demo run, which leaves its report and handoffs in out/
    folder = tmp_path_factory.mktemp("demo-handoff")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(folder)
        assert run_captured("demo", "--identities", "12", "--json").code == 0
        yield folder


def test_offline_the_handoff_is_read_from_what_the_demo_wrote(demo_folder: Path) -> None:
    # When the handoff is printed offline
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(demo_folder)
        result = run_captured("--offline", "handoff", "demo-7", "--format", "json")
    # Then every consumer's handoff is there, as the demo wrote it
    assert result.code == 0, result.err
    handoffs = json.loads(result.out)
    written = sorted((demo_folder / "out" / "demo-7" / "handoff").glob("*.json"))
    assert [h["account"] for h in handoffs] == [path.stem for path in written]
    assert all(h["identities"] for h in handoffs)


def test_offline_without_a_demo_run_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(tmp_path)
        result = run_captured("--offline", "handoff", "demo-7")
    assert result.code == 1
    assert "no handoff of migration demo-7 in out/demo-7/handoff" in result.err
