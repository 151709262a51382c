"""The built stack: `sam build` when .aws-sam/build is missing or older than its sources, and every built function
invoked once with its sample event, in its own process (tests/stack/built_handler.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.stack.artifacts import (
    BUILD_DIR,
    ROOT,
    Function,
    build_is_stale,
    host_builds,
    one_process_at_a_time,
    sam_build,
    template_functions,
)

INVOKER = Path(__file__).resolve().parent / "built_handler.py"
EVENTS = ROOT / "events"
# A guard against a hung process, not a measurement: a function invocation takes seconds.
PROCESS_TIMEOUT_SECONDS = 600

Invocation = dict[str, Any]


@pytest.fixture(scope="session")
def functions() -> dict[str, Function]:
    return template_functions()


@pytest.fixture(scope="session")
def built(functions: dict[str, Function]) -> dict[str, Function]:
    """The template's functions, built: `sam build` runs first unless .aws-sam/build is up to date."""
    with one_process_at_a_time("build"):
        if build_is_stale():
            sam_build()
    return functions


@pytest.fixture(scope="session")
def invocations(built: dict[str, Function], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Invocation]:
    """What each built function did with its sample event, by logical ID."""
    with one_process_at_a_time("host-builds"):
        overlays = [str(folder) for folder in host_builds(built)]
    results = tmp_path_factory.mktemp("invocations")

    def invoke(function: Function) -> tuple[str, Invocation]:
        return function.logical_id, _invoke(function, overlays, results / f"{function.logical_id}.json")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(invoke, built.values()))


def _invoke(function: Function, overlays: list[str], result: Path) -> Invocation:
    event = EVENTS / f"{function.event_name}.json"
    command = [sys.executable, str(INVOKER), str(BUILD_DIR), function.logical_id, str(event), str(result), *overlays]
    # No bytecode is written into the artifacts: they are what `sam deploy` uploads.
    env = os.environ | {"PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("MOTO_ACCOUNT_ID", None)
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_SECONDS, check=False
    )
    if completed.returncode != 0 or not result.exists():
        return {"outcome": "crashed", "returncode": completed.returncode, "stderr": completed.stderr[-4000:]}
    invocation: Invocation = json.loads(result.read_text())
    return invocation
