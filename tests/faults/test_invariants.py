"""The invariant checker catches each kind of violation, and finds none in a healthy outcome.

Each test builds a migration's outcome by hand on the offline AWS (a share, its associations, a ledger), breaks
one thing the way a fault would, and looks at what the checker says.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pytest

from tests.faults.invariants import DOUBLE, LEDGER, LOST, STRANDED, Baseline, Migration, baseline, check
from tests.support.ledger_table import create_ledger_table
from tests.support.policies import put_existing_statements
from twin.offline import OfflineAWS
from twin.seed import Scenario, seed

TABLE = "ledger"


@dataclass
class Outcome:
    aws: OfflineAWS
    scenario: Scenario
    migration: Migration
    before: Baseline
    share: str

    def ledger(self, sk: str, **fields: Any) -> None:
        """Write one ledger item of the migration (strings and booleans only)."""
        item: dict[str, Any] = {"pk": {"S": f"MIGRATION#{self.migration.migration_id}"}, "sk": {"S": sk}}
        item |= {k: {"BOOL": v} if isinstance(v, bool) else {"S": str(v)} for k, v in fields.items()}
        with self.aws.observing():
            self.aws.client("dynamodb").put_item(TableName=TABLE, Item=item)

    def identity(self, arn: str, status: str, **fields: Any) -> None:
        self.ledger(f"IDENTITY#{arn}", arn=arn, status=status, **fields)

    def violations(self) -> list[tuple[str, str]]:
        return [(v.invariant, v.subject) for v in check(self.aws, self.migration, self.before).violations]


@pytest.fixture
def outcome(aws: OfflineAWS) -> Outcome:
    """Four identities (two numbers, the pool holding them, an opt-out list) with one statement of their own,
    shared with an organization consumer and an external one, every identity VERIFIED, the migration SUCCEEDED."""
    scenario = seed(aws, identities=4, consumers=2, external_consumers=1)
    owner = scenario.owner
    first = scenario.phone_numbers[0]
    put_existing_statements(aws, owner, [first])
    before = baseline(aws, owner, scenario.identities)
    ram = aws.client("ram", account=owner)
    ram.enable_sharing_with_aws_organization()
    share = ram.create_resource_share(
        name="sms", principals=[scenario.consumer_ou, *scenario.external_consumers], allowExternalPrincipals=True
    )["resourceShare"]["resourceShareArn"]
    for external in scenario.external_consumers:
        consumer = aws.client("ram", account=external)
        [invitation] = consumer.get_resource_share_invitations()["resourceShareInvitations"]
        consumer.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    aws.world.settle()
    ram.associate_resource_share(resourceShareArn=share, resourceArns=scenario.identities)
    aws.world.settle()
    create_ledger_table(aws, TABLE)
    migration = Migration("mig-1", owner, scenario.consumers, scenario.identities, TABLE, "SUCCEEDED")
    made = Outcome(aws, scenario, migration, before, share)
    made.ledger("MIGRATION", status="SUCCEEDED", planned=True, shareArn=share)
    for arn in scenario.identities:
        made.identity(arn, "VERIFIED")
    return made


def test_a_healthy_outcome_has_no_violation(outcome: Outcome) -> None:
    checked = check(outcome.aws, outcome.migration, outcome.before)
    assert checked.violations == []
    assert checked.identities == 4


def test_a_statement_lost_from_a_policy_is_caught(outcome: Outcome) -> None:
    # Given the first number's policy rewritten without the statement it had before the migration
    first = outcome.scenario.phone_numbers[0]
    document = outcome.aws.sms.policy_document(first)
    assert document is not None
    document["Statement"] = [s for s in document["Statement"] if s.get("Sid") != "LetPinpointSend"]
    outcome.aws.client("pinpoint-sms-voice-v2", account=outcome.scenario.owner).put_resource_policy(
        ResourceArn=first, Policy=json.dumps(document)
    )

    # Then the checker names that statement as lost, and nothing else
    assert outcome.violations() == [(LOST, first)]


def test_an_unusable_identity_the_ledger_calls_verified_is_stranded(outcome: Outcome) -> None:
    # Given the second number's policy emptied (RAM's throttling fault) while the ledger says VERIFIED
    second = outcome.scenario.phone_numbers[1]
    outcome.aws.sms.empty_policy(second)

    # Then it is stranded, and the ledger disagrees with the twin; the pool that needs it cannot send either
    found = outcome.violations()
    assert (STRANDED, second) in found
    assert (LEDGER, second) in found
    assert {subject for _, subject in found} <= {second, *outcome.scenario.pools}


def test_an_unusable_identity_reported_failed_with_a_reason_is_no_violation(outcome: Outcome) -> None:
    # Given the opt-out list's policy emptied, and the ledger saying FAILED with a reason
    listed = outcome.scenario.opt_out_lists[0]
    outcome.aws.sms.empty_policy(listed)
    outcome.identity(listed, "FAILED", reason="policy emptied by RAM; repairs exhausted")

    # Then nothing is violated
    assert outcome.violations() == []


def test_a_failed_identity_without_a_reason_is_caught(outcome: Outcome) -> None:
    listed = outcome.scenario.opt_out_lists[0]
    outcome.aws.sms.empty_policy(listed)
    outcome.identity(listed, "FAILED")
    assert outcome.violations() == [(LEDGER, listed)]


def test_a_resource_the_migration_associated_with_two_shares_is_caught(outcome: Outcome) -> None:
    # Given the first number associated with a second share of the owner as well
    first = outcome.scenario.phone_numbers[0]
    ram = outcome.aws.client("ram", account=outcome.scenario.owner)
    other = ram.create_resource_share(name="other")["resourceShare"]["resourceShareArn"]
    ram.associate_resource_share(resourceShareArn=other, resourceArns=[first])

    # Then the checker says it is associated twice
    assert outcome.violations() == [(DOUBLE, first)]


def test_a_resource_already_in_another_share_before_the_migration_is_no_violation(outcome: Outcome) -> None:
    # Given the first number was already in another share of the owner before the migration
    first = outcome.scenario.phone_numbers[0]
    ram = outcome.aws.client("ram", account=outcome.scenario.owner)
    other = ram.create_resource_share(name="other")["resourceShare"]["resourceShareArn"]
    ram.associate_resource_share(resourceShareArn=other, resourceArns=[first])
    outcome.before.live[first] += 1

    # Then the migration's one association of it is no double association
    assert outcome.violations() == []


def test_a_succeeded_migration_with_an_unfinished_identity_is_caught(outcome: Outcome) -> None:
    listed = outcome.scenario.opt_out_lists[0]
    outcome.identity(listed, "ASSOCIATING")
    assert outcome.violations() == [(LEDGER, listed)]


def test_a_ledger_missing_a_planned_identity_is_caught(outcome: Outcome) -> None:
    # Given the request selected one more identity than the ledger planned
    extra = outcome.aws.sms.add_phone_number(outcome.scenario.owner, outcome.aws.region)
    migration = replace(outcome.migration, identities=[*outcome.migration.identities, extra])
    outcome.migration = migration
    outcome.before.statements[extra] = set()

    # Then the ledger disagrees (its plan), and the identity nobody shared is stranded
    found = outcome.violations()
    assert (LEDGER, "migration mig-1") in found
    assert (STRANDED, extra) in found


def test_an_execution_that_failed_while_the_ledger_says_succeeded_is_caught(outcome: Outcome) -> None:
    outcome.migration = replace(outcome.migration, outcome="FAILED")
    assert outcome.violations() == [(LEDGER, "migration mig-1")]


def test_an_untouched_identity_of_a_migration_that_failed_with_a_reason_is_no_violation(
    outcome: Outcome,
) -> None:
    # Given a selected identity the migration never touched, and the migration recorded as FAILED with why
    extra = outcome.aws.sms.add_phone_number(outcome.scenario.owner, outcome.aws.region)
    outcome.migration = replace(outcome.migration, identities=[extra], outcome="FAILED")
    outcome.before = baseline(outcome.aws, outcome.scenario.owner, [extra])
    outcome.ledger("MIGRATION", status="FAILED", error="PreflightFailed", cause="consumer role missing")

    # Then nothing is violated: the migration stopped before it and said why
    assert outcome.violations() == []


def test_an_untouched_identity_of_a_migration_that_failed_without_saying_why_is_stranded(
    outcome: Outcome,
) -> None:
    extra = outcome.aws.sms.add_phone_number(outcome.scenario.owner, outcome.aws.region)
    outcome.migration = replace(outcome.migration, identities=[extra], outcome="FAILED")
    outcome.before = baseline(outcome.aws, outcome.scenario.owner, [extra])
    outcome.ledger("MIGRATION", status="FAILED")
    assert (STRANDED, extra) in outcome.violations()


def test_a_released_identity_reported_failed_is_no_violation(outcome: Outcome) -> None:
    # Given a number released from the owner account, outside any pool, reported FAILED with why
    extra = outcome.aws.sms.add_phone_number(outcome.scenario.owner, outcome.aws.region)
    outcome.migration = replace(outcome.migration, identities=[*outcome.migration.identities, extra])
    outcome.before.statements[extra] = set()
    outcome.identity(extra, "FAILED", reason="released from the owner account during the migration")
    outcome.aws.sms.release(extra)

    # Then nothing is violated
    assert outcome.violations() == []


def test_a_share_lock_left_behind_is_caught(outcome: Outcome) -> None:
    # Given the migration ended but its share lock is still in the ledger
    with outcome.aws.observing():
        outcome.aws.client("dynamodb").put_item(
            TableName=TABLE,
            Item={"pk": {"S": "SHARE#111111111111#us-east-1#sms"}, "sk": {"S": "LOCK"}, "migrationId": {"S": "mig-1"}},
        )

    # Then the ledger disagrees: a finished migration holds nothing
    assert outcome.violations() == [(LEDGER, "migration mig-1")]
