"""LockShare under a storm of throttling waits and tries again, as every state that calls AWS does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at
from twin.offline import OfflineAWS
from twin.seed import Scenario

SHARES: dict[str, str] = {}


def _an_existing_share(aws: OfflineAWS, scenario: Scenario) -> None:
    ram = aws.client("ram", account=scenario.owner)
    SHARES["arn"] = ram.create_resource_share(name="sms-production", allowExternalPrincipals=True)["resourceShare"][
        "resourceShareArn"
    ]


def _by_arn(scenario: Scenario) -> dict[str, Any]:
    return {"arn": SHARES["arn"], "allowExternalPrincipals": True}


@pytest.fixture(scope="module")
def stormy() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given a request naming its share by ARN, which LockShare reads from RAM to key the lock by the share's name,
    # and every GetResourceShares throttled while LockShare first runs
    with migration_throttled_at(
        "LockShare", "ram:GetResourceShares", name="mig-lock-storm-1", before=_an_existing_share, share=_by_arn
    ) as outcome:
        yield outcome


def test_a_throttled_lock_share_is_run_again_and_the_migration_succeeds(
    stormy: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = stormy
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]
    assert run.report["shareArn"] == SHARES["arn"]
