"""The migration state machine of template.yaml, deployed on the offline AWS, and a seeded owner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed


@pytest.fixture
def workflow(aws: OfflineAWS) -> Iterator[LocalStateMachine]:
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as machine:
        yield machine


@pytest.fixture
def scenario(aws: OfflineAWS) -> Scenario:
    """An owner with 40 identities of every kind, one consumer in its organization and one outside it."""
    seeded = seed(aws, identities=40, consumers=2, external_consumers=1)
    aws.client("ram", account=seeded.owner).enable_sharing_with_aws_organization()
    return seeded
