"""RecreateConfiguration that a storm stops half way goes on, when the state is tried again, from where it stopped:
the calls it made in the consumers' accounts are not made again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun
from tests.support.throttled import migration_throttled_at


@pytest.fixture(scope="module")
def stopped_half_way() -> Iterator[tuple[MigrationRun, list[str]]]:
    # Given RecreateConfiguration's first run reading the consumers' configuration and creating sets, then meeting
    # every SetDefaultMessageType throttled for longer than its calls wait: the state is retried (AwsThrottled)
    with migration_throttled_at(
        "RecreateConfiguration", "sms-voice:SetDefaultMessageType", name="mig-configuration-storm"
    ) as outcome:
        yield outcome


def test_the_retried_state_finishes_and_the_migration_succeeds(
    stopped_half_way: tuple[MigrationRun, list[str]],
) -> None:
    run, runs = stopped_half_way
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    assert runs[:2] == ["throttled", "calm"]


def test_the_calls_made_before_the_storm_are_not_made_again(stopped_half_way: tuple[MigrationRun, list[str]]) -> None:
    run, _ = stopped_half_way
    # Then each consumer's configuration sets were read once, and each set created once, whatever the retries
    function = run.workflow.task_functions()["RecreateConfiguration"]
    answered = [c for c in run.calls if c.caller == function and c.service == "sms-voice" and c.error is None]
    first = run.scenario.consumers[0]
    reads = [c for c in answered if c.account == first and c.operation == "DescribeConfigurationSets"]
    creates = [c for c in answered if c.account == first and c.operation == "CreateConfigurationSet"]
    assert len(reads) == 1
    assert len(creates) == len({c.params["ConfigurationSetName"] for c in creates})
    assert not [c for c in run.calls if c.caller == function and c.error == "ConflictException"]
