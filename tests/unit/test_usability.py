"""Per consuming account: every identity shared with it, usable from inside it or not, and the check that proved it."""

from __future__ import annotations

from eum_share.logic.probe import Probe
from eum_share.logic.usability import Check, uses
from eum_share.logic.verify import ConsumerProblem, ConsumerProgress
from eum_share.models.ledger import IdentityRecord, IdentityStatus

ARN = "arn:aws:sms-voice:us-east-1:111111111111:{}"


def _record(name: str, kind: str = "PHONE_NUMBER", **fields: object) -> IdentityRecord:
    values = {"arn": ARN.format(name), "type": kind, "batch": 0, "chunk": 0, "status": IdentityStatus.VERIFIED}
    return IdentityRecord.model_validate(values | fields)


def _problem(name: str) -> ConsumerProblem:
    return ConsumerProblem(
        identity=ARN.format(name),
        destination="+8613000000000",
        outcome=Probe.CONSUMER,
        problem="ConflictException DESTINATION_COUNTRY_BLOCKED",
        action="Ask AWS Support to enable sending to this country for the consumer's account",
    )


def test_identities_probed_by_the_batch_loop_count_as_usable_though_the_final_check_did_not_send_again() -> None:
    # Given 4 numbers the batch loop DryRun-sent from every consumer, and 1 only the final verification sent with
    records = [_record(f"phone-number/phone-{i}", probed=True) for i in range(4)] + [_record("phone-number/late")]
    progress = ConsumerProgress(listed=True, confirmed=[ARN.format("phone-number/late")])
    # When the consumer's use of them is read
    found = uses(records, progress)
    # Then all 5 are usable, each proved by a DryRun send
    assert [(u.usable, u.checked_by) for u in found] == [(True, Check.DRY_RUN)] * 5


def test_an_opt_out_list_is_usable_by_its_listing_alone() -> None:
    found = uses([_record("opt-out-list/optouts-0", kind="OPT_OUT_LIST")], ConsumerProgress(listed=True))
    assert [(u.usable, u.checked_by) for u in found] == [(True, Check.LISTING)]


def test_an_identity_the_consumer_may_not_send_with_is_not_usable_with_the_refusal_and_its_action() -> None:
    # Given a sender ID the final verification sent with from the consumer, refused for its China allowlisting
    records = [_record("sender-id/BRANDCN/CN", kind="SENDER_ID")]
    progress = ConsumerProgress(listed=True, confirmed=[records[0].arn], problems=[_problem("sender-id/BRANDCN/CN")])
    # When the consumer's use of it is read
    [use] = uses(records, progress)
    # Then it is not usable, with the refusal and what to do
    assert (use.usable, use.checked_by) == (False, None)
    assert "DESTINATION_COUNTRY_BLOCKED" in (use.reason or "")
    assert "AWS Support" in (use.action or "")


def test_identities_not_in_the_share_are_not_counted() -> None:
    records = [
        _record("phone-number/failed", status=IdentityStatus.FAILED),
        _record("phone-number/planned", status=IdentityStatus.PLANNED),
    ]
    assert uses(records, ConsumerProgress()) == []


def test_a_sender_no_dry_run_went_through_for_is_not_usable_yet() -> None:
    [use] = uses([_record("phone-number/unsent")], None)
    assert not use.usable
    assert use.reason == "no DryRun send from this account went through yet"
