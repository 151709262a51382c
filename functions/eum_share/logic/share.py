"""EnsureShareWithPrincipals and AcceptInvitations: principals first, before any resource is associated."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal import artifacts, ram, sms
from eum_share.dal.throttling import busy_wait_seconds
from eum_share.errors import RollbackNotPossible, ShareNotUsable
from eum_share.logic.batch.poll import learn_association_time
from eum_share.logic.context import SHARE_BEFORE, Migration, token
from eum_share.logic.lock import hold_share_lock
from eum_share.models.changes import AddedItem, AddedKind, ShareBefore
from eum_share.models.identifiers import OU_ID
from eum_share.models.ledger import Phase
from eum_share.models.states import LoopOutput

# AWS's sharing guide: adding a principal to a share that already holds many resources makes RAM rewrite
# every one of their policies at once, the most common throttling trigger.
MAX_RESOURCES_FOR_NEW_PRINCIPALS = 10
MAX_CHECKS = 120  # polls (pollSeconds apart) before waiting on principals or invitations is given up
# Invitations that can no longer be accepted, and how to say so.
CLOSED_INVITATIONS = {"REJECTED": "rejected by the account", "EXPIRED": "not accepted before it expired"}


def next_look(migration: Migration, checks_before: int, ready: bool | None) -> LoopOutput:
    """Where a look at principals or invitations leaves its loop. AWS busy (`ready` None) is not a look, only a wait;
    otherwise RAM's guide calls an association "typically quick": the first looks come a second apart, then two,
    four, up to the request's pollSeconds, so that a share ready a moment after a look does not cost the migration
    a whole poll interval."""
    busy = ready is None
    checks = checks_before + (0 if busy else 1)
    poll_seconds = migration.request.options.poll_seconds
    return LoopOutput(
        migration_id=migration.id,
        ready=bool(ready),
        checks=checks,
        wait_seconds=busy_wait_seconds() if busy else min(poll_seconds, int(2 ** max(0, checks - 2))),
    )


def matches_principal(entity: str, principal: str) -> bool:
    """RAM names an OU by its ARN even when it was given by ID."""
    return entity == principal or (bool(OU_ID.fullmatch(principal)) and entity.endswith(f"/{principal}"))


# Documented statuses of a principal association (ResourceShareAssociationStatus) in which RAM has taken the
# principal's access away, or is still giving it back: nothing this migration does changes them, so they end the
# wait with a reason instead of running out the checks.
SUSPENDED = {
    "SUSPENDED": "suspended by RAM",
    "SUSPENDING": "being suspended by RAM",
    "RESTORING": "being restored by RAM after a suspension",
}


def ensure_share(migration: Migration, checks: int) -> bool:
    """Find or create the share with every principal; True once none is still on its way."""
    hold_share_lock(migration)
    request = migration.request
    share = _current_share(migration, checks)
    if share is None:
        if migration.record.share_arn is None:
            _create(migration, request.share.name or "eum-share", note=None)
        return False
    if request.share.allow_external_principals and not share["allowExternalPrincipals"]:
        raise ShareNotUsable(
            f"share {share['resourceShareArn']} refuses external principals, but the request allows them; "
            "allow external principals on the share or name another one"
        )
    wanted = _principal_associations(migration, share["resourceShareArn"])
    missing = _missing(wanted)
    if missing:
        # A fresh token each attempt: the same token would replay the first answer and add nothing, while a
        # principal removed by hand since that first add is still missing.
        _add_principals(migration, share, missing, attempt=checks)
        if migration.record.share_arn != share["resourceShareArn"]:
            return False  # a new share was made for them instead
        wanted = _principal_associations(migration, share["resourceShareArn"])
        missing = _missing(wanted)
    if missing and checks >= MAX_CHECKS:
        raise ShareNotUsable(
            f"principals still not in share {share['resourceShareArn']} after {checks} attempts to add them: "
            f"{', '.join(missing)}"
        )
    failed = [f"{p}: {a.get('statusMessage', a['status'])}" for p, a in wanted.items() if a and a["status"] == "FAILED"]
    if failed:
        raise ShareNotUsable(f"principals could not be associated with the share: {'; '.join(failed)}")
    _refuse_suspended(share["resourceShareArn"], wanted)
    # External accounts stay ASSOCIATING until they accept; AcceptInvitations takes it from there.
    waiting = missing + [p for p, a in wanted.items() if a and a["status"] != "ASSOCIATED" and not a.get("external")]
    if waiting and checks >= MAX_CHECKS:
        raise ShareNotUsable(f"principals still not associated after {checks} checks: {', '.join(waiting)}")
    if not waiting and migration.record.association_ms is None:
        # The principals' association is RAM's first answer on how long an association takes: the first batch
        # waits that long, not a poll interval that may be far off.
        learn_association_time(migration, [a for a in wanted.values() if a and not a.get("external")])
    return not waiting


def _principal_associations(migration: Migration, share_arn: str) -> dict[str, dict[str, Any] | None]:
    """Each principal of the request and its association with the share (None when it has none)."""
    found = list(ram.associations(migration.owner(), share_arn, "PRINCIPAL"))
    return {
        p: next((a for a in found if matches_principal(a["associatedEntity"], p)), None)
        for p in migration.request.principals
    }


def _missing(wanted: dict[str, dict[str, Any] | None]) -> list[str]:
    return [p for p, a in wanted.items() if a is None or a["status"] == "DISASSOCIATED"]


def _refuse_suspended(share_arn: str, wanted: dict[str, dict[str, Any] | None]) -> None:
    suspended = [
        f"{p}: {SUSPENDED[a['status']]} ({a['status']}{', ' + a['statusMessage'] if a.get('statusMessage') else ''})"
        for p, a in wanted.items()
        if a and a["status"] in SUSPENDED
    ]
    if suspended:
        raise ShareNotUsable(
            f"share {share_arn} cannot reach these principals: {'; '.join(suspended)}; nothing was associated. "
            "Run the migration again once RAM shows them ASSOCIATED"
        )


def _current_share(migration: Migration, checks: int) -> dict[str, Any] | None:
    """The share, ACTIVE; None while there is none yet, or the one this migration created is not visible to its
    owner yet (RAM is eventually consistent: the Terraform provider waits for a new share to be found)."""
    request, owner = migration.request, migration.owner()
    arn = migration.record.share_arn or request.share.arn
    share = ram.find_share(owner, arn=arn) if arn else ram.find_share(owner, name=request.share.name)
    if share is None and migration.record.share_created:
        if checks >= MAX_CHECKS:
            raise ShareNotUsable(f"share {arn}, created by this migration, is still not found after {checks} checks")
        return None
    if share is None and arn is not None:
        field = "share.arn" if arn == request.share.arn else "the share this migration recorded"
        raise ShareNotUsable(f"{field}: {arn} is not a share of account {request.owner.account_id} in {request.region}")
    if share is not None and share["status"] != "ACTIVE":
        raise ShareNotUsable(f"share {share['resourceShareArn']} is {share['status']}, not ACTIVE")
    if share is not None and migration.record.share_arn is None:
        created = ram.created_by(share) == migration.id  # made by a run that stopped before recording it
        if not created:
            _keep_share_before(migration, share["resourceShareArn"])
        _remember(migration, share["resourceShareArn"], None, created=created)
    return share


def share_before(migration: Migration) -> ShareBefore:
    """What the migration's share held before the migration (nothing when the migration created it)."""
    record = migration.record
    if record.share_created or record.share_arn is None:
        return ShareBefore(share_arn=record.share_arn or "")
    # A ledger from before shares were recorded has no share-before.json.
    bucket, key = migration.settings.artifact_bucket, migration.key(SHARE_BEFORE)
    before = artifacts.get_model(bucket, key, ShareBefore) if record.records_changes else None
    if before is None or before.share_arn != record.share_arn:
        raise RollbackNotPossible(
            f"migration {migration.id} used share {record.share_arn}, which existed before it, but the ledger has "
            "no record of what that share held then; nothing is done"
        )
    return before


