"""AWS RAM, from the owner account: shares, principals, associations."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal.accounts import Clients

MIGRATION_TAG = "eum-share:migration"
LIVE = ("ASSOCIATED", "ASSOCIATING")  # what a share holds, or is taking in
# Up to this many resources are asked about one by one: a call each, where the whole share's associations cost a
# call per 500 of them (ten thousand identities: 20 pages).
RESOURCE_BY_RESOURCE = 5


# What RAM answers for a share ARN the caller cannot see: not its own, not shared with it yet or any more, or no
# share at all (the Terraform provider's acceptance-tested find functions read both as "not found").
NOT_FOUND = ("UnknownResourceException", "ResourceArnNotFoundException")


def _not_found(error: ClientError) -> bool:
    return error.response["Error"]["Code"] in NOT_FOUND


def find_share(ram: Clients, *, arn: str | None = None, name: str | None = None) -> dict[str, Any] | None:
    """The owner's share with this ARN (any status), or its ACTIVE share with this name; None when RAM knows no
    such share of the owner."""
    params: dict[str, Any] = {"resourceOwner": "SELF"}
    if arn is not None:
        params["resourceShareArns"] = [arn]
    else:
        params |= {"name": name, "resourceShareStatus": "ACTIVE"}
    try:
        for page in ram("ram").get_paginator("get_resource_shares").paginate(**params):
            for share in page["resourceShares"]:
                return dict(share)
    except ClientError as error:
        if not _not_found(error):
            raise
    return None


def sent_token(base: str, params: dict[str, Any]) -> str:
    """The client token for a call: `base` (what the caller is doing) and every parameter the call sends. A retry
    sends the same token and is answered as the first call was; a call sending anything else never reuses one,
    which RAM would refuse with IdempotentParameterMismatchException."""
    sent = json.dumps({"base": base, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(sent.encode()).hexdigest()[:64]


def create_share(
    ram: Clients,
    name: str,
    principals: list[str],
    allow_external: bool,
    permissions: list[str],
    token: str,
    migration_id: str,
) -> dict[str, Any]:
    """A share with the principals and no resources: principals first, as AWS's sharing guide says. Its tag names
    the migration, so a run that crashed before recording the share still knows it made it. Without permissions
    RAM attaches each resource type's default managed permission."""
    params: dict[str, Any] = {
        "name": name,
        "principals": sorted(principals),
        "allowExternalPrincipals": allow_external,
        "tags": [{"key": "created-by", "value": "eum-share"}, {"key": MIGRATION_TAG, "value": migration_id}],
    }
    if permissions:
        params["permissionArns"] = sorted(permissions)
    response = ram("ram").create_resource_share(**params, clientToken=sent_token(token, params))
    return dict(response["resourceShare"])


def created_by(share: dict[str, Any]) -> str | None:
    """The migration that created this share, from its tag."""
    return next((str(t["value"]) for t in share.get("tags", []) if t.get("key") == MIGRATION_TAG), None)


def associations(ram: Clients, share_arn: str, kind: str, resource_arn: str | None = None) -> Iterator[dict[str, Any]]:
    """Every association of the share of that kind (RESOURCE or PRINCIPAL), or only the resource's. Always follows
    nextToken: RAM can answer an empty page that still carries one."""
    params: dict[str, Any] = {"associationType": kind, "resourceShareArns": [share_arn], "maxResults": 500}
    if resource_arn is not None:
        params["resourceArn"] = resource_arn
    while True:
        page = ram("ram").get_resource_share_associations(**params)
        yield from page["resourceShareAssociations"]
        if not page.get("nextToken"):
            return
        params["nextToken"] = page["nextToken"]


def live_entities(ram: Clients, share_arn: str, kind: str) -> list[str]:
    """The resources or principals (RESOURCE, PRINCIPAL) the share holds now, or is taking in."""
    return [a["associatedEntity"] for a in associations(ram, share_arn, kind) if a["status"] in LIVE]


