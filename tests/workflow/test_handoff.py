"""The handoff per consuming account, checked against what each consumer can really do in the offline AWS:
its Owner=SHARED listings and DryRun sends from inside it, not the report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.china import china_arn, china_sender
from tests.support.handoff import SMS, handoff_of, usable_in_the_twin
from tests.support.migration import MigrationRun, migration_run
from twin.seed import external_id


@pytest.fixture(scope="module")
def run() -> Iterator[MigrationRun]:
    """Given an owner with identities of every kind and a China sender ID, and two consumers of which one is not
    allowlisted for China / When everything is migrated."""
    with migration_run(identities=30, before=china_sender, name="mig-handoff-1") as outcome:
        assert outcome.execution.status == "SUCCEEDED", outcome.execution.cause
        yield outcome


@pytest.mark.parametrize("index", [0, 1])
def test_the_handoff_lists_exactly_what_the_consumer_can_use_with_its_arn_and_name(
    run: MigrationRun, index: int
) -> None:
    # Then every identity the consumer can send with is in its handoff with its full ARN and human name,
    # and nothing it cannot use is listed as something to send with
    account = run.scenario.consumers[index]
    handoff = handoff_of(run, account)
    listed = {row["arn"]: row["name"] for row in handoff["identities"]}
    assert {row["state"] for row in handoff["identities"]} == {"USABLE"}
    assert listed == usable_in_the_twin(run, account)


def test_an_identity_the_consumer_cannot_use_is_only_under_not_usable_with_what_to_do(run: MigrationRun) -> None:
    # Then the consumer without China allowlisting finds the China sender ID among those it cannot use yet,
    # with AWS's refusal and the action, and the allowlisted consumer finds it usable
    allowed, refused = run.scenario.consumers[:2]
    arn = china_arn(run.scenario)
    [row] = [row for row in handoff_of(run, refused)["notUsable"] if row["arn"] == arn]
    assert "DESTINATION_COUNTRY_BLOCKED" in row["problem"]
    assert "AWS Support" in row["action"]
    assert arn not in usable_in_the_twin(run, refused)
    assert arn in {row["arn"] for row in handoff_of(run, allowed)["identities"]}


def test_the_iam_policy_allows_sending_text_with_exactly_the_usable_senders(run: MigrationRun) -> None:
    account = run.scenario.consumers[0]
    handoff = handoff_of(run, account)
    senders = {arn for arn in usable_in_the_twin(run, account) if ":opt-out-list/" not in arn}
    allowed = {
        arn
        for document in handoff["iamPolicies"]
        for statement in document["Statement"]
        if "sms-voice:SendTextMessage" in statement["Action"]
        for arn in statement["Resource"]
    }
    configuration_set = (
        f"arn:aws:sms-voice:{run.scenario.region}:{account}:configuration-set/{handoff['configurationSet']}"
    )
    assert allowed == senders | {configuration_set}


def test_the_examples_send_with_a_usable_identity_through_a_configuration_set_of_the_account(
    run: MigrationRun,
) -> None:
    account = run.scenario.consumers[1]
    handoff = handoff_of(run, account)
    sets = run.aws.client(SMS, account=account).describe_configuration_sets()["ConfigurationSets"]
    assert handoff["configurationSet"] in {s["ConfigurationSetName"] for s in sets}
    assert handoff["exampleIdentity"] in usable_in_the_twin(run, account)
    for example in (handoff["cliExample"], handoff["boto3Example"]):
        assert handoff["exampleIdentity"] in example
        assert handoff["configurationSet"] in example


def test_the_handoff_names_what_only_the_account_can_do_with_lead_times(run: MigrationRun) -> None:
    refused = run.scenario.consumers[1]
    tasks = {task["kind"]: task for task in handoff_of(run, refused)["tasks"] if task["subject"].startswith("CN")}
    assert tasks["REGISTRATION"]["leadTime"] == "15+ days"
    assert "DESTINATION_COUNTRY_BLOCKED" in tasks["CHINA_ALLOWLIST"]["detail"]


def test_the_markdown_shows_each_usable_identity_by_name_and_full_arn(run: MigrationRun) -> None:
    account = run.scenario.consumers[0]
    key = f"migrations/{run.execution.output['migrationId']}/handoff/{account}.md"
    markdown = run.workflow.read_artifact(key)
    for arn, name in usable_in_the_twin(run, account).items():
        [line] = [line for line in markdown.splitlines() if line.startswith("| ") and f"`{arn}`" in line]
        assert line.startswith(f"| {name} |")


def test_the_csv_has_a_row_per_shared_identity(run: MigrationRun) -> None:
    account = run.scenario.consumers[1]
    key = f"migrations/{run.execution.output['migrationId']}/handoff/{account}.csv"
    rows = run.workflow.read_artifact(key).splitlines()
    handoff = handoff_of(run, account)
    assert len(rows) == 1 + len(handoff["identities"]) + len(handoff["notUsable"])


def test_no_handoff_holds_an_external_id(run: MigrationRun) -> None:
    migration = run.execution.output["migrationId"]
    for account in run.scenario.consumers:
        for fmt in ("md", "csv", "json"):
            body = run.workflow.read_artifact(f"migrations/{migration}/handoff/{account}.{fmt}")
            assert all(external_id(consumer) not in body for consumer in run.scenario.consumers)
