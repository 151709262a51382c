"""One migration at a time per share: a lock in the ledger, taken before the first change and released at the end.

A second migration of the same share, started while the first holds the lock, is refused with ShareLocked naming the
first, before it changes anything; it completes when run again once the first has ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.migration import hold_first_at, mutating_calls
from tests.support.share_lock import lock_items
from twin.inspect import identity_arns
from twin.offline import OfflineAWS
from twin.runner import Execution, LocalStateMachine, local_migration_workflow
from twin.seed import Scenario, seed


@dataclass
class Race:
    aws: OfflineAWS
    scenario: Scenario
    workflow: LocalStateMachine
    outcomes: dict[str, Execution]
    rerun: Execution
    rerun_from: int


@pytest.fixture(scope="module")
def race() -> Iterator[Race]:
    """Two migrations of the same share: the second starts while the first, its lock taken, is kept at the share
    until the second has ended; then the refused one is run again. (Not at the very same instant: the offline
    Lambda runtime runs concurrent invocations in one process, where Lambda gives each its own environment.)"""
    with OfflineAWS() as aws:
        scenario = seed(aws, identities=20, consumers=2, external_consumers=1)
        aws.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            holding = hold_first_at(aws, workflow, "EnsureShareWithPrincipals")
            holder, other = "mig-left", "mig-right"
            started = {holder: workflow.start(scenario.request(migrationId=holder), name=f"{holder}-run")}
            holding.first()
            started[other] = workflow.start(scenario.request(migrationId=other), name=f"{other}-run")
            outcomes = {other: workflow.wait(started[other])}
            holding.release()
            outcomes[holder] = workflow.wait(started[holder])
            rerun_from = len(aws.world.calls)
            rerun = workflow.run(scenario.request(migrationId=other), name=f"{other}-again")
            yield Race(aws, scenario, workflow, outcomes, rerun, rerun_from)


def test_one_of_two_migrations_of_the_same_share_is_refused_naming_the_other(race: Race) -> None:
    statuses = sorted((run.status, run.error) for run in race.outcomes.values())
    assert statuses == [("FAILED", "ShareLocked"), ("SUCCEEDED", None)]
    [(winner, _)] = [(n, r) for n, r in race.outcomes.items() if r.status == "SUCCEEDED"]
    [refused] = [r for r in race.outcomes.values() if r.status == "FAILED"]
    assert f"being migrated by migration {winner} (execution {winner}-run" in (refused.cause or "")
    assert "nothing was changed" in (refused.cause or "")


def test_the_refused_migration_never_reached_the_share(race: Race) -> None:
    [refused] = [r for r in race.outcomes.values() if r.status == "FAILED"]
    entered = {
        e["stateEnteredEventDetails"]["name"]
        for e in race.workflow.history(refused.arn)
        if e["type"] == "TaskStateEntered"
    }
    assert "LockShare" in entered
    assert not entered & {"EnsureShareWithPrincipals", "AcceptInvitations", "RecreateConfiguration"}


def test_the_lock_is_released_when_a_migration_ends_either_way(race: Race) -> None:
    assert lock_items(race.aws, race.workflow) == []


def test_the_refused_migration_run_again_later_succeeds_without_associating_anything_again(race: Race) -> None:
    assert race.rerun.status == "SUCCEEDED", race.rerun.cause
    associated = [
        c for c in mutating_calls(race.aws.world.calls[race.rerun_from :]) if c.operation == "AssociateResourceShare"
    ]
    shares = race.aws.ram.dump(race.scenario.owner, "us-east-1")["shares"]
    assert len(shares) == 1
    entities = [r["entity"] for r in shares[0]["resources"]]
    assert sorted(entities) == sorted(identity_arns(race.aws.sms.dump(race.scenario.owner, "us-east-1")))
    # The same share, already holding every identity: RAM answers each association as it already is.
    assert {a.params["resourceShareArn"] for a in associated} <= {shares[0]["arn"]}
