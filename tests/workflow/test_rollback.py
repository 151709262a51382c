"""A migration, then its rollback (the real rollback state machine): every account is as it was before, what the
consumers had before survives, and a second rollback changes nothing."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.migration import bus_events, mutating_calls, wait_for_status
from tests.support.rollback import RolledBack, migrated_and_rolled_back
from twin.offline import OfflineAWS
from twin.seed import Scenario

PROVISION = {"eventDestinations": {"mode": "PROVISION"}, "setAccountDefaultProtect": True}
# What the provisioned event destination of the owner's set otp-1 (SNS) is named.
TOPIC = "eum-share-otp-1-otp-1-sns"


def _consumers_own_configuration(aws: OfflineAWS, scenario: Scenario) -> None:
    """The first consumer already has a set of its own, an empty set named like the owner's otp-0, the topic
    otp-1's events would go to (without End User Messaging's permission); the second has an account default
    protect configuration of its own."""
    first, second = scenario.consumers[0], scenario.consumers[1]
    sms = aws.client("pinpoint-sms-voice-v2", account=first)
    topic = aws.client("sns", account=first).create_topic(Name="marketing-events")["TopicArn"]
    sms.create_configuration_set(ConfigurationSetName="marketing")
    sms.create_event_destination(
        ConfigurationSetName="marketing",
        EventDestinationName="to-sns",
        MatchingEventTypes=["ALL"],
        SnsDestination={"TopicArn": topic},
    )
    sms.create_configuration_set(ConfigurationSetName="otp-0")
    aws.client("sns", account=first).create_topic(Name=TOPIC)
    other = aws.client("pinpoint-sms-voice-v2", account=second)
    own = other.create_protect_configuration()["ProtectConfigurationId"]
    other.set_account_default_protect_configuration(ProtectConfigurationId=own)


@pytest.fixture(scope="module")
def run() -> Iterator[RolledBack]:
    with migrated_and_rolled_back(
        name="mig-rollback-1", before=_consumers_own_configuration, configuration=PROVISION
    ) as outcome:
        yield outcome


def test_the_migration_changed_the_accounts(run: RolledBack) -> None:
    # Given a migration that shared every identity and built configuration in both consumers
    assert run.migration.status == "SUCCEEDED", run.migration.cause
    # Then the accounts differ from before it, in RAM, End User Messaging and the event targets
    assert run.migrated["aws"] != run.before["aws"]
    assert run.migrated["targets"] != run.before["targets"]


def test_after_the_rollback_every_account_is_as_it_was_before_the_migration(run: RolledBack) -> None:
    # When the migration is rolled back
    assert run.rollback.status == "SUCCEEDED", run.rollback.cause
    # Then the owner and every consumer are as they were: shares, policies, visibility, configuration, targets
    assert run.after["aws"] == run.before["aws"]
    assert run.after["targets"] == run.before["targets"]


def test_what_the_consumers_had_before_survives(run: RolledBack) -> None:
    first, second = run.scenario.consumers
    sms = run.after["aws"]["accounts"][first]["us-east-1"]["sms"]
    sets = {s["ConfigurationSetName"]: s for s in sms["configuration_sets"]}
    # Then the first consumer keeps its own set with its destination, and its otp-0 set without the migration's
    assert [d["EventDestinationName"] for d in sets["marketing"]["EventDestinations"]] == ["to-sns"]
    assert sets["otp-0"]["EventDestinations"] == []
    # ... and its topic, without what the migration added to it
    targets = run.after["targets"][first]
    assert any(arn.endswith(f":{TOPIC}") for arn in targets["topics"])
    # And the second consumer's own account default protect configuration is still the default
    other = run.after["aws"]["accounts"][second]["us-east-1"]["sms"]
    assert other["default_protect_configuration_id"] == other["protect_configurations"][0]["ProtectConfigurationId"]


def test_of_what_the_migration_found_only_its_own_additions_are_removed(run: RolledBack) -> None:
    first = run.report["configuration"][run.scenario.consumers[0]]
    # Then the topic it found lost only what it added to it: a statement
    assert {(i["kind"], i["outcome"]) for i in first if i["name"].endswith(f":{TOPIC}")} == {
        ("SNS_PUBLISH_PERMISSION", "REMOVED")
    }
    # ... and the set otp-0 it found lost only the destinations it added
    in_otp0 = {(i["kind"], i["outcome"]) for i in first if i["name"].split("/")[0] == "otp-0"}
    assert in_otp0 == {("EVENT_DESTINATION", "REMOVED")}


def test_a_second_rollback_changes_nothing(run: RolledBack) -> None:
    # When the same migration is rolled back again
    assert run.again.status == "SUCCEEDED", run.again.cause
    # Then it makes no call that changes anything in the owner or a consumer
    assert mutating_calls(run.again_calls) == []


def test_a_second_rollback_reports_that_nothing_was_left_to_undo(run: RolledBack) -> None:
    again = json.loads(run.workflow.read_artifact(run.again.output["reportKey"]))
    assert again["counts"] == {"NOTHING_TO_UNDO": len(run.migrated_arns)}
    assert {item["outcome"] for items in again["configuration"].values() for item in items} == {"ALREADY_GONE"}


def test_identities_leave_at_most_ten_at_a_time_pools_and_lists_before_their_members(run: RolledBack) -> None:
    calls = [
        c for c in run.rollback_calls if c.operation == "DisassociateResourceShare" and c.params.get("resourceArns")
    ]
    batches = [c.params["resourceArns"] for c in calls]
    # Then every identity left the share, in batches of at most ten
    assert sorted(arn for batch in batches for arn in batch) == sorted(run.migrated_arns)
    assert all(len(batch) <= 10 for batch in batches)
    # ... each pool and opt-out list in an earlier call than every phone number, sender ID and pool it holds
    left_in = {arn: index for index, batch in enumerate(batches) for arn in batch}
    for holder, members in _held(run).items():
        held = members & left_in.keys()
        assert all(left_in[holder] < left_in[member] for member in held), holder


def _held(run: RolledBack) -> dict[str, set[str]]:
    """The owner's pools and opt-out lists that left the share, with what each holds (a pool its members, an
    opt-out list the phone numbers and pools using it), from the offline AWS's own state."""
    owner = run.aws.sms.state(run.scenario.owner, run.scenario.region)
    users = [*owner.phone_numbers.values(), *owner.pools.values()]
    lists = {o.arn: {u.arn for u in users if u.opt_out_list_name == o.name} for o in owner.opt_out_lists.values()}
    held = {pool: set(members) for pool, members in run.scenario.pool_members.items()} | lists
    return {holder: members for holder, members in held.items() if holder in run.migrated_arns}


