"""AWS Resource Access Manager for End User Messaging SMS resources, asynchronous as the real one is.

Associations start ASSOCIATING and settle after `association_seconds` of simulated time. RAM grants access
by writing a statement per share on each shared resource's policy, through the End User Messaging fake;
those writes can be throttled inside RAM and then empty a policy (see `writes`).
"""

from __future__ import annotations

import copy
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from twin.errors import TwinError
from twin.orgs import RAM_PRINCIPAL, enable_trusted_access, membership, ou_exists, trusted_access
from twin.services.base import CallContext, ServiceFake
from twin.services.ram import principals as principal_kinds
from twin.services.ram.catalogue import (
    DEFAULT_PERMISSIONS,
    PERMISSIONS,
    RESOURCE_TYPES,
    ManagedPermission,
    resource_types,
)
from twin.services.ram.model import (
    ACCEPTED,
    ACTIVE,
    ASSOCIATED,
    ASSOCIATING,
    DELETED,
    DISASSOCIATED,
    DISASSOCIATING,
    EXPIRED,
    FAILED,
    LIVE,
    PENDING,
    PRINCIPAL,
    REJECTED,
    RESOURCE,
    RESTORING,
    SUSPENDED,
    SUSPENDING,
    Association,
    Invitation,
    RamState,
    Replay,
    Share,
)
from twin.services.ram.paging import page
from twin.services.ram.writes import PolicyWrite, PolicyWriter

if TYPE_CHECKING:
    from twin.world import World

Row = TypeVar("Row")

MAX_RESOURCES_PER_CALL = 100
MAX_PENDING_INVITATIONS = 20
MAX_TAGS = 50

_SHARE_ARN = re.compile(r"^arn:aws:ram:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):resource-share/(?P<id>[\w-]+)$")
_INVITATION_ARN = re.compile(r"^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share-invitation/[\w-]+$")
_ARN = re.compile(
    r"^arn:aws:(?P<service>[a-z0-9-]+):(?P<region>[a-z0-9-]*):(?P<account>\d{12}):(?P<kind>[a-z-]+)[/:].+$"
)
_PERMISSION_ARN = re.compile(r"^arn:aws:ram::(aws|\d{12}):permission/[\w.-]+$")

# How a principal joins a share: at once inside an organization that shares with RAM, else by invitation.
_DIRECT = "direct"
_INVITE = "invite"


class SharedResources(Protocol):
    """What RAM needs from End User Messaging SMS: its resources and their resource policies."""

    def shareable_resource(self, arn: str) -> str | None: ...

    def write_ram_statements(self, arn: str, statement_id: str, principals: list[str], actions: list[str]) -> None: ...

    def remove_ram_statements(self, arn: str, statement_id: str) -> None: ...

    def empty_policy(self, arn: str) -> None: ...


def _error(code: str, message: str) -> TwinError:
    # Every RAM error shape the model gives is HTTP 400 except throttling (429), which the router raises.
    return TwinError(code, message, 400)


def _unknown_share(arn: str) -> TwinError:
    return _error("UnknownResourceException", f"ResourceShare {arn} could not be found.")


