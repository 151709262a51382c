"""Running `eum-share` in-process against the offline AWS, and the requests the CLI tests start."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

from eum_share_cli.main import main

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario, seed

FAST = ("--interval", "0.02")  # wall seconds between ledger reads; the workflow itself waits in simulated time
GATED = {"requireApproval": True, "approvalTimeoutSeconds": 3600}


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


# The `eum_share` fixture: `eum-share --stack-name <the offline stack> argv...`.
EumShare = Callable[..., Result]


def stack_name(workflow: LocalStateMachine) -> str:
    assert workflow.stack is not None
    return workflow.stack.stack_name


def run_captured(*argv: str) -> Result:
    """`eum-share argv` with its output kept, for fixtures that outlive one test (capsys cannot)."""
    out, err = StringIO(), StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return Result(code, out.getvalue(), err.getvalue())


def seeded(aws: OfflineAWS, identities: int = 20) -> Scenario:
    """An owner with identities of every kind, one consumer in its organization and one outside it."""
    scenario = seed(aws, identities=identities, consumers=2, external_consumers=1)
    aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
    return scenario


def write_request(folder: Path, request: dict[str, Any], name: str = "request.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(request))
    return path