def associations_of(ram: Clients, share_arn: str, arns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each of these resources' association with the share, whatever its status; a resource RAM lists no
    association for is left out. A few are asked resource by resource (`resourceArn`), a call each however large
    the share; more in one read of the whole share, every page (500 to a page), matched here."""
    wanted = set(arns)
    if len(wanted) <= RESOURCE_BY_RESOURCE:
        return {
            a["associatedEntity"]: a for arn in sorted(wanted) for a in associations(ram, share_arn, "RESOURCE", arn)
        }
    return {
        a["associatedEntity"]: a for a in associations(ram, share_arn, "RESOURCE") if a["associatedEntity"] in wanted
    }


def associate(
    ram: Clients, share_arn: str, token: str, *, resources: Sequence[str] = (), principals: Sequence[str] = ()
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"resourceShareArn": share_arn}
    if resources:
        params["resourceArns"] = sorted(resources)
    if principals:
        params["principals"] = sorted(principals)
    answer = ram("ram").associate_resource_share(**params, clientToken=sent_token(token, params))
    return list(answer["resourceShareAssociations"])


def disassociate(ram: Clients, share_arn: str, resources: list[str], token: str) -> list[dict[str, Any]]:
    response = ram("ram").disassociate_resource_share(
        resourceShareArn=share_arn, resourceArns=resources, clientToken=token
    )
    return list(response["resourceShareAssociations"])


def disassociate_principals(ram: Clients, share_arn: str, principals: list[str], token: str) -> None:
    ram("ram").disassociate_resource_share(resourceShareArn=share_arn, principals=principals, clientToken=token)


def delete_share(ram: Clients, share_arn: str, token: str) -> None:
    ram("ram").delete_resource_share(resourceShareArn=share_arn, clientToken=token)


def invitations(consumer: Clients, share_arn: str) -> list[dict[str, Any]]:
    """The consuming account's invitations to this share, whatever their status. Every invitation is read and
    matched here rather than asked for by share ARN: RAM may answer that filter with UnknownResourceException for a
    share the caller cannot see yet, and an invitation must never be missed for it."""
    pages = consumer("ram").get_paginator("get_resource_share_invitations").paginate()
    return [
        invitation
        for page in pages
        for invitation in page["resourceShareInvitations"]
        if invitation["resourceShareArn"] == share_arn
    ]


def accept_invitation(consumer: Clients, invitation_arn: str, token: str) -> None:
    """Accept it; an invitation accepted already (by an earlier attempt, or by hand) is done too."""
    try:
        consumer("ram").accept_resource_share_invitation(resourceShareInvitationArn=invitation_arn, clientToken=token)
    except ClientError as error:
        if error.response["Error"]["Code"] != "ResourceShareInvitationAlreadyAcceptedException":
            raise


def share_visible(consumer: Clients, share_arn: str) -> bool:
    """Does the consuming account see the share as ACTIVE (shared with it)? Not yet, while RAM does not know
    the share to that account."""
    # Every page: RAM "can occasionally return an empty set of results even when there are more results".
    pages = consumer("ram").get_paginator("get_resource_shares")
    try:
        return any(
            share["status"] == "ACTIVE"
            for page in pages.paginate(resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[share_arn])
            for share in page["resourceShares"]
        )
    except ClientError as error:
        if _not_found(error):
            return False
        raise


def organization_sharing_enabled(owner: Clients) -> bool | None:
    """Is RAM trusted by the owner's organization? None when the owner cannot tell (not the management
    account or a delegated administrator)."""
    paginator = owner("organizations").get_paginator("list_aws_service_access_for_organization")
    try:
        return any(
            service["ServicePrincipal"] == "ram.amazonaws.com"
            for page in paginator.paginate()
            for service in page["EnabledServicePrincipals"]
        )
    except ClientError as error:
        if error.response["Error"]["Code"] in ("AccessDeniedException", "AWSOrganizationsNotInUseException"):
            return None
        raise


def pending_invitations(owner: Clients) -> int:
    """The owner's invitations not yet answered, to accounts inside its organization or not: RAM keeps a principal
    association ASSOCIATING until its invitation is accepted. One reached without an invitation (an organization
    with sharing enabled) is ASSOCIATING only for a moment, so this may count a few more, never fewer."""
    paginator = owner("ram").get_paginator("get_resource_share_associations")
    pages = paginator.paginate(associationType="PRINCIPAL", associationStatus="ASSOCIATING")
    return sum(len(page["resourceShareAssociations"]) for page in pages)
