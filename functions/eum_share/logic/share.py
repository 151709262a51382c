"""EnsureShareWithPrincipals and AcceptInvitations: principals first, before any resource is associated."""

from __future__ import annotations

from typing import Any

from eum_share.dal import ram
from eum_share.errors import ShareNotUsable
from eum_share.logic.context import Migration, token
from eum_share.logic.lock import hold_share_lock
from eum_share.models.identifiers import OU_ID
from eum_share.models.ledger import Phase

# AWS's sharing guide: adding a principal to a share that already holds many resources makes RAM rewrite
# every one of their policies at once, the most common throttling trigger.
MAX_RESOURCES_FOR_NEW_PRINCIPALS = 10
MAX_CHECKS = 120  # polls (pollSeconds apart) before waiting on principals or invitations is given up
# Invitations that can no longer be accepted, and how to say so.
CLOSED_INVITATIONS = {"REJECTED": "rejected by the account", "EXPIRED": "not accepted before it expired"}


def _matches(entity: str, principal: str) -> bool:
    """RAM names an OU by its ARN even when it was given by ID."""
    return entity == principal or (bool(OU_ID.match(principal)) and entity.endswith(f"/{principal}"))


def ensure_share(migration: Migration, checks: int) -> bool:
    """Find or create the share with every principal; True once none is still on its way."""
    hold_share_lock(migration)
    request, owner = migration.request, migration.owner()
    share = _current_share(migration)
    if share is None:
        _create(migration, request.share.name or "eum-share", note=None)
        return False
    if request.share.allow_external_principals and not share["allowExternalPrincipals"]:
        raise ShareNotUsable(
            f"share {share['resourceShareArn']} refuses external principals, but the request allows them; "
            "allow external principals on the share or name another one"
        )
    principals = {a["associatedEntity"]: a for a in ram.associations(owner, share["resourceShareArn"], "PRINCIPAL")}
    wanted = {p: next((a for e, a in principals.items() if _matches(e, p)), None) for p in request.principals}
    missing = [
        p for p, association in wanted.items() if association is None or association["status"] == "DISASSOCIATED"
    ]
    if missing:
        _add_principals(migration, share, missing)
        return False
    failed = [f"{p}: {a.get('statusMessage', a['status'])}" for p, a in wanted.items() if a and a["status"] == "FAILED"]
    if failed:
        raise ShareNotUsable(f"principals could not be associated with the share: {'; '.join(failed)}")
    # External accounts stay ASSOCIATING until they accept; AcceptInvitations takes it from there.
    waiting = [p for p, a in wanted.items() if a and a["status"] != "ASSOCIATED" and not a.get("external")]
    if waiting and checks >= MAX_CHECKS:
        raise ShareNotUsable(f"principals still not associated after {checks} checks: {', '.join(waiting)}")
    return not waiting


def _current_share(migration: Migration) -> dict[str, Any] | None:
    request, owner = migration.request, migration.owner()
    arn = migration.record.share_arn or request.share.arn
    share = ram.find_share(owner, arn=arn) if arn else ram.find_share(owner, name=request.share.name)
    if share is None and arn is not None:
        raise ShareNotUsable(f"share {arn} is not a share of account {request.owner.account_id}")
    if share is not None and share["status"] != "ACTIVE":
        raise ShareNotUsable(f"share {share['resourceShareArn']} is {share['status']}, not ACTIVE")
    if share is not None and migration.record.share_arn is None:
        _remember(migration, share["resourceShareArn"], None)
    return share


def _add_principals(migration: Migration, share: dict[str, Any], missing: list[str]) -> None:
    owner, arn = migration.owner(), share["resourceShareArn"]
    held = sum(1 for a in ram.associations(owner, arn, "RESOURCE") if a["status"] in ("ASSOCIATED", "ASSOCIATING"))
    if held > MAX_RESOURCES_FOR_NEW_PRINCIPALS:
        _create(
            migration,
            f"{share['name']}-{migration.id}"[:255],
            note=(
                f"share {arn} already holds {held} resources; adding principals to it would make RAM rewrite "
                f"{held} resource policies at once (the throttling trigger AWS warns about), so this migration "
                "uses a new share"
            ),
        )
        return
    ram.associate(owner, arn, token(migration.id, "principals", *sorted(missing)), principals=missing)


def _create(migration: Migration, name: str, note: str | None) -> None:
    request = migration.request
    share = ram.create_share(
        migration.owner(),
        name,
        list(request.principals),
        request.share.allow_external_principals,
        list(request.share.permission_arns),
        token(migration.id, "share", name),
    )
    _remember(migration, share["resourceShareArn"], note)


def _remember(migration: Migration, share_arn: str, note: str | None) -> None:
    fields: dict[str, Any] = {"shareArn": share_arn, "phase": Phase.SHARING.value}
    if note:
        fields["shareNote"] = note
    migration.ledger.update_migration(migration.id, **fields)
    migration.record = migration.record.model_copy(update={"share_arn": share_arn, "share_note": note})


def accept_invitations(migration: Migration, checks: int) -> bool:
    """From inside each consuming account: accept the share's invitation if one waits; True once every
    consumer sees the share."""
    hold_share_lock(migration)
    migration.ledger.update_migration(migration.id, phase=Phase.INVITATIONS.value)
    share_arn = migration.share_arn
    waiting: list[str] = []
    for consumer in migration.request.consumers:
        clients = migration.consumer(consumer)
        if ram.share_visible(clients, share_arn):
            continue
        invitations = ram.invitations(clients, share_arn)
        pending = [i for i in invitations if i["status"] == "PENDING"]
        closed = [i for i in invitations if i["status"] in CLOSED_INVITATIONS]
        if closed and not pending:
            # Nobody can accept it any more, and RAM sends no other: waiting would only run out the checks.
            raise ShareNotUsable(
                f"consumer {consumer.account_id} can never see share {share_arn}: its invitation was "
                f"{CLOSED_INVITATIONS[closed[0]['status']]}; nothing was associated. Remove the principal from the "
                "share and re-run the migration: it adds the principal again, with a new invitation to accept"
            )
        for invitation in pending:
            ram.accept_invitation(
                clients,
                invitation["resourceShareInvitationArn"],
                token(migration.id, "accept", invitation["resourceShareInvitationArn"]),
            )
        waiting.append(consumer.account_id)
    if waiting and checks >= MAX_CHECKS:
        raise ShareNotUsable(
            f"share {share_arn} is still not visible in {', '.join(waiting)} after {checks} checks: "
            "is each consumer covered by a principal, and was no invitation rejected?"
        )
    return not waiting
