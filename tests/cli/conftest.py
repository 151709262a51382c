"""The migration stack deployed on the offline AWS, a seeded owner, and `eum-share` run against them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from eum_share_cli.main import main

from tests.cli.support import EumShare, Result, seeded, stack_name
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow
from twin.seed import Scenario


@pytest.fixture
def workflow(aws: OfflineAWS) -> Iterator[LocalStateMachine]:
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as machine:
        yield machine


@pytest.fixture
def scenario(aws: OfflineAWS) -> Scenario:
    return seeded(aws)


@pytest.fixture
def eum_share(workflow: LocalStateMachine, capsys: pytest.CaptureFixture[str]) -> EumShare:
    """`eum-share --stack-name <the offline stack> argv...`: exit code and what it printed."""

    def run(*argv: str) -> Result:
        capsys.readouterr()
        code = main(["--stack-name", stack_name(workflow), *argv])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