def test_each_batch_is_waited_for_and_verified_before_the_next(run: RolledBack) -> None:
    calls = run.rollback_calls
    starts = [
        i for i, c in enumerate(calls) if c.operation == "DisassociateResourceShare" and c.params.get("resourceArns")
    ]
    for start, end in itertools.pairwise(starts):
        between = calls[start + 1 : end]
        # Then RAM was asked about the share's resource associations, and each policy read, before the next batch left
        share = calls[start].params["resourceShareArn"]
        assert any(
            c.operation == "GetResourceShareAssociations"
            and c.params.get("associationType") == "RESOURCE"
            and c.params.get("resourceShareArns") == [share]
            for c in between
        )
        for arn in calls[start].params["resourceArns"]:
            assert any(c.operation == "GetResourcePolicy" and c.params.get("ResourceArn") == arn for c in between)
        assert between[-1].t > calls[start].t  # simulated time passed: a Wait state, not a busy loop


def test_the_share_the_migration_created_is_deleted(run: RolledBack) -> None:
    deleted = [c for c in run.rollback_calls if c.operation == "DeleteResourceShare"]
    assert len(deleted) == 1
    assert run.report["share"].endswith("(created by this migration) is deleted")


def test_the_rollback_reports_in_s3_in_the_ledger_and_on_the_bus(run: RolledBack) -> None:
    # Then the report counts every identity, the ledger says ROLLED_BACK, and the bus heard MigrationRolledBack
    assert run.report["counts"] == {"DISASSOCIATED": len(run.migrated_arns)}
    assert run.markdown.startswith("# Rollback of migration mig-rollback-1: ROLLED_BACK")
    item = wait_for_status(run.aws, run.workflow, "mig-rollback-1", "ROLLED_BACK")
    assert item["status"]["S"] == "ROLLED_BACK"
    [announced, _again] = bus_events(run.aws, "MigrationRolledBack")
    assert announced["reportKey"] == run.rollback.output["reportKey"]
    assert announced["identities"] == run.report["counts"]


def test_a_rolled_back_migration_is_not_run_again(run: RolledBack) -> None:
    # When the rolled-back migration's request is started again
    first = len(run.aws.world.calls)
    request: dict[str, Any] = run.scenario.request(migrationId="mig-rollback-1", configuration=PROVISION)
    again = run.workflow.run(request, name="mig-rollback-1-again")
    # Then it is refused, naming the migrationId, and nothing changes
    assert (again.status, again.error) == ("FAILED", "InvalidRequest")
    assert "migrationId: migration mig-rollback-1 is ROLLED_BACK" in (again.cause or "")
    assert mutating_calls(run.aws.world.calls[first:]) == []
