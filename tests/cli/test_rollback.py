"""`eum-share rollback ID` and `eum-share restore ID`: the rollback state machine from a terminal, followed to its
report; refusals said in one line with nothing started; and the offline rehearsals."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.cli.support import FAST, Result, run_captured, seeded, stack_name
from tests.support.migration import policy_of
from tests.support.policies import put_existing_statements
from twin.offline import OfflineAWS
from twin.runner import local_migration_workflow


@dataclass(frozen=True)
class Commands:
    restore: Result
    rollback: Result
    again: Result
    restored_policy: dict[str, Any] | None
    other_policy: dict[str, Any] | None


@pytest.fixture(scope="module")
def commands() -> Iterator[Commands]:
    # Given a finished migration of a seeded owner whose first two numbers had a statement of their own, since
    # lost by both
    with OfflineAWS() as aws:
        scenario = seeded(aws)
        numbers = scenario.phone_numbers[:2]
        put_existing_statements(aws, scenario.owner, numbers)
        with local_migration_workflow(aws, parameters={"LogLevel": "WARNING"}) as workflow:
            assert workflow.run(scenario.request(migrationId="cli-rollback"), name="cli-rollback").status == "SUCCEEDED"
            for arn in numbers:
                aws.sms.empty_policy(arn)
            stack = ("--stack-name", stack_name(workflow))
            # When the operator restores the first one, then rolls the migration back, twice
            restore = run_captured(*stack, "restore", "cli-rollback", "--identity", numbers[0], *FAST)
            restored, other = (policy_of(aws, scenario.owner, arn) for arn in numbers)
            rollback = run_captured(*stack, "rollback", "cli-rollback", *FAST)
            again = run_captured(*stack, "rollback", "cli-rollback", *FAST)
            yield Commands(
                restore,
                rollback,
                again,
                restored,
                other,
            )


def test_restore_puts_back_the_named_identitys_lost_statement_and_prints_its_report(commands: Commands) -> None:
    assert commands.restore.code == 0, commands.restore.err
    assert "# Restore of migration cli-rollback's resource policies" in commands.restore.out
    assert "- 1 restored, 0 already fine, 0 never changed by the migration" in commands.restore.out
    assert commands.restored_policy is not None
    assert [s["Sid"] for s in commands.restored_policy["Statement"]] == ["LetPinpointSend"]
    assert commands.other_policy is None


def test_rollback_follows_the_rollback_to_its_report(commands: Commands) -> None:
    assert commands.rollback.code == 0, commands.rollback.err
    assert "rollback of migration cli-rollback started: execution arn:aws:states:" in commands.rollback.out
    assert "identities: " in commands.rollback.out
    assert "# Rollback of migration cli-rollback: ROLLED_BACK" in commands.rollback.out
    assert "report: s3://" in commands.rollback.out


def test_a_second_rollback_reports_nothing_left_to_undo(commands: Commands) -> None:
    assert commands.again.code == 0, commands.again.err
    assert "| NOTHING_TO_UNDO |" in commands.again.out
    assert "REMOVED" not in commands.again.out