def _keep_share_before(migration: Migration, share_arn: str) -> None:
    """What a share that existed before held, before this migration changes anything in it: a rollback takes
    away only what is not in here."""
    owner = migration.owner()
    before = ShareBefore(
        share_arn=share_arn,
        resources=ram.live_entities(owner, share_arn, "RESOURCE"),
        principals=ram.live_entities(owner, share_arn, "PRINCIPAL"),
    )
    artifacts.put_model(migration.settings.artifact_bucket, migration.key(SHARE_BEFORE), before)


def _add_principals(migration: Migration, share: dict[str, Any], missing: list[str], attempt: int) -> None:
    owner, arn = migration.owner(), share["resourceShareArn"]
    held = ram.live_entities(owner, arn, "RESOURCE")
    if len(held) > MAX_RESOURCES_FOR_NEW_PRINCIPALS:
        _create(
            migration,
            f"{share['name']}-{migration.id}"[:255],
            note=(
                f"share {arn} already holds {len(held)} resources; adding principals to it would make RAM rewrite "
                f"{len(held)} resource policies at once (the throttling trigger AWS warns about), so this migration "
                "uses a new share"
            ),
        )
        return
    if not migration.record.share_created:  # in its own share, principals go with the share
        _snapshot_policies(migration, held)
        for principal in missing:
            added = AddedItem(
                kind=AddedKind.PRINCIPAL, account=migration.request.owner.account_id, name=principal, detail=arn
            )
            migration.ledger.record_added(migration.id, added)
    ram.associate(owner, arn, token(migration.id, "principals", attempt), principals=missing)


