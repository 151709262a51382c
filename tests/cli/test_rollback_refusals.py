"""What `eum-share rollback` and `restore` refuse, with one clear message and a non-zero exit, starting nothing."""

from __future__ import annotations

from tests.cli.support import FAST, GATED, EumShare
from tests.support.migration import wait_for_status
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def test_rollback_of_an_unknown_migration_says_so_and_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine
) -> None:
    refused = eum_share("rollback", "nope", *FAST)
    assert refused.code == 1
    assert refused.err.startswith("no migration 'nope' in the ledger of stack eum-share-local (us-east-1)")
    assert _rollbacks(aws, workflow) == []


def test_rollback_of_a_running_migration_is_refused_and_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario
) -> None:
    arn = workflow.start(scenario.request(migrationId="cli-busy", options=GATED), name="cli-busy")
    wait_for_status(aws, workflow, "cli-busy", "AWAITING_APPROVAL")
    refused = eum_share("rollback", "cli-busy", *FAST)
    assert refused.code == 1
    assert refused.err.startswith("refused: migration cli-busy is AWAITING_APPROVAL (execution cli-busy)")
    assert _rollbacks(aws, workflow) == []
    workflow.sfn.stop_execution(executionArn=arn)


def test_restore_with_an_identity_that_is_not_an_arn_names_it(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine
) -> None:
    refused = eum_share("restore", "any", "--identity", "phone-1", *FAST)
    assert refused.code == 2
    assert "identities[0]: must be an End User Messaging SMS phone-number, sender-id, pool or opt-out-list ARN" in (
        refused.err
    )
    assert _rollbacks(aws, workflow) == []


def _rollbacks(aws: OfflineAWS, workflow: LocalStateMachine) -> list[str]:
    with aws.observing():
        listed = aws.client("stepfunctions").list_executions(stateMachineArn=workflow.rollback.arn)
    return [execution["name"] for execution in listed["executions"]]
