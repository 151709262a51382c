"""`eum-share --offline start|plan`: a request run end to end on an offline AWS that lives for one command."""

from __future__ import annotations

from pathlib import Path

import pytest
from eum_share_cli.main import main

from tests.cli.support import Result, run_captured

REQUESTS = Path(__file__).resolve().parents[2] / "events" / "requests"


@pytest.fixture(scope="module")
def single_account() -> Result:
    # Given the ready example for one consuming account, and no AWS account
    # When it is started offline
    return run_captured("--offline", "start", "--input", str(REQUESTS / "single-account.json"), "--identities", "12")


def test_an_offline_start_completes_and_prints_the_report(single_account: Result) -> None:
    # Then the migration succeeds and its Markdown report is printed
    assert single_account.code == 0, single_account.err
    assert "# Migration mig-2026-0001: SUCCEEDED" in single_account.out
    assert "migration mig-2026-0001: SUCCEEDED" in single_account.out


def test_an_offline_start_says_the_seeded_accounts_replace_the_requests(single_account: Result) -> None:
    # Then the output says the request's accounts were replaced by the seeded organization's
    assert "principals 222222222222 replaced by " in single_account.out
    assert "consumers 222222222222 replaced by " in single_account.out


def test_an_offline_gated_start_follows_the_decision_given(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a request that requires approval
    request = REQUESTS / "approval-gated-production.json"
    # When it is started offline with the decision to approve
    code = main(["--offline", "start", "--input", str(request), "--identities", "8", "--decision", "approve"])
    # Then it is approved at the gate and completes
    out = capsys.readouterr().out
    assert code == 0
    assert "approving (--decision approve)" in out
    assert "# Migration mig-2026-0007: SUCCEEDED" in out


def test_an_offline_gated_start_without_a_terminal_rejects_saying_why(capsys: pytest.CaptureFixture[str]) -> None:
    # Given a request that requires approval, and no terminal to ask on
    request = REQUESTS / "approval-gated-production.json"
    # When it is started offline without a decision
    code = main(["--offline", "start", "--input", str(request), "--identities", "8"])
    # Then it is rejected, saying why, and ends with nothing changed
    out = capsys.readouterr().out
    assert code == 1
    assert "rejecting (no --decision given and no terminal to ask on, so nothing changes)" in out
    assert "migration mig-2026-0007: REJECTED" in out
