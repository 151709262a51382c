"""The migration state machine of template.yaml, deployed on the offline AWS."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow


@pytest.fixture
def workflow(aws: OfflineAWS) -> Iterator[LocalStateMachine]:
    with local_migration_workflow(aws) as machine:
        yield machine