class RamFake(ServiceFake[RamState]):
    service_name = "ram"
    endpoint_prefix = "ram"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        # Organizations whose management account called EnableSharingWithAwsOrganization. The call creates
        # a service-linked role, which is global, so it holds in every Region.

    # -- plumbing ------------------------------------------------------------------------------------------
    def new_state(self, account: str, region: str) -> RamState:
        writer = PolicyWriter(
            self.world,
            sync=lambda share_arn, arn: self._sync_policy(account, region, share_arn, arn),
            empty=lambda arn: self._resources().empty_policy(arn),
        )
        return RamState(account, region, writer)

    def handle(self, ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        self._expire_invitations()
        return super().handle(ctx, params)

    def validation_error(self, problems: list[tuple[str, str]]) -> TwinError:
        return _error("InvalidParameterException", "; ".join(f"{name} {problem}" for name, problem in problems))

    def _resources(self) -> SharedResources:
        resources: SharedResources = self.world.fake("sms-voice")
        return resources

    def _now(self) -> datetime:
        return self.world.clock.datetime(self.world.now())

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.world.ids.getrandbits(128), version=4))

    def _delay(self) -> float:
        return self.world.faults.config.association_seconds

    def _idempotent(
        self, ctx: CallContext, params: dict[str, Any], run: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        """Replay a call retried with the same client token; refuse the token with other parameters."""
        state = self.state(ctx.account, ctx.region)
        token: str | None = params.get("clientToken")
        fingerprint = json.dumps({k: v for k, v in params.items() if k != "clientToken"}, sort_keys=True, default=str)
        if token is not None and (replay := state.replays.get((ctx.operation, token))) is not None:
            if replay.fingerprint != fingerprint:
                raise _error(
                    "IdempotentParameterMismatchException",
                    f"The client token {token} was already used with different parameters.",
                )
            return copy.deepcopy(replay.response)
        response = run()
        response["clientToken"] = token or self._uuid()
        if token is not None:
            state.replays[(ctx.operation, token)] = Replay(fingerprint, copy.deepcopy(response))
        return response

    def _page(self, ctx: CallContext, rows: Sequence[Row], params: dict[str, Any]) -> tuple[list[Row], str | None]:
        """One page of `rows` by maxResults/nextToken (and the fault plan's page cap)."""
        return page(ctx.operation, rows, params.get("nextToken"), params.get("maxResults"), self.world.faults)

    def _regional_states(self, region: str) -> Iterator[RamState]:
        return (state for (_, where), state in self.states().items() if where == region)

    def _owned_share(self, ctx: CallContext, arn: str) -> Share:
        if not _SHARE_ARN.match(arn):
            raise _error("MalformedArnException", f"The specified resource share ARN {arn} is not valid.")
        share = self.state(ctx.account, ctx.region).shares.get(arn)
        if share is None:
            raise _unknown_share(arn)
        return share

    def _active_share(self, ctx: CallContext, arn: str) -> Share:
        share = self._owned_share(ctx, arn)
        if share.status != ACTIVE:
            raise _error("InvalidStateTransitionException", f"The resource share {arn} is {share.status}.")
        return share

    def _organization_sharing(self, account: str) -> bool:
        member = membership(account)
        return member is not None and trusted_access(member.management_account, RAM_PRINCIPAL)

    def _visible(self, share: Share, account: str) -> bool:
        """A consumer sees a share once a principal covering it is ASSOCIATED (external: after accepting)."""
        return (
            share.status == ACTIVE
            and share.owner != account
            and any(principal_kinds.covers(p, account) for p in share.granted_principals())
        )

    def _shares_for(self, ctx: CallContext, owner: str) -> list[Share]:
        if owner == "SELF":
            return list(self.state(ctx.account, ctx.region).shares.values())
        return [
            share
            for state in self._regional_states(ctx.region)
            if state.account != ctx.account
            for share in state.shares.values()
            if self._visible(share, ctx.account)
        ]

    # -- checks shared by create and associate ---------------------------------------------------------------
    def _check_resources(self, ctx: CallContext, arns: list[str]) -> dict[str, str]:
        """Each ARN's resource type, once every ARN names a shareable resource the caller owns."""
        if len(arns) > MAX_RESOURCES_PER_CALL:
            raise _error(
                "ResourceShareLimitExceededException",
                f"You can associate up to {MAX_RESOURCES_PER_CALL} resources per call; got {len(arns)}.",
            )
        found: dict[str, str] = {}
        for arn in arns:
            match = _ARN.match(arn)
            if match is None:
                raise _error(
                    "MalformedArnException",
                    f"The specified resource ARN {arn} is not valid. Verify the ARN and try again.",
                )
            if match["service"] != "sms-voice" or match["kind"] not in RESOURCE_TYPES:
                raise _error("MalformedArnException", "You cannot share the selected resource type.")
            if match["account"] != ctx.account:
                # Also what a consumer gets for a resource shared with it: only owners can share.
                raise _error(
                    "OperationNotPermittedException",
                    f"The resource {arn} is not owned by account {ctx.account}; "
                    "only resources that you own can be shared.",
                )
            resource_type = self._resources().shareable_resource(arn) if match["region"] == ctx.region else None
            if resource_type is None:
                raise _error("UnknownResourceException", f"The resource {arn} could not be found.")
            found[arn] = resource_type
        return found

    def _route_principal(self, owner: str, allow_external: bool, value: str) -> tuple[str, bool]:
        """How `value` joins a share of `owner`, and whether it is outside the owner's organization."""
        parsed = principal_kinds.parse(value)
        if parsed is None:
            if value.startswith("arn:"):
                raise _error("MalformedArnException", f"The specified principal ARN {value} is not valid.")
            raise _error(
                "InvalidParameterException",
                f"Principal ID {value} is malformed. Verify the ID and try again.",
            )
        if parsed.kind in (principal_kinds.IAM, principal_kinds.SERVICE):
            raise _error(
                "OperationNotPermittedException",
                "End User Messaging SMS resources can be shared only with accounts, "
                f"organizational units and organizations, not with {value}.",
            )
        organization = membership(owner)
        if parsed.kind in (principal_kinds.ORGANIZATION, principal_kinds.OU):
            if organization is None or organization.org_id != parsed.org_id:
                raise _error("UnknownResourceException", f"Organization {parsed.org_id} could not be found.")
            if parsed.ou_id is not None and not ou_exists(organization.management_account, parsed.ou_id):
                raise _error("UnknownResourceException", f"OrganizationalUnit {parsed.ou_id} could not be found.")
            if not trusted_access(organization.management_account, RAM_PRINCIPAL):
                raise _error(
                    "OperationNotPermittedException",
                    "Sharing with organizations and organizational units needs sharing with AWS "
                    "Organizations enabled (EnableSharingWithAwsOrganization in the management account).",
                )
            return _DIRECT, False
        if value == owner:
            raise _error("InvalidParameterException", "The owner of a resource share cannot be its principal.")
        inside = principal_kinds.same_organization(owner, value)
        if inside and self._organization_sharing(owner):
            return _DIRECT, False
        if not allow_external:
            raise _error(
                "OperationNotPermittedException",
                f"The resource share does not allow external principals, and {value} is not in "
                "the owner's organization with sharing enabled.",
            )
        return _INVITE, not inside

    def _check_principals(self, state: RamState, share: Share, values: list[str]) -> dict[str, tuple[str, bool]]:
        routes = {value: self._route_principal(state.account, share.allow_external, value) for value in values}
        invitations = sum(
            1
            for value, (route, _) in routes.items()
            if route == _INVITE and not self._live(share.principals.get(value))
        )
        if state.pending_invitations() + invitations > MAX_PENDING_INVITATIONS:
            # RAM's quota of pending invitations per sharing account. The model has no invitation-specific
            # error; ResourceShareLimitExceededException is its error for an exceeded sharing quota.
            raise _error(
                "ResourceShareLimitExceededException",
                f"Account {state.account} would exceed {MAX_PENDING_INVITATIONS} pending invitations.",
            )
        return routes

    @staticmethod
    def _live(association: Association | None) -> bool:
        return association is not None and association.status in LIVE

    @staticmethod
    def _check_transitions(share: Share, resources: Iterable[str], principals: Iterable[str]) -> None:
        for group, entities in ((share.resources, resources), (share.principals, principals)):
            for entity in entities:
                existing = group.get(entity)
                if existing is not None and existing.status == DISASSOCIATING:
                    raise _error(
                        "InvalidStateTransitionException",
                        f"{entity} is still being disassociated from {share.arn}.",
                    )

    @staticmethod
    def _check_tags(tags: list[dict[str, str]], existing: int = 0) -> dict[str, str]:
        parsed = {tag.get("key", ""): tag.get("value", "") for tag in tags}
        for key in parsed:
            if not key:
                raise _error("InvalidParameterException", "A tag key must not be empty.")
            if key.lower().startswith("aws:"):
                raise _error("TagPolicyViolationException", f"The tag key {key} uses the reserved prefix aws:.")
        if existing + len(parsed) > MAX_TAGS:
            raise _error("TagLimitExceededException", f"A resource share can have at most {MAX_TAGS} tags.")
        return parsed

    # -- associations --------------------------------------------------------------------------------------
    def _associate(
        self,
        state: RamState,
        share: Share,
        resources: dict[str, str],
        principals: dict[str, tuple[str, bool]],
    ) -> list[Association]:
        touched: list[Association] = []
        for value, (route, external) in principals.items():
            touched.append(self._associate_principal(state, share, value, route, external))
        for arn, resource_type in resources.items():
            touched.append(self._associate_resource(state, share, arn, resource_type))
        share.updated = self._now()
        return touched

    def _associate_principal(
        self, state: RamState, share: Share, value: str, route: str, external: bool
    ) -> Association:
        existing = share.principals.get(value)
        if existing is not None and existing.status in LIVE:
            return existing
        now = self._now()
        association = Association(value, PRINCIPAL, ASSOCIATING, now, now, external=external)
        share.principals[value] = association
        epoch = association.epoch
        if route == _DIRECT:
            self.world.schedule(self._delay(), lambda: self._principal_joined(state, share, association, epoch))
        else:
            self._invite(state, share, association)
        return association

    def _principal_joined(self, state: RamState, share: Share, association: Association, epoch: int) -> None:
        if association.epoch != epoch:
            return
        association.move(ASSOCIATED, self._now())
        self._rewrite_policies(state, share)

    def _rewrite_policies(self, state: RamState, share: Share) -> None:
        """A change of principals makes RAM write the policy of every resource already in the share."""
        for association in share.resources.values():
            if association.status == ASSOCIATED:
                state.writer.request(PolicyWrite(share.arn, association.entity, lambda: None))

    def _associate_resource(self, state: RamState, share: Share, arn: str, resource_type: str) -> Association:
        existing = share.resources.get(arn)
        if existing is not None and existing.status in LIVE:
            return existing
        now = self._now()
        association = Association(arn, RESOURCE, ASSOCIATING, now, now, resource_type=resource_type)
        share.resources[arn] = association
        epoch = association.epoch
        faults = self.world.faults
        if faults.fail_association():
            self.world.schedule(self._delay(), lambda: self._resource_failed(association, epoch))
        elif share.granted_principals():
            state.writer.request(PolicyWrite(share.arn, arn, lambda: self._settle(association, epoch, ASSOCIATED)))
        else:
            self.world.schedule(self._delay(), lambda: self._resource_joined(state, share, association, epoch))
        return association

    def _resource_joined(self, state: RamState, share: Share, association: Association, epoch: int) -> None:
        """If a principal was granted since the resource came, the association waits for the policy."""
        if association.epoch != epoch:
            return
        if share.granted_principals():
            state.writer.request(
                PolicyWrite(share.arn, association.entity, lambda: self._settle(association, epoch, ASSOCIATED))
            )
        else:
            association.move(ASSOCIATED, self._now())

    def _resource_failed(self, association: Association, epoch: int) -> None:
        if association.epoch == epoch:
            association.move(FAILED, self._now(), "The resource could not be associated because of an internal error.")

    def _settle(self, association: Association, epoch: int, status: str) -> None:
        if association.epoch == epoch:
            association.move(status, self._now())

    def _disassociate_resource(self, state: RamState, share: Share, association: Association) -> None:
        had_grants = bool(share.granted_principals())
        epoch = association.move(DISASSOCIATING, self._now())

        def done() -> None:
            self._settle(association, epoch, DISASSOCIATED)

        if had_grants:
            state.writer.request(PolicyWrite(share.arn, association.entity, done))
        else:
            self.world.schedule(self._delay(), done)

    def _disassociate_principal(self, state: RamState, share: Share, association: Association) -> None:
        was_granted = association.status == ASSOCIATED
        self._leave(association)
        self._withdraw_invitations(state, share.arn, association.entity)
        if was_granted:
            self._rewrite_policies(state, share)

    def _leave(self, association: Association) -> None:
        """A principal leaves a share: DISASSOCIATING now, DISASSOCIATED after the usual delay."""
        epoch = association.move(DISASSOCIATING, self._now())
        self.world.schedule(self._delay(), lambda: self._settle(association, epoch, DISASSOCIATED))

    # -- suspensions: RAM's doing, not the caller's -----------------------------------------------------------
    def suspend_resource(self, account: str, region: str, share_arn: str, arn: str) -> None:
        """RAM suspends a resource's association: SUSPENDING, then SUSPENDED once the share's statements are off
        its policy. Nothing documents what makes RAM do so (ResourceShareAssociationStatus only lists the
        statuses), nor any call that does it: this is the fault plan's and the tests' way in
        (docs/aws-assumptions.md, "RAM association statuses")."""
        state = self.state(account, region)
        share = state.shares[share_arn]
        association = share.resources[arn]
        epoch = association.move(SUSPENDING, self._now())
        self.world.faults.count("association-suspended")
        state.writer.request(PolicyWrite(share_arn, arn, lambda: self._settle(association, epoch, SUSPENDED)))

    def restore_resource(self, account: str, region: str, share_arn: str, arn: str) -> None:
        """RAM lifts a suspension: RESTORING, then ASSOCIATED once the share's statements are back."""
        state = self.state(account, region)
        share = state.shares[share_arn]
        association = share.resources[arn]
        epoch = association.move(RESTORING, self._now())
        state.writer.request(PolicyWrite(share_arn, arn, lambda: self._settle(association, epoch, ASSOCIATED)))

    def _listed_yet(self, association: Association) -> bool:
        """RAM's reads may lag its writes: a resource association younger than the fault plan's listing lag is
        not listed yet (assumed: nothing documents read-after-write for RAM's lists)."""
        lag = self.world.faults.config.association_listing_lag_seconds
        if association.kind != RESOURCE or (self._now() - association.created).total_seconds() >= lag:
            return True
        self.world.faults.count("unlisted-association")
        return False

    def _sync_policy(self, account: str, region: str, share_arn: str, arn: str) -> None:
        """Make the resource's statements for the share say what the share says now."""
        resources = self._resources()
        if resources.shareable_resource(arn) is None:
            return
        share = self.state(account, region).shares[share_arn]
        association = share.resources.get(arn)
        grantees = share.granted_principals()
        granting = (*LIVE, RESTORING)
        if share.status == ACTIVE and association is not None and association.status in granting and grantees:
            actions = list(_permission_for(share, association.resource_type or "").actions)
            resources.write_ram_statements(arn, share.statement_id, grantees, actions)
        else:
            resources.remove_ram_statements(arn, share.statement_id)

    # -- invitations ---------------------------------------------------------------------------------------
    def _invite(self, state: RamState, share: Share, association: Association) -> None:
        arn = f"arn:aws:ram:{state.region}:{state.account}:resource-share-invitation/{self._uuid()}"
        invitation = Invitation(arn, share.arn, share.name, state.account, association.entity, self.world.clock.now())
        state.invitations[arn] = invitation
        if association.entity in self.world.faults.config.rejecting_accounts:
            self.world.schedule(self._delay(), lambda: self._rejected_on_arrival(share, association, invitation))

    def _rejected_on_arrival(self, share: Share, association: Association, invitation: Invitation) -> None:
        """The fault plan's rejecting consumer says no, as RejectResourceShareInvitation does."""
        if invitation.status == PENDING:
            self.world.faults.count("invitation-rejected")
            self._reject(share, association, invitation)

    def _reject(self, share: Share, association: Association, invitation: Invitation) -> None:
        invitation.status = REJECTED
        association.move(FAILED, self._now(), "The resource share invitation was rejected.")

    def _expire_invitations(self) -> None:
        """Pending invitations past their expiry become EXPIRED, and their principal association FAILED.

        Swept before every call instead of scheduled: a scheduled expiry would make `world.settle()` jump
        simulated time a week ahead whenever an invitation was ever sent.
        """
        lifetime = self.world.faults.config.invitation_expiry_seconds
        now = self.world.clock.now()
        for state in self.states().values():
            for invitation in state.invitations.values():
                if invitation.status != PENDING or now < invitation.sent_at + lifetime:
                    continue
                invitation.status = EXPIRED
                self.world.faults.count("invitation-expired")
                association = state.shares[invitation.share_arn].principals[invitation.receiver]
                association.move(
                    FAILED,
                    self.world.clock.datetime(invitation.sent_at + lifetime),
                    "The resource share invitation expired before it was accepted.",
                )

    @staticmethod
    def _withdraw_invitations(state: RamState, share_arn: str, receiver: str | None = None) -> None:
        """Pending invitations of a principal that left the share, or of a deleted share, disappear."""
        for arn, invitation in list(state.invitations.items()):
            if (
                invitation.share_arn == share_arn
                and invitation.status == PENDING
                and receiver in (None, invitation.receiver)
            ):
                del state.invitations[arn]

    def _received(self, ctx: CallContext) -> Iterator[tuple[RamState, Invitation]]:
        for state in self._regional_states(ctx.region):
            for invitation in state.invitations.values():
                if invitation.receiver == ctx.account:
                    yield state, invitation

    def _invitation(self, ctx: CallContext, arn: str) -> tuple[RamState, Invitation]:
        if not _INVITATION_ARN.match(arn):
            raise _error("MalformedArnException", f"The specified invitation ARN {arn} is not valid.")
        found = next(((s, i) for s, i in self._received(ctx) if i.arn == arn), None)
        if found is None:
            raise _error("ResourceShareInvitationArnNotFoundException", f"Invitation {arn} could not be found.")
        state, invitation = found
        closed = {
            ACCEPTED: "ResourceShareInvitationAlreadyAcceptedException",
            REJECTED: "ResourceShareInvitationAlreadyRejectedException",
            EXPIRED: "ResourceShareInvitationExpiredException",
        }
        if invitation.status in closed:
            raise _error(closed[invitation.status], f"Invitation {arn} is already {invitation.status}.")
        return state, invitation

    def _answer(self, ctx: CallContext, params: dict[str, Any], accept: bool) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            state, invitation = self._invitation(ctx, params["resourceShareInvitationArn"])
            share = state.shares[invitation.share_arn]
            association = share.principals[invitation.receiver]
            if accept:
                invitation.status = ACCEPTED
                association.move(ASSOCIATED, self._now())
                self._rewrite_policies(state, share)
            else:
                self._reject(share, association, invitation)
            return {"resourceShareInvitation": invitation.render()}

        return self._idempotent(ctx, params, run)

    # -- operations: resource shares ----------------------------------------------------------------------
    def create_resource_share(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            state = self.state(ctx.account, ctx.region)
            if params.get("sources"):
                raise _error(
                    "InvalidParameterException",
                    "Source constraints apply only to service principals, which cannot receive "
                    "End User Messaging SMS resources.",
                )
            permission_arns: list[str] = params.get("permissionArns", [])
            self._check_permissions(permission_arns)
            tags = self._check_tags(params.get("tags", []))
            now = self._now()
            share = Share(
                arn=f"arn:aws:ram:{ctx.region}:{ctx.account}:resource-share/{self._uuid()}",
                name=params["name"],
                owner=ctx.account,
                region=ctx.region,
                allow_external=params.get("allowExternalPrincipals", True),
                permission_arns=permission_arns,
                created=now,
                updated=now,
                tags=tags,
                configuration=params.get("resourceShareConfiguration"),
            )
            resources = self._check_resources(ctx, params.get("resourceArns", []))
            principals = self._check_principals(state, share, params.get("principals", []))
            state.shares[share.arn] = share
            self._associate(state, share, resources, principals)
            return {"resourceShare": share.render()}

        return self._idempotent(ctx, params, run)

    def get_resource_shares(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        shares = self._shares_for(ctx, params["resourceOwner"])
        wanted = params.get("resourceShareArns")
        for arn in wanted or []:
            if not _SHARE_ARN.match(arn):
                raise _error("MalformedArnException", f"The specified resource share ARN {arn} is not valid.")
            if all(share.arn != arn for share in shares):
                # Named by ARN, a share the caller cannot see (not its own; not shared with it yet, or any more)
                # is unknown, not an empty list: the Terraform provider's acceptance-tested find functions read
                # UnknownResourceException from GetResourceShares as "not found".
                raise _unknown_share(arn)
        tag_filters = params.get("tagFilters", [])

        def selected(share: Share) -> bool:
            return (
                (wanted is None or share.arn in wanted)
                and params.get("resourceShareStatus") in (None, share.status)
                and params.get("name") in (None, share.name)
                and params.get("permissionArn") in (None, *(p.arn for p in _permissions(share).values()))
                and params.get("permissionVersion") in (None, 1)
                and all(
                    f.get("tagKey") in share.tags
                    and (not f.get("tagValues") or share.tags[f["tagKey"]] in f["tagValues"])
                    for f in tag_filters
                )
            )

        items, token = self._page(ctx, [s for s in shares if selected(s)], params)
        return _with_token({"resourceShares": [share.render() for share in items]}, token)

    def update_resource_share(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            share = self._active_share(ctx, params["resourceShareArn"])
            if "name" in params:
                share.name = params["name"]
            if "allowExternalPrincipals" in params:
                share.allow_external = params["allowExternalPrincipals"]
            share.updated = self._now()
            return {"resourceShare": share.render()}

        return self._idempotent(ctx, params, run)

    def delete_resource_share(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            state = self.state(ctx.account, ctx.region)
            share = self._active_share(ctx, params["resourceShareArn"])
            resources = [a for a in share.resources.values() if a.status in LIVE]
            for association in resources:
                self._disassociate_resource(state, share, association)
            # After the resources: their policy writes must still see the principals being removed.
            share.status = DELETED
            share.updated = self._now()
            for association in [a for a in share.principals.values() if a.status in LIVE]:
                self._leave(association)
            self._withdraw_invitations(state, share.arn)
            return {"returnValue": True}

        return self._idempotent(ctx, params, run)

    def associate_resource_share(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            state = self.state(ctx.account, ctx.region)
            share = self._active_share(ctx, params["resourceShareArn"])
            if params.get("sources"):
                raise _error("InvalidParameterException", "Source constraints apply only to service principals.")
            resource_arns: list[str] = params.get("resourceArns", [])
            principal_values: list[str] = params.get("principals", [])
            resources = self._check_resources(ctx, resource_arns)
            principals = self._check_principals(state, share, principal_values)
            self._check_transitions(share, resource_arns, principal_values)
            touched = self._associate(state, share, resources, principals)
            return {"resourceShareAssociations": [share.render_association(a) for a in touched]}

        return self._idempotent(ctx, params, run)

    def disassociate_resource_share(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            state = self.state(ctx.account, ctx.region)
            share = self._active_share(ctx, params["resourceShareArn"])
            resource_arns: list[str] = params.get("resourceArns", [])
            if len(resource_arns) > MAX_RESOURCES_PER_CALL:
                raise _error(
                    "ResourceShareLimitExceededException",
                    f"You can disassociate up to {MAX_RESOURCES_PER_CALL} resources per call.",
                )
            found: list[tuple[Association, bool]] = []
            for group, entities, is_resource in (
                (share.resources, resource_arns, True),
                (share.principals, params.get("principals", []), False),
            ):
                for entity in entities:
                    association = group.get(entity)
                    if association is None:
                        raise _error("UnknownResourceException", f"{entity} is not associated with {share.arn}.")
                    found.append((association, is_resource))
            for association, is_resource in found:
                if association.status not in LIVE:
                    continue  # already on its way out, or never in: nothing to undo
                if is_resource:
                    self._disassociate_resource(state, share, association)
                else:
                    self._disassociate_principal(state, share, association)
            share.updated = self._now()
            return {"resourceShareAssociations": [share.render_association(a) for a, _ in found]}

        return self._idempotent(ctx, params, run)

    def get_resource_share_associations(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        kind = params["associationType"]
        resource_arn, principal = params.get("resourceArn"), params.get("principal")
        if kind == PRINCIPAL and resource_arn:
            raise _error(
                "InvalidParameterException",
                "You cannot specify a resource ARN when the association type is PRINCIPAL.",
            )
        if kind == RESOURCE and principal:
            raise _error(
                "InvalidParameterException",
                "You cannot specify a principal when the association type is RESOURCE.",
            )
        wanted = params.get("resourceShareArns")
        for arn in wanted or []:
            if not _SHARE_ARN.match(arn):
                raise _error("MalformedArnException", f"The specified resource share ARN {arn} is not valid.")
        rows = [
            (share, association)
            for share in self.state(ctx.account, ctx.region).shares.values()
            if wanted is None or share.arn in wanted
            # SOURCE associations constrain service principals, which sms-voice resources never have.
            for association in {RESOURCE: share.resources, PRINCIPAL: share.principals}.get(kind, {}).values()
            if resource_arn in (None, association.entity)
            and (principal is None or association.entity == principal or association.entity.endswith("/" + principal))
            and self._listed_yet(association)
        ]
        # As in AWS, the page is cut before the status filter: a page may be empty and still carry a token.
        items, token = self._page(ctx, rows, params)
        status = params.get("associationStatus")
        return _with_token(
            {
                "resourceShareAssociations": [
                    share.render_association(a) for share, a in items if status in (None, a.status)
                ]
            },
            token,
        )

    # -- operations: what is shared -----------------------------------------------------------------------
    def list_resources(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        owner = params["resourceOwner"]
        resource_type: str | None = params.get("resourceType")
        if resource_type is not None and resource_type.lower() not in (t.lower() for t in RESOURCE_TYPES.values()):
            raise _error("InvalidResourceTypeException", f"The resource type {resource_type} is not valid.")
        wanted_shares = params.get("resourceShareArns")
        wanted_arns = params.get("resourceArns")
        principal = params.get("principal")
        consumer = owner != "SELF"
        arns = set(wanted_arns) if wanted_arns is not None else None
        listed: list[tuple[Share, Association]] = []
        if params.get("resourceRegionScope") != "GLOBAL":  # every sms-voice resource is regional
            for share in self._shares_for(ctx, owner):
                if share.status != ACTIVE or (wanted_shares is not None and share.arn not in wanted_shares):
                    continue
                if principal is not None and principal not in share.principals:
                    continue
                listed += [
                    (share, association)
                    for association in share.resources.values()
                    if _listed(association, consumer)
                    and self._listed_yet(association)
                    and (arns is None or association.entity in arns)
                    and (resource_type is None or (association.resource_type or "").lower() == resource_type.lower())
                ]
        # Rows are made for the page only: a share of thousands of resources is listed a page at a time.
        items, token = self._page(ctx, listed, params)
        rows = [_resource_row(share, association, consumer=consumer) for share, association in items]
        return _with_token({"resources": [row for row in rows if row is not None]}, token)

    def list_principals(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        owner = params["resourceOwner"]
        resource_arn = params.get("resourceArn")
        resource_type: str | None = params.get("resourceType")
        wanted_shares = params.get("resourceShareArns")
        wanted_principals = params.get("principals")
        rows: list[dict[str, Any]] = []
        for share in self._shares_for(ctx, owner):
            if share.status != ACTIVE or (wanted_shares is not None and share.arn not in wanted_shares):
                continue
            live = [a for a in share.resources.values() if a.status in LIVE]
            if resource_arn is not None and all(a.entity != resource_arn for a in live):
                continue
            if resource_type is not None and all(
                (a.resource_type or "").lower() != resource_type.lower() for a in live
            ):
                continue
            if owner == "SELF":
                for association in share.principals.values():
                    if association.status in LIVE and (
                        wanted_principals is None or association.entity in wanted_principals
                    ):
                        rows.append(_principal_row(share, association.entity, association))
            elif wanted_principals is None or share.owner in wanted_principals:
                rows.append(_principal_row(share, share.owner, None))
        items, token = self._page(ctx, rows, params)
        return _with_token({"principals": items}, token)

    def list_resource_types(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        rows = resource_types() if params.get("resourceRegionScope") != "GLOBAL" else []
        items, token = self._page(ctx, rows, params)
        return _with_token({"resourceTypes": items}, token)

    # -- operations: invitations ---------------------------------------------------------------------------
    def get_resource_share_invitations(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        received = [invitation for _, invitation in self._received(ctx)]
        wanted = params.get("resourceShareInvitationArns")
        if wanted is not None:
            for arn in wanted:
                if not _INVITATION_ARN.match(arn):
                    raise _error("MalformedArnException", f"The specified invitation ARN {arn} is not valid.")
                if all(invitation.arn != arn for invitation in received):
                    raise _error("ResourceShareInvitationArnNotFoundException", f"Invitation {arn} could not be found.")
            received = [invitation for invitation in received if invitation.arn in wanted]
        shares = params.get("resourceShareArns")
        if shares is not None:
            for arn in shares:
                if not _SHARE_ARN.match(arn):
                    raise _error("MalformedArnException", f"The specified resource share ARN {arn} is not valid.")
                if all(invitation.share_arn != arn for invitation in received):
                    # No invitation to it reached the caller: nothing the caller can know of that share.
                    raise _unknown_share(arn)
            received = [invitation for invitation in received if invitation.share_arn in shares]
        items, token = self._page(ctx, received, params)
        return _with_token({"resourceShareInvitations": [i.render() for i in items]}, token)

    def accept_resource_share_invitation(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        return self._answer(ctx, params, accept=True)

    def reject_resource_share_invitation(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        return self._answer(ctx, params, accept=False)

    # -- operations: organization, permissions, tags -------------------------------------------------------
    def enable_sharing_with_aws_organization(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        member = membership(ctx.account)
        if member is None or member.management_account != ctx.account:
            raise _error(
                "OperationNotPermittedException",
                "Unable to enable sharing with AWS Organizations: call it from the organization's management account.",
            )
        # RAM turns on trusted access in Organizations; that is where sharing with the organization lives.
        enable_trusted_access(member.management_account, RAM_PRINCIPAL)
        return {"returnValue": True}

    def _permission(self, arn: str) -> ManagedPermission:
        if not _PERMISSION_ARN.match(arn):
            raise _error("MalformedArnException", f"The specified permission ARN {arn} is not valid.")
        permission = PERMISSIONS.get(arn)
        if permission is None:
            raise _error("UnknownResourceException", f"Permission {arn} could not be found.")
        return permission

    def _check_permissions(self, arns: list[str]) -> None:
        """CreateResourceShare.permissionArns: "You can associate only one permission with each resource type
        included in the resource share". The error for two is not documented: InvalidParameterException,
        the model's error for "a parameter you specified isn't valid", is assumed."""
        by_type: dict[str, str] = {}
        for arn in arns:
            permission = self._permission(arn)
            other = by_type.get(permission.resource_type.lower())
            by_type[permission.resource_type.lower()] = arn
            if other is not None:  # the same ARN twice is two permissions for its type too
                raise _error(
                    "InvalidParameterException",
                    f"You can associate only one permission with each resource type: {other} and {arn} are both "
                    f"for {permission.resource_type}.",
                )

    def list_permissions(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        resource_type: str | None = params.get("resourceType")
        # Only AWS managed, attachable permissions exist here, and none is owned by the caller.
        listed = (
            params.get("resourceOwner") != "SELF"
            and params.get("permissionType", "ALL") in ("ALL", "AWS_MANAGED")
            and params.get("permissionStatus", "ATTACHABLE") == "ATTACHABLE"
        )
        rows = [
            p.summary() for p in PERMISSIONS.values() if listed and (resource_type is None or p.covers(resource_type))
        ]
        items, token = self._page(ctx, rows, params)
        return _with_token({"permissions": items}, token)

    def get_permission(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        permission = self._permission(params["permissionArn"])
        if params.get("permissionVersion") not in (None, 1):
            raise _error("UnknownResourceException", f"Permission {permission.arn} has only version 1.")
        return {"permission": permission.detail()}

    def _taggable_share(self, ctx: CallContext, params: dict[str, Any]) -> Share:
        if ("resourceShareArn" in params) == ("resourceArn" in params):
            raise _error("InvalidParameterException", "Specify either resourceShareArn or resourceArn, not both.")
        if "resourceArn" in params:
            self._permission(params["resourceArn"])
            raise _error("InvalidParameterException", "AWS managed permissions cannot be tagged.")
        return self._owned_share(ctx, params["resourceShareArn"])

    def tag_resource(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        share = self._taggable_share(ctx, params)
        keys = {tag.get("key", "") for tag in params["tags"]}
        share.tags.update(self._check_tags(params["tags"], existing=len(set(share.tags) - keys)))
        return {}

    def untag_resource(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        share = self._taggable_share(ctx, params)
        for key in params["tagKeys"]:
            share.tags.pop(key, None)
        return {}

    # -- inspection ----------------------------------------------------------------------------------------
    def dump(self, account: str, region: str) -> dict[str, Any]:
        """One account's RAM in one Region, JSON-able: what a test or a demo shows when something is off."""
        self._expire_invitations()
        state = self.state(account, region)

        def associations(group: dict[str, Association]) -> list[dict[str, Any]]:
            return [
                {"entity": a.entity, "status": a.status, "message": a.message, "external": a.external}
                for a in group.values()
            ]

        def invitation(i: Invitation) -> dict[str, Any]:
            return {
                "arn": i.arn,
                "share": i.share_arn,
                "sender": i.sender,
                "receiver": i.receiver,
                "status": i.status,
            }

        return {
            "account": account,
            "region": region,
            "organizationSharing": self._organization_sharing(account),
            "policyWritesInFlight": state.writer.in_flight,
            "shares": [
                {
                    "arn": share.arn,
                    "name": share.name,
                    "status": share.status,
                    "allowExternalPrincipals": share.allow_external,
                    "principals": associations(share.principals),
                    "resources": associations(share.resources),
                }
                for share in state.shares.values()
            ],
            "invitationsSent": [invitation(i) for i in state.invitations.values()],
            "invitationsReceived": [invitation(i) for _, i in self._received(CallContext(account, region, ""))],
        }


def _permissions(share: Share) -> dict[str, ManagedPermission]:
    """The share's permission for each resource type: the one it was created with, else the type's default ("If
    you do not specify an ARN for the permission, RAM automatically attaches the default version of the
    permission for each resource type")."""
    chosen = {PERMISSIONS[arn].resource_type: PERMISSIONS[arn] for arn in share.permission_arns}
    return {resource_type: chosen.get(resource_type, default) for resource_type, default in DEFAULT_PERMISSIONS.items()}


def _permission_for(share: Share, resource_type: str) -> ManagedPermission:
    return next(p for t, p in _permissions(share).items() if t.lower() == resource_type.lower())


def _with_token(response: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token is not None:
        response["nextToken"] = token
    return response


# ListResources reports the resource's availability to principals, not the association's status.
_RESOURCE_STATUS = {ASSOCIATING: "PENDING", ASSOCIATED: "AVAILABLE", FAILED: "UNAVAILABLE"}


def _listed(association: Association, consumer: bool) -> bool:
    """Whether ListResources shows the association: a consumer only once it completed."""
    return association.status in _RESOURCE_STATUS and (not consumer or association.status == ASSOCIATED)


def _resource_row(share: Share, association: Association, *, consumer: bool) -> dict[str, Any] | None:
    """A ListResources entry; a consumer sees only resources whose association completed."""
    status = _RESOURCE_STATUS.get(association.status)
    if status is None or (consumer and association.status != ASSOCIATED):
        return None
    row: dict[str, Any] = {
        "arn": association.entity,
        "type": association.resource_type,
        "resourceShareArn": share.arn,
        "status": status,
        "creationTime": association.created,
        "lastUpdatedTime": association.updated,
        "resourceRegionScope": "REGIONAL",
    }
    if association.message is not None:
        row["statusMessage"] = association.message
    return row


def _principal_row(share: Share, principal: str, association: Association | None) -> dict[str, Any]:
    return {
        "id": principal,
        "resourceShareArn": share.arn,
        "creationTime": association.created if association else share.created,
        "lastUpdatedTime": association.updated if association else share.updated,
        "external": association.external if association else False,
    }
