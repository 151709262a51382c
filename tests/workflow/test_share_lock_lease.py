"""The share lock's holder and lease: a lock held refuses, a lock whose holder died expires, a migration that lost its
lock stops."""

from __future__ import annotations

from tests.support.migration import mutating_calls
from tests.support.share_lock import lock_items, put_lock
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow
from twin.seed import Scenario


def test_a_lock_held_by_another_running_migration_refuses_the_migration(aws: OfflineAWS, scenario: Scenario) -> None:
    # Given another migration holding the share's lock for another hour
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
        put_lock(aws, workflow, "mig-other", int(aws.clock.datetime().timestamp()) + 3600)
        first = len(aws.world.calls)

        # When a migration of the same share runs
        execution = workflow.run(scenario.request(migrationId="mig-late"), name="mig-late")

        # Then it is refused naming the holder, nothing changed, and the holder keeps its lock
        assert (execution.status, execution.error) == ("FAILED", "ShareLocked")
        assert "migration mig-other (execution mig-other-run" in (execution.cause or "")
        assert mutating_calls(aws.world.calls[first:]) == []
        [lock] = lock_items(aws, workflow)
        assert lock["migrationId"]["S"] == "mig-other"


def test_a_lock_left_by_a_run_that_died_expires(aws: OfflineAWS, scenario: Scenario) -> None:
    # Given a lock whose holder died an hour ago without releasing it (its lease ran out)
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
        put_lock(aws, workflow, "mig-dead", int(aws.clock.datetime().timestamp()) - 3600)

        # When a migration of the same share runs
        execution = workflow.run(scenario.request(migrationId="mig-next"), name="mig-next")

        # Then it takes the lock, completes, and releases it
        assert execution.status == "SUCCEEDED", execution.cause
        assert lock_items(aws, workflow) == []


def test_a_migration_that_lost_its_lock_stops_before_associating(aws: OfflineAWS, scenario: Scenario) -> None:
    # Given a migration whose lock is taken over by another migration right after it created the share
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:

        def take_over() -> None:
            put_lock(aws, workflow, "mig-usurper", int(aws.clock.datetime().timestamp()) + 3600)

        aws.world.after_call("ram", "CreateResourceShare", take_over)

        # When it runs
        execution = workflow.run(scenario.request(migrationId="mig-lost"), name="mig-lost")

        # Then it stops with ShareLocked naming the new holder, having associated no resource
        assert (execution.status, execution.error) == ("FAILED", "ShareLocked")
        assert "mig-usurper" in (execution.cause or "")
        associated = [
            c for c in aws.world.calls if c.operation == "AssociateResourceShare" and c.params.get("resourceArns")
        ]
        assert associated == []
        [lock] = lock_items(aws, workflow)
        assert lock["migrationId"]["S"] == "mig-usurper"


def test_a_share_given_by_arn_takes_the_lock_of_its_name(aws: OfflineAWS, scenario: Scenario) -> None:
    # Given the owner's share sms-production, and a migration of it by name holding its lock for another hour
    share = aws.client("ram", account=scenario.owner).create_resource_share(name="sms-production")
    arn = share["resourceShare"]["resourceShareArn"]
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
        put_lock(aws, workflow, "mig-by-name", int(aws.clock.datetime().timestamp()) + 3600)
        first = len(aws.world.calls)

        # When a migration names the same share by its ARN
        request = scenario.request(migrationId="mig-by-arn", share={"arn": arn, "allowExternalPrincipals": True})
        execution = workflow.run(request, name="mig-by-arn")

        # Then it is refused naming the holder, and nothing changed
        assert (execution.status, execution.error) == ("FAILED", "ShareLocked")
        assert "migration mig-by-name" in (execution.cause or "")
        assert mutating_calls(aws.world.calls[first:]) == []


def test_a_migration_of_a_share_given_by_arn_completes_and_releases_the_lock(
    aws: OfflineAWS, scenario: Scenario
) -> None:
    # Given the owner's share sms-production, no lock held
    share = aws.client("ram", account=scenario.owner).create_resource_share(name="sms-production")
    arn = share["resourceShare"]["resourceShareArn"]
    with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
        # When a migration names it by its ARN
        request = scenario.request(migrationId="mig-arn", share={"arn": arn, "allowExternalPrincipals": True})
        execution = workflow.run(request, name="mig-arn")

        # Then it completes and leaves no lock behind
        assert execution.status == "SUCCEEDED", execution.cause
        assert lock_items(aws, workflow) == []
