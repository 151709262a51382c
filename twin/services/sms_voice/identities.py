"""Origination identities and what groups them: phone numbers, sender IDs, pools, opt-out lists, tags."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from twin.services.base import CallContext
from twin.services.sms_voice import filters
from twin.services.sms_voice.core import DEFAULT_OPT_OUT_LIST, Owner, Shareable, SmsVoiceCore, caller_of
from twin.services.sms_voice.errors import conflict, invalid, not_found, page, quota_exceeded
from twin.services.sms_voice.state import (
    AccountState,
    Arn,
    PhoneNumber,
    Pool,
    Registration,
    SenderId,
    is_arn,
)

# Origination identities per pool before a quota increase (Service Quotas, "Phone Pool" resources).
POOL_MEMBER_QUOTA = 100
TAGS_PER_RESOURCE = 200


def attach(pool: Pool, identity: PhoneNumber | SenderId) -> None:
    """Put an identity in a pool as is: the API's consistency checks are the caller's to make."""
    if isinstance(identity, PhoneNumber):
        identity.pool_id = pool.pool_id
    pool.members.append(identity.arn)


def _tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": key, "Value": value} for key, value in tags.items()]


class IdentitiesMixin(SmsVoiceCore):
    # -- describe ------------------------------------------------------------------------------------------
    def _listing(
        self,
        ctx: CallContext,
        kind: str,
        ids: Sequence[Any] | None,
        owner: Owner,
        items: Callable[[AccountState], Iterable[Shareable]],
        resolve: Callable[[Any], Shareable | None],
    ) -> list[Shareable]:
        """The caller's own resources (SELF), those shared with it (SHARED), or exactly the ones named."""
        if ids:
            found: list[Shareable] = []
            for ident in ids:
                item = resolve(ident)
                if item is None:
                    shown = ident if isinstance(ident, str) else ident["SenderId"]
                    raise not_found(kind, shown)
                found.append(item)
            return found
        if owner == "SHARED":
            caller = caller_of(ctx.account)
            # What a caller sees changes only with a policy, a resource or the caller's organization: while
            # none has changed (and grants take effect at once), the listing computed before still holds, so
            # paging through thousands of shared resources costs a page each, not the whole listing each.
            key = (ctx.account, ctx.region, kind, caller, self.world.mutations, self.created)
            cached = self.shared_listings.get(key)
            if cached is not None:
                return cached
            shared = sorted(
                (
                    item
                    for (account, region), state in self.states().items()
                    if region == ctx.region and account != ctx.account
                    for item in items(state)
                    if item.arn in state.policies and self.grants(state, item.arn, caller, None)
                ),
                key=lambda item: item.seq,
            )
            if not self.world.faults.config.visibility_lag_seconds:
                if len(self.shared_listings) > 64:
                    self.shared_listings.clear()
                self.shared_listings[key] = shared
            return shared
        return sorted(items(self.state(ctx.account, ctx.region)), key=lambda item: item.seq)

    def _located(self, ctx: CallContext, kind: str, owner: Owner) -> Callable[[Any], Shareable | None]:
        def resolve(ident: Any) -> Shareable | None:
            found = self.locate(ctx, kind, ident, owner=owner)
            return found[1] if found else None

        return resolve

    def _describe(
        self,
        ctx: CallContext,
        params: dict[str, Any],
        kind: str,
        ids_member: str,
        readers: dict[str, filters.Reader],
        items: Callable[[AccountState], Iterable[Shareable]],
        resolve: Callable[[Any], Shareable | None] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, str]]:
        # Owner with an ID list is refused before this (twin/constraints.py); should both come, the IDs decide.
        owner: Owner = params.get("Owner") or "ANY"
        listed = self._listing(
            ctx, kind, params.get(ids_member), owner, items, resolve or self._located(ctx, kind, owner)
        )
        if not params.get("Filters"):
            # Nothing to filter on: describe only the page.
            shown, more = page(listed, params, self.world.faults)
            return [item.info() for item in shown], more
        infos = [item.info() for item in listed]
        chosen = [info for info in infos if filters.matches(info, params.get("Filters", []), readers)]
        return page(chosen, params, self.world.faults)

    def describe_phone_numbers(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found, more = self._describe(
            ctx,
            params,
            "phone-number",
            "PhoneNumberIds",
            filters.PHONE_NUMBER,
            lambda s: s.phone_numbers.values(),
        )
        return {"PhoneNumbers": found, **more}

    def describe_sender_ids(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        owner: Owner = params.get("Owner") or "ANY"

        def resolve(entry: dict[str, str]) -> Shareable | None:
            if is_arn(entry["SenderId"]):
                found = self.locate(ctx, "sender-id", entry["SenderId"], owner=owner)
                return found[1] if found else None
            if owner == "SHARED":
                return None
            state = self.state(ctx.account, ctx.region)
            return self.own_sender_id(state, entry["SenderId"], entry["IsoCountryCode"])

        found, more = self._describe(
            ctx, params, "sender-id", "SenderIds", filters.SENDER_ID, lambda s: s.sender_ids.values(), resolve
        )
        return {"SenderIds": found, **more}

    def describe_pools(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found, more = self._describe(ctx, params, "pool", "PoolIds", filters.POOL, lambda s: s.pools.values())
        return {"Pools": found, **more}

    def describe_opt_out_lists(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found, more = self._describe(
            ctx, params, "opt-out-list", "OptOutListNames", {}, lambda s: s.opt_out_lists.values()
        )
        return {"OptOutLists": found, **more}

    def list_pool_origination_identities(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        owner, pool = self.locate(ctx, "pool", params["PoolId"]) or (None, None)
        if owner is None or not isinstance(pool, Pool):
            raise not_found("pool", params["PoolId"])
        identities = [self._member_metadata(owner, member) for member in pool.members]
        chosen = [
            i for i in identities if filters.matches(i, params.get("Filters", []), filters.POOL_ORIGINATION_IDENTITY)
        ]
        found, more = page(chosen, params, self.world.faults)
        return {"PoolArn": pool.arn, "PoolId": pool.pool_id, "OriginationIdentities": found, **more}

    def _member_metadata(self, owner: AccountState, member_arn: str) -> dict[str, Any]:
        arn = Arn.parse(member_arn)
        member = owner.shareable(arn) if arn is not None else None
        if isinstance(member, PhoneNumber):
            return {
                "OriginationIdentityArn": member.arn,
                "OriginationIdentity": member.phone_number_id,
                "IsoCountryCode": member.iso_country,
                "NumberCapabilities": list(member.capabilities),
                "PhoneNumber": member.number,
            }
        if isinstance(member, SenderId):
            return {
                "OriginationIdentityArn": member.arn,
                "OriginationIdentity": member.sender_id,
                "IsoCountryCode": member.iso_country,
                "NumberCapabilities": ["SMS"],
            }
        raise AssertionError(f"pool member {member_arn} does not exist")

    # -- pools ---------------------------------------------------------------------------------------------
    def _own_identity(self, ctx: CallContext, ident: str, country: str | None) -> PhoneNumber | SenderId:
        """A phone number or sender ID of the caller's account, named by ID, number, name or ARN."""
        state = self.state(ctx.account, ctx.region)
        arn = Arn.parse(ident) if is_arn(ident) else None
        if arn is not None and arn.account != ctx.account:
            # Pools group identities of their own account only.
            raise not_found(arn.kind, ident)
        if arn is None or arn.kind == "phone-number":
            located = self.locate(ctx, "phone-number", ident, owner="SELF")
            if located is not None and isinstance(located[1], PhoneNumber):
                return located[1]
        sender = self.own_sender_id(state, ident, country)
        if sender is not None:
            return sender
        raise not_found(arn.kind if arn else "phone-number", ident)

    def _join(self, pool: Pool, identity: PhoneNumber | SenderId) -> None:
        """Add an identity to a pool, with the checks AssociateOriginationIdentity makes."""
        if len(pool.members) >= POOL_MEMBER_QUOTA:
            raise quota_exceeded("ORIGINATION_IDENTITIES_PER_POOL", f"The pool {pool.pool_id} is full.")
        if identity.arn in pool.members:
            raise conflict(
                "RESOURCE_ALREADY_ASSOCIATED", "pool", pool.pool_id, f"{identity.arn} is already in the pool."
            )
        if isinstance(identity, PhoneNumber):
            if identity.pool_id is not None:
                raise conflict(
                    "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                    "phone-number",
                    identity.phone_number_id,
                    f"The phone number is already in the pool {identity.pool_id}.",
                )
            if identity.message_type != pool.message_type:
                raise conflict(
                    "MESSAGE_TYPE_MISMATCH", "phone-number", identity.phone_number_id, "Message types differ."
                )
            if identity.opt_out_list_name != pool.opt_out_list_name:
                raise conflict(
                    "OPT_OUT_LIST_MISMATCH", "phone-number", identity.phone_number_id, "Opt-out lists differ."
                )
        elif pool.message_type not in identity.message_types:
            raise conflict("MESSAGE_TYPE_MISMATCH", "sender-id", identity.sender_id, "Message types differ.")
        attach(pool, identity)

    def build_pool(
        self, state: AccountState, message_type: str, opt_out_list_name: str, deletion_protection: bool
    ) -> Pool:
        """A pool not yet stored: it is stored once its first identity has joined."""
        self.opt_out_list(state, opt_out_list_name)
        pool_id = self.world.new_id("pool")
        return Pool(
            state.arn("pool", pool_id),
            pool_id,
            message_type,
            opt_out_list_name,
            [],
            self.timestamp(),
            self.next_seq(),
            deletion_protection,
        )

    def create_pool(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        identity = self._own_identity(ctx, params["OriginationIdentity"], params.get("IsoCountryCode"))
        # The new pool inherits its opt-out list from the identity it starts with.
        opt_out = identity.opt_out_list_name if isinstance(identity, PhoneNumber) else DEFAULT_OPT_OUT_LIST
        pool = self.build_pool(state, params["MessageType"], opt_out, bool(params.get("DeletionProtectionEnabled")))
        self._join(pool, identity)
        state.pools[pool.pool_id] = pool
        state.tags[pool.arn] = {t["Key"]: t["Value"] for t in params.get("Tags", [])}
        return {**pool.info(), "Tags": _tag_list(state.tags[pool.arn])}

    def _own_pool(self, ctx: CallContext, ident: str) -> Pool:
        _, pool = self.locate(ctx, "pool", ident, owner="SELF") or (None, None)
        if not isinstance(pool, Pool):
            raise not_found("pool", ident)
        return pool

    def _association(self, pool: Pool, identity: PhoneNumber | SenderId) -> dict[str, Any]:
        return {
            "PoolArn": pool.arn,
            "PoolId": pool.pool_id,
            "OriginationIdentityArn": identity.arn,
            "OriginationIdentity": (
                identity.phone_number_id if isinstance(identity, PhoneNumber) else identity.sender_id
            ),
            "IsoCountryCode": identity.iso_country,
        }

    def associate_origination_identity(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        pool = self._own_pool(ctx, params["PoolId"])
        identity = self._own_identity(ctx, params["OriginationIdentity"], params.get("IsoCountryCode"))
        self._join(pool, identity)
        return self._association(pool, identity)

    def disassociate_origination_identity(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        pool = self._own_pool(ctx, params["PoolId"])
        identity = self._own_identity(ctx, params["OriginationIdentity"], params.get("IsoCountryCode"))
        kind = "phone-number" if isinstance(identity, PhoneNumber) else "sender-id"
        if identity.arn not in pool.members:
            raise conflict(
                "PHONE_NUMBER_NOT_ASSOCIATED_TO_POOL", kind, identity.arn, "The identity is not in the pool."
            )
        if len(pool.members) == 1:
            raise conflict("LAST_PHONE_NUMBER", "pool", pool.pool_id, "A pool keeps at least one identity.")
        pool.members.remove(identity.arn)
        if isinstance(identity, PhoneNumber):
            identity.pool_id = None
        return self._association(pool, identity)

    # -- releasing -----------------------------------------------------------------------------------------
    def release_phone_number(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        """The number leaves the account: it can no longer send, and its resource policy and tags go with it.

        As AWS documents, a number with deletion protection or in a pool cannot be released."""
        state, phone = self.locate(ctx, "phone-number", params["PhoneNumberId"], owner="SELF") or (None, None)
        if state is None or not isinstance(phone, PhoneNumber):
            raise not_found("phone-number", params["PhoneNumberId"])
        if phone.deletion_protection:
            raise conflict(
                "DELETION_PROTECTION_ENABLED", "phone-number", phone.phone_number_id, "Deletion protection is on."
            )
        if phone.pool_id is not None:
            raise conflict(
                "PHONE_NUMBER_ASSOCIATED_TO_POOL",
                "phone-number",
                phone.phone_number_id,
                f"The phone number is in the pool {phone.pool_id}.",
            )
        del state.phone_numbers[phone.phone_number_id]
        state.policies.pop(phone.arn, None)
        state.tags.pop(phone.arn, None)
        return self._released(ctx, {**phone.info(), "Status": "DELETED"})

    def release_sender_id(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        """The sender ID leaves the account, its resource policy and tags with it. As for a phone number, one in a
        pool or with deletion protection on is refused (ConflictException names which)."""
        state = self.state(ctx.account, ctx.region)
        sender = self.own_sender_id(state, params["SenderId"], params["IsoCountryCode"])
        if sender is None:
            raise not_found("sender-id", params["SenderId"])
        if sender.deletion_protection:
            raise conflict("DELETION_PROTECTION_ENABLED", "sender-id", sender.sender_id, "Deletion protection is on.")
        pool = next((p for p in state.pools.values() if sender.arn in p.members), None)
        if pool is not None:
            message = f"The sender ID is in the pool {pool.pool_id}."
            raise conflict("SENDER_ID_ASSOCIATED_TO_POOL", "sender-id", sender.sender_id, message)
        del state.sender_ids[(sender.sender_id, sender.iso_country)]
        state.policies.pop(sender.arn, None)
        state.tags.pop(sender.arn, None)
        return self._released(ctx, sender.info())

    def delete_pool(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        """The pool goes, its members stay in the account outside any pool; refused with deletion protection on."""
        state = self.state(ctx.account, ctx.region)
        pool = self._own_pool(ctx, params["PoolId"])
        if pool.deletion_protection:
            raise conflict("DELETION_PROTECTION_ENABLED", "pool", pool.pool_id, "Deletion protection is on.")
        for phone in state.phone_numbers.values():
            if phone.pool_id == pool.pool_id:
                phone.pool_id = None
        del state.pools[pool.pool_id]
        state.policies.pop(pool.arn, None)
        state.tags.pop(pool.arn, None)
        return self._released(ctx, {**pool.info(), "Status": "DELETING"})

    def _released(self, ctx: CallContext, info: dict[str, Any]) -> dict[str, Any]:
        """`info` cut to the members of the operation's output shape."""
        shape = self.api.operation(ctx.operation).output_shape
        assert shape is not None
        return {key: value for key, value in info.items() if key in shape.members}

    # -- opt-out lists -------------------------------------------------------------------------------------
    def create_opt_out_list(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        name = params["OptOutListName"]
        if name in state.opt_out_lists:
            raise conflict("RESOURCE_ALREADY_EXISTS", "opt-out-list", name, f"The opt-out list {name} exists.")
        created = self.new_opt_out_list(state, name, {t["Key"]: t["Value"] for t in params.get("Tags", [])})
        return {**created.info(), "Tags": _tag_list(state.tags[created.arn])}

    # -- registrations -------------------------------------------------------------------------------------
    def describe_registrations(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        chosen: list[Registration] = []
        for ident in params.get("RegistrationIds") or []:
            arn = Arn.parse(ident) if is_arn(ident) else None
            key = arn.resource_id if arn is not None and arn.account == ctx.account else ident
            if key not in state.registrations:
                raise not_found("registration", ident)
            chosen.append(state.registrations[key])
        infos = [r.info() for r in (chosen or list(state.registrations.values()))]
        infos = [i for i in infos if filters.matches(i, params.get("Filters", []), filters.REGISTRATION)]
        found, more = page(infos, params, self.world.faults)
        return {"Registrations": found, **more}

    # -- tags ----------------------------------------------------------------------------------------------
    def _tagged(self, ctx: CallContext, ident: str) -> tuple[AccountState, str]:
        arn = Arn.parse(ident)
        state = self.state(ctx.account, ctx.region)
        if arn is None:
            raise invalid("INVALID_ARN", f"{ident} is not an End User Messaging SMS ARN.")
        if arn.account != ctx.account or arn.region != ctx.region or not state.exists(arn):
            raise not_found(arn.kind, ident)
        return state, ident

    def tag_resource(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._tagged(ctx, params["ResourceArn"])
        tags = {**state.tags.get(arn, {}), **{t["Key"]: t["Value"] for t in params["Tags"]}}
        if len(tags) > TAGS_PER_RESOURCE:
            raise quota_exceeded("TAGS_PER_RESOURCE", f"A resource has at most {TAGS_PER_RESOURCE} tags.")
        state.tags[arn] = tags
        return {}

    def untag_resource(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._tagged(ctx, params["ResourceArn"])
        state.tags[arn] = {k: v for k, v in state.tags.get(arn, {}).items() if k not in params["TagKeys"]}
        return {}

    def list_tags_for_resource(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state, arn = self._tagged(ctx, params["ResourceArn"])
        return {"ResourceArn": arn, "Tags": _tag_list(state.tags.get(arn, {}))}