def _snapshot_policies(migration: Migration, held: list[str]) -> None:
    """New principals make RAM rewrite the policy of every resource the share holds, and a throttled rewrite can
    empty it: each policy is kept first (share-before.json), and is the snapshot of those this migration moves."""
    owner, bucket, key = migration.owner(), migration.settings.artifact_bucket, migration.key(SHARE_BEFORE)
    before = artifacts.get_model(bucket, key, ShareBefore)
    live = [arn for arn in held if arn not in before.policies]
    if not live:
        return
    policies = {arn: sms.get_policy(owner, arn) or "" for arn in live}
    artifacts.put_model(bucket, key, before.model_copy(update={"policies": before.policies | policies}))
    changes = [
        (record.model_copy(update={"snapshot": policies[record.arn]}), record.status)
        for record in migration.ledger.identities(migration.id, live)
        if record.snapshot is None
    ]
    if changes:
        migration.ledger.save_identities(migration.id, changes)


# What CreateResourceShare answers for a permission it does not know, or two for one resource type.
PERMISSION_REFUSED = ("UnknownResourceException", "InvalidParameterException", "MalformedArnException")


def _create(migration: Migration, name: str, note: str | None) -> None:
    request = migration.request
    try:
        share = ram.create_share(
            migration.owner(),
            name,
            list(request.principals),
            request.share.allow_external_principals,
            list(request.share.permission_arns),
            token(migration.id, "share", name),
            migration.id,
        )
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if not request.share.permission_arns or code not in PERMISSION_REFUSED:
            raise
        raise ShareNotUsable(
            f"share.permissionArns: RAM refused share {name} ({code}: {error.response['Error'].get('Message', '')}); "
            "nothing was created. Name at most one permission per resource type, as `aws ram list-permissions "
            "--resource-type sms-voice:PhoneNumber` (and SenderId, Pool, OptOutList) lists them, or none to get "
            "each type's default"
        ) from error
    _remember(migration, share["resourceShareArn"], note, created=True)


def _remember(migration: Migration, share_arn: str, note: str | None, *, created: bool) -> None:
    fields: dict[str, Any] = {"shareArn": share_arn, "phase": Phase.SHARING.value, "shareCreated": created}
    if note:
        fields["shareNote"] = note
    migration.ledger.update_migration(migration.id, **fields)
    migration.record = migration.record.model_copy(
        update={"share_arn": share_arn, "share_note": note, "share_created": created}
    )


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
            migration.ledger.record_added(
                migration.id,
                AddedItem(
                    kind=AddedKind.INVITATION,
                    account=consumer.account_id,
                    name=invitation["resourceShareInvitationArn"],
                    detail=share_arn,
                ),
            )
            ram.accept_invitation(
                clients,
                invitation["resourceShareInvitationArn"],
                token(migration.id, "accept", invitation["resourceShareInvitationArn"]),
            )
        # An accepted invitation usually shows the share at once: looking again now spares a whole poll interval.
        if pending and ram.share_visible(clients, share_arn):
            continue
        waiting.append(consumer.account_id)
    if waiting:
        # A consumer cannot see a share whose principal RAM suspended: the owner's side says so.
        _refuse_suspended(share_arn, _principal_associations(migration, share_arn))
    if waiting and checks >= MAX_CHECKS:
        raise ShareNotUsable(
            f"share {share_arn} is still not visible in {', '.join(waiting)} after {checks} checks: "
            "is each consumer covered by a principal, and was no invitation rejected?"
        )
    return not waiting
