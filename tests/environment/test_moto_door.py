"""moto behind one door: its private modules are imported in twin/moto_compat.py only, and a moto the twin was not
tested with stops the twin at import with one line that says what to do."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.environment.lock import ROOT
from twin.moto_compat import SUPPORTED_MOTO

DOOR = ROOT / "twin" / "moto_compat.py"
SOURCES = ("twin", "functions", "cli", "benchmarks", "tests")


def _fake_moto(folder: Path, version: str) -> Path:
    """A folder that, put first on sys.path, makes importlib.metadata see moto at `version`."""
    info = folder / f"moto-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: moto\nVersion: {version}\n")
    return folder


def _import_twin(pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import twin.offline"],
        cwd=ROOT,
        env={"PYTHONPATH": f"{pythonpath}:{ROOT}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_an_unsupported_moto_stops_the_twin_with_one_line_saying_what_to_do(tmp_path: Path) -> None:
    # Given a moto other than the supported ones installed where the twin runs
    folder = _fake_moto(tmp_path, "5.2.99")
    # When the twin is imported
    completed = _import_twin(folder)
    # Then it stops with one line naming both versions and the fix, and no traceback
    assert completed.returncode == 1
    assert completed.stderr.splitlines() == [
        f"eum-share's offline AWS needs moto {' or '.join(SUPPORTED_MOTO)}, but moto 5.2.99 is installed; "
        "run `make install` to install the locked versions (uv.lock)."
    ]


def test_the_locked_moto_is_a_supported_one() -> None:
    # Given uv.lock's moto, installed here
    from importlib import metadata

    # Then the twin supports it
    assert metadata.version("moto") in SUPPORTED_MOTO


@pytest.mark.parametrize("source", SOURCES)
def test_nothing_but_the_door_imports_from_moto(source: str) -> None:
    # Given every Python file of the project but the door
    files = [path for path in (ROOT / source).rglob("*.py") if path != DOOR]
    # When their imports are read
    imports = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in files
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if (isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto")
        or (isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "moto" for alias in node.names))
    ]
    # Then none imports moto or any of its modules
    assert imports == []
