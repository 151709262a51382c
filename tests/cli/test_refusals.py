"""What the CLI refuses, with one clear message and a non-zero exit, and without starting anything."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import GATED, EumShare, write_request
from twin.offline import OfflineAWS
from twin.runner import LocalStateMachine
from twin.seed import Scenario


def executions_of(aws: OfflineAWS, workflow: LocalStateMachine) -> list[str]:
    with aws.observing():
        listed = aws.client("stepfunctions").list_executions(stateMachineArn=workflow.arn)
    return [execution["name"] for execution in listed["executions"]]


def test_status_of_an_unknown_migration_says_so(eum_share: EumShare) -> None:
    # Given a stack without a migration "nope"
    # When its status is asked for
    status = eum_share("status", "nope")
    # Then one line says there is no such migration, exit 1
    assert status.code == 1
    assert status.out == ""
    assert status.err.startswith("no migration 'nope' in the ledger of stack eum-share-local (us-east-1)")


def test_an_invalid_request_names_every_bad_field_and_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, tmp_path: Path
) -> None:
    # Given a request with a short account ID and a batch above ten
    request = scenario.request(owner={"accountId": "12345"}, options={"batchSize": 50})
    path = write_request(tmp_path, request)
    # When it is started
    started = eum_share("start", "--input", str(path))
    # Then each bad field is named on its own line, exit 1, and no execution started
    assert started.code == 1
    assert "  owner.accountId: must be a 12-digit AWS account ID, got '12345'" in started.err.splitlines()
    assert "  options.batchSize: Input should be less than or equal to 10" in started.err.splitlines()
    assert "nothing started" in started.err
    assert executions_of(aws, workflow) == []


def test_a_request_file_that_is_not_json_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine, tmp_path: Path
) -> None:
    # Given a file that is not JSON
    path = tmp_path / "broken.json"
    path.write_text('{"region": "us-east-1",}')
    # When it is started
    started = eum_share("start", "--input", str(path))
    # Then it is refused as not JSON and nothing started
    assert started.code == 1
    assert started.err.startswith(f"{path}: not JSON: ")
    assert executions_of(aws, workflow) == []


def test_a_missing_request_file_is_named(eum_share: EumShare, tmp_path: Path) -> None:
    # Given a path where there is no file
    path = tmp_path / "absent.json"
    # When it is started
    started = eum_share("start", "--input", str(path))
    # Then the file is named as unreadable, exit 2
    assert started.code == 2
    assert started.err.startswith(f"{path}: cannot be read: ")


def test_an_unknown_stack_says_where_it_looked(eum_share: EumShare) -> None:
    # Given no stack named "elsewhere" in the Region
    # When a command addresses it
    status = eum_share("--stack-name", "elsewhere", "status", "mig-1")
    # Then one line names the stack and the Region, and how to fix it
    assert status.code == 1
    assert status.err == "stack elsewhere not found in us-east-1; deploy it (README) or pass --stack-name\n"


def test_a_migration_id_taken_by_another_request_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, tmp_path: Path
) -> None:
    # Given a migration "taken" waiting at its gate
    first = write_request(tmp_path, scenario.request(migrationId="taken", options=GATED), "first.json")
    assert eum_share("start", "--input", str(first)).code == 0
    assert eum_share("watch", "taken", "--interval", "0.02").code == 1
    # When another request with the same migrationId is started
    other = write_request(tmp_path, scenario.request(migrationId="taken", options={"batchSize": 5}), "other.json")
    started = eum_share("start", "--input", str(other))
    # Then it is refused before starting: one execution only
    assert started.code == 1
    assert "already exists with a different request; nothing started" in started.err
    assert len(executions_of(aws, workflow)) == 1


def test_a_second_start_of_a_running_migration_starts_nothing(
    eum_share: EumShare, aws: OfflineAWS, workflow: LocalStateMachine, scenario: Scenario, tmp_path: Path
) -> None:
    # Given a migration "busy" waiting at its gate
    path = write_request(tmp_path, scenario.request(migrationId="busy", options=GATED))
    assert eum_share("start", "--input", str(path)).code == 0
    assert eum_share("watch", "busy", "--interval", "0.02").code == 1
    # When the same request is started again
    again = eum_share("start", "--input", str(path))
    # Then it is refused, pointing at the run in progress
    assert again.code == 1
    assert "migration busy is already running as execution busy-" in again.err
    assert len(executions_of(aws, workflow)) == 1
