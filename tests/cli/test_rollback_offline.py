"""`eum-share --offline rollback|restore --input FILE`: rehearsals on an offline AWS that lives for one command."""

from __future__ import annotations

from pathlib import Path

from tests.cli.support import run_captured

REQUESTS = Path(__file__).resolve().parents[2] / "events" / "requests"


def test_an_offline_rollback_rehearsal_ends_as_before_the_migration() -> None:
    # Given the ready example for one consuming account, and no AWS account
    # When its rollback is rehearsed offline
    rehearsed = run_captured(
        "--offline", "rollback", "--input", str(REQUESTS / "single-account.json"), "--identities", "8"
    )
    # Then the migration runs, is rolled back, and the offline accounts are as before it
    assert rehearsed.code == 0, rehearsed.err
    assert "# Migration mig-2026-0001: SUCCEEDED" in rehearsed.out
    assert "# Rollback of migration mig-2026-0001: ROLLED_BACK" in rehearsed.out
    assert rehearsed.out.rstrip().endswith("the offline accounts are as they were before the migration")


def test_an_offline_restore_rehearsal_puts_back_what_it_emptied() -> None:
    rehearsed = run_captured(
        "--offline", "restore", "--input", str(REQUESTS / "single-account.json"), "--identities", "8", "--damage", "2"
    )
    assert rehearsed.code == 0, rehearsed.err
    assert "emptied the resource policies of 2 phone numbers" in rehearsed.out
    assert "- 2 restored, " in rehearsed.out
