"""The Markdown report's consumers: what each can use from inside its account, and what it cannot, with why."""

from __future__ import annotations

from eum_share.logic.report import ConsumerLine, NotUsable, Report, render_markdown
from eum_share.logic.usability import NOT_SENT_WITH, SEND_AGAIN, Check

ARN = "arn:aws:sms-voice:us-east-1:111111111111:phone-number/phone-{}"


def _report(*consumers: ConsumerLine, dry_run: bool = False) -> Report:
    return Report(
        migration_id="mig-md",
        outcome="DRY_RUN" if dry_run else "SUCCEEDED",
        dry_run=dry_run,
        owner="111111111111",
        region="us-east-1",
        share_arn=None if dry_run else "arn:aws:ram:us-east-1:111111111111:resource-share/s",
        share_note=None,
        principals=["222222222222"],
        started_at="2026-01-05T09:00:00.000+00:00",
        finished_at="2026-01-05T09:10:00.000+00:00",
        duration_seconds=600.0,
        batches=21,
        batch_size=10,
        counts={"VERIFIED": 201},
        counts_by_type={"PHONE_NUMBER": {"VERIFIED": 201}},
        consumers=list(consumers),
        identities=[],
        configuration={},
        manual_actions=[],
        warnings=[],
    )


def test_each_consumer_line_says_how_many_of_the_identities_shared_with_it_it_can_use_and_how_that_was_proved() -> None:
    line = ConsumerLine(account="222222222222", shared=201, usable=201, checked={Check.DRY_RUN: 196, Check.LISTING: 5})
    markdown = render_markdown(_report(line))
    assert (
        "- 222222222222: 201 of 201 identities usable from inside the account "
        "(DryRun send: 196, Owner=SHARED listing: 5)"
    ) in markdown.splitlines()


def test_every_identity_a_consumer_cannot_use_is_listed_with_the_reason_and_the_action() -> None:
    # Given a consumer that cannot use one identity: no DryRun send from it went through
    unsent = NotUsable(identity=ARN.format(1), reason=NOT_SENT_WITH, action=SEND_AGAIN)
    line = ConsumerLine(
        account="222222222222", shared=2, usable=1, checked={Check.DRY_RUN: 1, Check.LISTING: 0}, not_usable=[unsent]
    )
    # When the Markdown report is written
    markdown = render_markdown(_report(line))
    # Then a row names the consumer, the reason, the action and the identity
    [row] = [r for r in markdown.splitlines() if r.startswith("| 222222222222 |")]
    assert row == f"| 222222222222 | {NOT_SENT_WITH} | {SEND_AGAIN} | {ARN.format(1)} |"


def test_a_dry_run_says_nothing_is_shared_yet() -> None:
    line = ConsumerLine(account="222222222222", shared=0, usable=0, checked={})
    assert "- 222222222222: nothing shared (dry run)" in render_markdown(_report(line, dry_run=True)).splitlines()
