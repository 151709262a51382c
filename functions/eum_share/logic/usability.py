"""What each consuming account can use, as proved from inside it: every identity shared with the account, usable
or not, and the check that proved it.

Two checks prove use from inside an account. A DryRun send (the batch loop's probes, marked `probed` on the
identity when every consumer's went through, or the final verification's, kept per consumer in verification.json)
proves an identity one can send with. An opt-out list sends nothing: the consumer's Owner=SHARED listing, which
every identity passed before its batch was done, is its proof. A DryRun refusal that no repair fixes (a
`ConsumerProblem`) leaves the identity shared but not usable from that account, with the action to take.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from eum_share.logic.probe import SENDERS
from eum_share.logic.verify import ConsumerProgress
from eum_share.models.base import WireModel
from eum_share.models.ledger import IdentityRecord, IdentityStatus

# In the share: associated, and seen by every consumer under Owner=SHARED.
SHARED = (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED)
NOT_SENT_WITH = "no DryRun send from this account went through yet"
SEND_AGAIN = "Start the same request again: its final verification sends with the identity from this account"


class Check(StrEnum):
    DRY_RUN = "DRY_RUN"  # a DryRun send from the account went through
    LISTING = "LISTING"  # seen under Owner=SHARED from the account (an opt-out list sends nothing)


class IdentityUse(WireModel):
    """One identity shared with one consumer: usable, and how that was proved; or why not and what to do."""

    arn: str
    usable: bool
    checked_by: Check | None = None
    reason: str | None = None
    action: str | None = None


def uses(identities: Iterable[IdentityRecord], progress: ConsumerProgress | None) -> list[IdentityUse]:
    """Every identity shared with the consumer whose final verification is `progress` (None: not verified)."""
    progress = progress or ConsumerProgress()
    problems = {p.identity: p for p in progress.problems}
    confirmed = set(progress.confirmed)
    found = []
    for record in identities:
        if record.status not in SHARED:
            continue
        if record.type not in SENDERS:
            found.append(IdentityUse(arn=record.arn, usable=True, checked_by=Check.LISTING))
        elif record.probed or (record.arn in confirmed and record.arn not in problems):
            # `probed`: every consumer's DryRun went through since the identity's last association; a problem
            # recorded before that association no longer holds.
            found.append(IdentityUse(arn=record.arn, usable=True, checked_by=Check.DRY_RUN))
        elif record.arn in problems:
            problem = problems[record.arn]
            found.append(IdentityUse(arn=record.arn, usable=False, reason=problem.problem, action=problem.action))
        else:
            found.append(IdentityUse(arn=record.arn, usable=False, reason=NOT_SENT_WITH, action=SEND_AGAIN))
    return found
