"""Repairs: this resource alone, taken out of the share and associated again (RAM), or its grant written again
(RESOURCE_POLICY); every statement from before the migration put back."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from eum_share.clock import isonow
from eum_share.dal import ram, sms
from eum_share.logic.batch import association as ram_said
from eum_share.logic.batch.associate import write_grant
from eum_share.logic.batch.run import ChunkRun, moved
from eum_share.logic.context import token
from eum_share.logic.policy import integrity_problems, merged
from eum_share.models.ledger import IdentityRecord, IdentityStatus, Repair
from eum_share.models.request import Strategy

# The ledger's names for the two halves of a RAM repair.
DISASSOCIATING, REASSOCIATING = "DISASSOCIATING", "ASSOCIATING"


def in_flight(run: ChunkRun, identities: list[IdentityRecord]) -> dict[str, dict[str, Any]]:
    """The associations of the identities whose repair waits on RAM, in one read."""
    waiting = [i.arn for i in identities if i.repair_step is not None]
    if run.strategy is Strategy.RESOURCE_POLICY or not waiting:
        return {}
    return ram.associations_of(run.owner, run.m.share_arn, waiting)


def step(run: ChunkRun, identity: IdentityRecord, found: dict[str, Any] | None) -> tuple[IdentityRecord, bool]:
    """One step of repairing an identity, `found` being its association as RAM listed it just before (None: RAM
    lists none); returns its new record and whether to wait for AWS."""
    if identity.repair_step is None:
        return _start(run, identity)
    status = found["status"] if found else ram_said.DISASSOCIATED
    if found is not None and status in ram_said.SUSPENSION:
        reason = ram_said.suspended_reason(found)
        return identity.model_copy(update={"status": IdentityStatus.FAILED, "reason": reason}), False
    attempt = len(identity.repairs)
    if identity.repair_step == DISASSOCIATING:
        if status == ram_said.DISASSOCIATING:
            return identity, True
        ram.associate(
            run.owner, run.m.share_arn, token(run.m.id, identity.arn, "repair", attempt), resources=[identity.arn]
        )
        return identity.model_copy(update={"repair_step": REASSOCIATING}), True
    if status == ram_said.ASSOCIATING:
        return identity, True
    if status != ram_said.ASSOCIATED:
        return identity.model_copy(update={"repair_step": None, "reason": ram_said.cause(found)}), False
    _restore_lost_statements(run, identity)
    return moved(identity, IdentityStatus.ASSOCIATED), False


def _start(run: ChunkRun, identity: IdentityRecord) -> tuple[IdentityRecord, bool]:
    """A new attempt, if any is left: its cause recorded, the grant written again or the resource taken out."""
    if len(identity.repairs) >= run.request.options.max_repair_attempts:
        return identity.model_copy(update={"status": IdentityStatus.FAILED}), False
    repairs = [*identity.repairs, Repair(cause=identity.reason or "unknown", at=isonow())]
    if run.strategy is Strategy.RESOURCE_POLICY:
        write_grant(run, identity)
        return moved(identity, IdentityStatus.ASSOCIATED, repairs=repairs), True
    _disassociate(run, identity.arn, len(repairs))
    return identity.model_copy(update={"repairs": repairs, "repair_step": DISASSOCIATING}), True


def _disassociate(run: ChunkRun, arn: str, attempt: int) -> None:
    try:
        ram.disassociate(run.owner, run.m.share_arn, [arn], token(run.m.id, arn, "disassociate", attempt))
    except ClientError as error:
        # Nothing to take apart: the association never completed or is already gone.
        if error.response["Error"]["Code"] not in ("UnknownResourceException", "InvalidStateTransitionException"):
            raise


def _restore_lost_statements(run: ChunkRun, identity: IdentityRecord) -> None:
    """RAM rewrote its own statements; put back any statement that existed before the migration."""
    current = sms.get_policy(run.owner, identity.arn)
    if integrity_problems(current, [], identity.snapshot):
        sms.put_policy(run.owner, identity.arn, merged(current, identity.snapshot))
