"""The approval gate from the command line: a gated start waits, then `approve` or `reject` decides, once."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import FAST, GATED, EumShare, Result, write_request
from twin.seed import Scenario


def start_gated(eum_share: EumShare, folder: Path, scenario: Scenario, migration_id: str) -> Result:
    """Start a gated migration and watch it to its gate; what watch printed there."""
    path = write_request(folder, scenario.request(migrationId=migration_id, options=GATED))
    started = eum_share("start", "--input", str(path))
    assert started.code == 0, started.err
    return eum_share("watch", migration_id, *FAST)


def test_watch_stops_at_the_gate_and_says_how_to_decide(
    eum_share: EumShare, tmp_path: Path, scenario: Scenario
) -> None:
    # Given a migration that requires approval
    # When it is started and watched
    watched = start_gated(eum_share, tmp_path, scenario, "gate-watch")
    # Then watch stops at the gate (not a success) and names the commands that decide
    assert watched.code == 1
    assert "migration gate-watch: AWAITING_APPROVAL" in watched.out
    assert "approve gate-watch" in watched.out
    assert "reject gate-watch" in watched.out


def test_status_shows_a_migration_awaiting_approval(eum_share: EumShare, tmp_path: Path, scenario: Scenario) -> None:
    # Given a migration waiting at its gate
    start_gated(eum_share, tmp_path, scenario, "gate-status")
    # When its status is asked for
    status = eum_share("status", "gate-status")
    # Then it is awaiting approval, with its plan report and how to decide
    assert status.code == 0, status.err
    assert "migration gate-status: AWAITING_APPROVAL" in status.out
    assert "plan report s3://" in status.out
    assert "decide with:" in status.out


def test_report_before_the_end_prints_the_plan_report_saying_so(
    eum_share: EumShare, tmp_path: Path, scenario: Scenario
) -> None:
    # Given a migration waiting at its gate
    start_gated(eum_share, tmp_path, scenario, "gate-plan")
    # When its report is asked for
    report = eum_share("report", "gate-plan")
    # Then the plan report is printed, introduced as the plan of a migration that has not ended
    assert report.code == 0, report.err
    assert "plan report (migration gate-plan is AWAITING_APPROVAL" in report.out
    assert "# Migration gate-plan: AWAITING_APPROVAL" in report.out


def test_an_approved_migration_completes(eum_share: EumShare, tmp_path: Path, scenario: Scenario) -> None:
    # Given a migration waiting at its gate
    start_gated(eum_share, tmp_path, scenario, "gate-yes")
    # When it is approved and watched again
    approved = eum_share("approve", "gate-yes", "--approver", "ana.ops@example.com")
    watched = eum_share("watch", "gate-yes", *FAST)
    # Then it goes on to succeed, and the approver on record is the caller's AWS identity, for the name given
    assert approved.code == 0, approved.err
    assert watched.code == 0, watched.out + watched.err
    assert "migration gate-yes: SUCCEEDED" in watched.out
    assert "approval APPROVED by arn:aws:sts::123456789012:user/moto, for ana.ops@example.com" in watched.out


def test_the_approver_defaults_to_the_callers_identity(eum_share: EumShare, tmp_path: Path, scenario: Scenario) -> None:
    # Given a migration waiting at its gate
    start_gated(eum_share, tmp_path, scenario, "gate-who")
    # When it is approved without naming an approver
    approved = eum_share("approve", "gate-who")
    # Then the decision is recorded under the ARN of the AWS identity that made it
    assert approved.code == 0, approved.err
    assert "APPROVED by arn:aws:sts::123456789012:user/moto" in approved.out
    eum_share("watch", "gate-who", *FAST)  # the run ends before the offline AWS closes


def test_a_rejected_migration_ends_rejected(eum_share: EumShare, tmp_path: Path, scenario: Scenario) -> None:
    # Given a migration waiting at its gate
    start_gated(eum_share, tmp_path, scenario, "gate-no")
    # When it is rejected and watched again
    rejected = eum_share("reject", "gate-no", "--approver", "ana.ops@example.com")
    watched = eum_share("watch", "gate-no", *FAST)
    # Then it ends REJECTED, which is not a success
    assert rejected.code == 0, rejected.err
    assert watched.code == 1
    assert "migration gate-no: REJECTED" in watched.out


def test_a_second_decision_is_refused(eum_share: EumShare, tmp_path: Path, scenario: Scenario) -> None:
    # Given a migration that was just approved
    start_gated(eum_share, tmp_path, scenario, "gate-twice")
    assert eum_share("approve", "gate-twice", "--approver", "ana.ops@example.com").code == 0
    # When it is approved again
    again = eum_share("approve", "gate-twice", "--approver", "bob@example.com")
    # Then the second decision is refused, naming the first
    assert again.code == 1
    assert again.err.startswith("refused: migration gate-twice is ")
    assert "APPROVED by arn:aws:sts::123456789012:user/moto, for ana.ops@example.com" in again.err
    eum_share("watch", "gate-twice", *FAST)  # the run ends before the offline AWS closes


def test_a_decision_for_an_unknown_migration_is_refused(eum_share: EumShare) -> None:
    # Given a stack without a migration "nope"
    # When it is approved
    decided = eum_share("approve", "nope", "--approver", "ana.ops@example.com")
    # Then the command says there is no such migration
    assert decided.code == 1
    assert "no migration 'nope' in the ledger" in decided.err
