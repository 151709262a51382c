"""Event destinations provisioned in the consumers: a CloudWatch Logs destination delivers through the role the
roles stack made there (roles/cross-account-roles.yaml, SmsEventsToLogsRole); the workflow passes it and makes
no role of its own, so the consumer role needs no right to make or change one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run

PROVISION = {"eventDestinations": {"mode": "PROVISION"}}
ROLE_WRITES = ("CreateRole", "PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy", "DeleteRole")


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given consumers with the roles stack's roles
    # When a migration provisions the consumers' event destinations
    with migration_run(identities=12, name="mig-event-destinations-1", configuration=PROVISION) as outcome:
        yield outcome


def test_every_cloudwatch_logs_destination_delivers_through_the_roles_stacks_role(run: MigrationRun) -> None:
    # Then the migration succeeds and each consumer's logs destinations name the one role its roles stack made
    assert run.execution.status == "SUCCEEDED", run.execution.cause
    for consumer in run.scenario.consumers:
        items = run.report["configuration"][consumer]
        logs = [i for i in items if i["kind"] == "EVENT_DESTINATION" and i["name"].endswith("-logs")]
        assert len(logs) == len(run.scenario.configuration_sets)
        assert {i["status"] for i in logs} == {"CREATED"}
        sms = run.aws.client("pinpoint-sms-voice-v2", account=consumer)
        with run.aws.observing():
            sets = sms.describe_configuration_sets()["ConfigurationSets"]
        roles = {
            d["CloudWatchLogsDestination"]["IamRoleArn"]
            for s in sets
            for d in s["EventDestinations"]
            if "CloudWatchLogsDestination" in d
        }
        assert roles == {f"arn:aws:iam::{consumer}:role/eum-share/EumShareSmsEventsToLogs"}


def test_the_migration_makes_or_changes_no_role(run: MigrationRun) -> None:
    # Then no call made or changed an IAM role anywhere
    assert [c for c in run.calls if c.service == "iam" and c.operation in ROLE_WRITES] == []
