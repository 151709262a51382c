"""Event destinations provisioned in the consumers: the CloudWatch Logs role a migration creates is used at once,
while IAM may not have propagated it yet.

IAM is eventually consistent; the Terraform AWS provider's acceptance-tested event destination retries
CreateEventDestination on `ValidationException` "Could not assume IAM role" for up to two minutes
(internal/service/pinpointsmsvoicev2/event_destination.go, iamPropagationTimeout). The offline AWS refuses a role
for `role_propagation_seconds` after CreateRole (docs/aws-assumptions.md)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.migration import MigrationRun, migration_run

PROVISION = {"eventDestinations": {"mode": "PROVISION"}}


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    # Given End User Messaging cannot assume a new role until 30 s after IAM created it
    # When a migration provisions the consumers' event destinations, roles included
    with migration_run(
        identities=12,
        faults={"role_propagation_seconds": 30.0},
        name="mig-event-destinations-1",
        configuration=PROVISION,
    ) as outcome:
        yield outcome


def test_the_first_use_of_a_new_role_was_refused(run: MigrationRun) -> None:
    refused = [c for c in run.calls if c.operation == "CreateEventDestination" and c.error]
    assert {c.account for c in refused} == set(run.scenario.consumers)
    assert {c.error for c in refused} == {"ValidationException"}


def test_the_migration_still_creates_every_cloudwatch_logs_destination(run: MigrationRun) -> None:
    # Then the migration succeeds and each consumer has its logs destinations, delivering through its new role
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
        assert len(roles) == len(run.scenario.configuration_sets)
        assert all(f":{consumer}:role/eum-share/" in role for role in roles)
