"""What RAM's association of a resource with the share says, by the statuses RAM documents
(ResourceShareAssociationStatus: ASSOCIATING, ASSOCIATED, FAILED, DISASSOCIATING, DISASSOCIATED, SUSPENDED,
SUSPENDING, RESTORING; `statusMessage` says why). Read with GetResourceShareAssociations, the one way the batch
loop reads an association from RAM (`dal/ram.py`, `associations_of`), for what the consumers do not see yet;
ListResources' statuses map to none of these in any documented way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ASSOCIATING, ASSOCIATED, FAILED = "ASSOCIATING", "ASSOCIATED", "FAILED"
DISASSOCIATING, DISASSOCIATED = "DISASSOCIATING", "DISASSOCIATED"
# RAM's own doing: nothing in its API starts or ends a suspension, and nothing documents what does, so
# disassociating and associating again is no cure (docs/aws-assumptions.md, "RAM association statuses").
SUSPENSION = frozenset({"SUSPENDED", "SUSPENDING", "RESTORING"})

MAX_ASSOCIATION_CHECKS = 60  # looks before an association still ASSOCIATING is repaired
# Looks before a resource RAM lists no association for is repaired: RAM's lists may lag the call that
# associated it, so none yet means still settling, for a while.
MAX_UNLISTED_CHECKS = 12


@dataclass(frozen=True)
class Verdict:
    """Where an association stands: settled (ASSOCIATED), still settling, or why it needs repair or cannot be."""

    settled: bool = False
    repair: str | None = None  # the cause of a repair
    failed: str | None = None  # the reason it cannot be repaired

    @property
    def settling(self) -> bool:
        return not self.settled and self.repair is None and self.failed is None


def judge(association: dict[str, Any] | None, checks: int) -> Verdict:
    """The verdict on a resource's association after `checks` earlier looks found it still settling."""
    if association is None:
        if checks < MAX_UNLISTED_CHECKS:
            return Verdict()
        return Verdict(repair=f"RAM lists no association for the resource after {checks} checks")
    status = association["status"]
    if status == ASSOCIATED:
        return Verdict(settled=True)
    if status == ASSOCIATING:
        if checks < MAX_ASSOCIATION_CHECKS:
            return Verdict()
        return Verdict(repair=f"association still ASSOCIATING after {checks} checks")
    if status in SUSPENSION:
        return Verdict(failed=suspended_reason(association))
    if status in (DISASSOCIATING, DISASSOCIATED):
        return Verdict(repair=f"association {status}: the resource was taken out of the share while it associated")
    return Verdict(repair=cause(association))


def cause(association: dict[str, Any] | None) -> str:
    """Why an association is not ASSOCIATED, in RAM's words."""
    if association is None:
        return "RAM has no association for the resource"
    return f"association {association['status']}: {association.get('statusMessage', 'no message')}"


def suspended_reason(association: dict[str, Any]) -> str:
    said = f" ({association['statusMessage']})" if association.get("statusMessage") else ""
    return (
        f"RAM reports the resource's association {association['status']}{said}: RAM suspended sharing it, which "
        "eum-share cannot undo; ask AWS Support why (the owner account's or the resource's standing), and run the "
        "migration again once RAM shows the association ASSOCIATED"
    )
