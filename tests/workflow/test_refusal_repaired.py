"""An identity a consumer may not use (ResourceNotFoundException) still goes to a RAM repair."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import MigrationRun, migration_run
from tests.support.policies import policy_document
from tests.support.refusals import consumer_problems, disassociated, identity_line
from tests.support.report_page import ReportPage
from twin.offline import OfflineAWS
from twin.seed import Scenario


def _denied(aws: OfflineAWS, scenario: Scenario) -> None:
    """The first number's policy denies the first consumer SendTextMessage: it sees the number, cannot send."""
    number = scenario.phone_numbers[0]
    deny = {
        "Sid": "NoSending",
        "Effect": "Deny",
        "Principal": {"AWS": f"arn:aws:iam::{scenario.consumers[0]}:root"},
        "Action": ["sms-voice:SendTextMessage"],
    }
    aws.client("pinpoint-sms-voice-v2", account=scenario.owner).put_resource_policy(
        ResourceArn=number, Policy=policy_document(number, deny)
    )


@pytest.fixture(scope="module")
def denied() -> Iterator[MigrationRun]:
    def selection(scenario: Scenario) -> dict[str, Any]:
        return {"select": "ARNS", "arns": [scenario.phone_numbers[0]]}

    with migration_run(
        identities=8,
        before=_denied,
        name="mig-denied-1",
        resources=selection,
        options={"maxRepairAttempts": 1},
    ) as outcome:
        yield outcome


def test_an_identity_the_consumer_cannot_use_still_goes_to_repair(denied: MigrationRun) -> None:
    # Given a number the first consumer may not send with (ResourceNotFoundException) / When it is migrated
    number = denied.scenario.phone_numbers[0]
    line = identity_line(denied, number)
    # Then it is taken out of the share and put back, and, as that cannot fix it, it ends FAILED with the refusal
    assert disassociated(denied, number)
    [repair] = line["repairs"]
    assert repair["cause"].startswith(
        f"DryRun send from {denied.scenario.consumers[0]} failed: ResourceNotFoundException"
    )
    assert line["status"] == "FAILED"
    assert "ResourceNotFoundException" in line["reason"]
    assert consumer_problems(denied, denied.scenario.consumers[0]) == []


def test_report_html_marks_the_repair_on_the_timeline(denied: MigrationRun) -> None:
    # Given the migration's one repair / When report.html is read as a browser would
    key = denied.execution.output["reportKey"].replace("report.json", "report.html")
    html = denied.workflow.read_artifact(key)
    # Then its timeline has one repair mark, which names the identity and the cause
    assert ReportPage(html).parts["circle.repair"] == 1
    number = denied.scenario.phone_numbers[0]
    assert f"<title>repair: {number}: DryRun send from {denied.scenario.consumers[0]} failed" in html
