"""What every part of the End User Messaging SMS fake shares: state, lookups, and who may use what."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from twin import orgs, policy
from twin.errors import TwinError
from twin.services.base import CallContext, ServiceFake
from twin.services.sms_voice.errors import field_validation, not_found
from twin.services.sms_voice.state import (
    AccountState,
    Arn,
    ConfigurationSet,
    OptOutList,
    PhoneNumber,
    Pool,
    ProtectConfiguration,
    SenderId,
    StoredPolicy,
    is_arn,
)

Owned = TypeVar("Owned", ConfigurationSet, ProtectConfiguration)

if TYPE_CHECKING:
    from twin.world import World

Owner = Literal["SELF", "SHARED", "ANY"]
Shareable = PhoneNumber | SenderId | Pool | OptOutList

DEFAULT_OPT_OUT_LIST = "Default"


def canonical(statement: Any) -> str:
    return json.dumps(statement, sort_keys=True, separators=(",", ":"))


class SmsVoiceCore(ServiceFake[AccountState]):
    service_name = "pinpoint-sms-voice-v2"
    endpoint_prefix = "sms-voice"

    def __init__(self, world: World) -> None:
        super().__init__(world)
        # One sequence across accounts, so SHARED listings come out in a stable creation order.
        self._seq = itertools.count(1)
        self.created = 0  # resources made so far (a SHARED listing computed before one was made is stale)
        # Owner=SHARED listings by caller and kind, while nothing that could change them has happened.
        self.shared_listings: dict[tuple[Any, ...], list[Any]] = {}

    def new_state(self, account: str, region: str) -> AccountState:
        return AccountState(account, region)

    def validation_error(self, problems: list[tuple[str, str]]) -> TwinError:
        return field_validation(problems)

    def next_seq(self) -> int:
        self.created += 1
        return next(self._seq)

    def timestamp(self) -> datetime:
        return self.world.clock.datetime(self.world.now())

    def existing_state(self, account: str, region: str) -> AccountState | None:
        """The state of an account that has used the service, without creating one for a stranger."""
        return self.states().get((account, region))

    # -- resource policies ---------------------------------------------------------------------------------
    def store_policy(self, owner: AccountState, arn: str, document: dict[str, Any], text: str) -> StoredPolicy:
        now = self.world.now()
        previous = owner.policies.get(arn)
        before = previous.written if previous else {}
        written = {key: before.get(key, now) for key in map(canonical, policy.statements(document))}
        stored = StoredPolicy(document, text, previous.created if previous else self.timestamp(), written)
        owner.policies[arn] = stored
        self.world.mutations += 1
        return stored

    def grants(self, owner: AccountState, arn: str, caller: policy.Caller, action: str | None) -> bool:
        """Whether the resource's policy lets the caller perform `action` (None: any sms-voice action).

        An Allow counts only once `visibility_lag_seconds` have passed since its statement was written
        (resource policies are eventually consistent); a Deny counts at once.
        """
        stored = owner.policies.get(arn)
        if stored is None:
            return False
        ready = self.world.clock.now() - self.world.faults.config.visibility_lag_seconds
        statements = policy.statements(stored.document)
        effective = [
            s
            for s in statements
            if s.get("Effect") == "Deny" or stored.written.get(canonical(s), float("inf")) <= ready
        ]

        def allows(found: list[policy.Statement]) -> bool:
            if action is None:
                return policy.grants_service(found, caller, "sms-voice", arn)
            return policy.is_allowed(found, caller, action, arn)

        if allows(effective):
            return True
        faults = self.world.faults
        if len(effective) < len(statements) and not faults.paused_depth and allows(statements):
            faults.count("visibility-lag")  # the grant is written, but not seen yet
        return False

    # -- lookups -------------------------------------------------------------------------------------------
    def locate(
        self, ctx: CallContext, kind: str, ident: str, *, owner: Owner = "ANY", action: str | None = None
    ) -> tuple[AccountState, Shareable] | None:
        """The phone number, sender ID, pool or opt-out list `ident` names for the caller.

        Resources of the caller's account answer to their ID or ARN; another account's resource answers only
        to its full ARN, and only while its policy grants the caller `action` (None: any sms-voice action).
        """
        arn = Arn.parse(ident) if is_arn(ident) else None
        if arn is not None and (arn.kind != kind or arn.region != ctx.region):
            return None
        if arn is not None and arn.account != ctx.account:
            theirs = self.existing_state(arn.account, arn.region)
            found = theirs.shareable(arn) if theirs is not None and owner != "SELF" else None
            if theirs is None or found is None:
                return None
            if not self.grants(theirs, found.arn, caller_of(ctx.account), action):
                return None
            return theirs, found
        if owner == "SHARED":
            return None
        mine = self.state(ctx.account, ctx.region)
        if arn is not None:
            found = mine.shareable(arn)
        elif kind == "phone-number":
            found = mine.phone_numbers.get(ident) or next(
                (p for p in mine.phone_numbers.values() if p.number == ident), None
            )
        elif kind == "pool":
            found = mine.pools.get(ident)
        elif kind == "opt-out-list":
            found = mine.opt_out_lists.get(ident)
        else:
            found = None
        return (mine, found) if found is not None else None

    def own_sender_id(self, state: AccountState, ident: str, country: str | None) -> SenderId | None:
        """A sender ID of the account by ARN, or by name (in `country` when given, else any country)."""
        if is_arn(ident):
            arn = Arn.parse(ident)
            found = state.shareable(arn) if arn is not None and arn.account == state.account else None
            return found if isinstance(found, SenderId) else None
        if country is not None:
            return state.sender_ids.get((ident, country))
        return next((s for s in state.sender_ids.values() if s.sender_id == ident), None)

    def configuration_set(self, ctx: CallContext, ident: str) -> ConfigurationSet:
        """A configuration set of the caller's account, by name or ARN (they are never shared)."""
        return self._own(ctx, ident, "configuration-set", self.state(ctx.account, ctx.region).configuration_sets)

    def protect_configuration(self, ctx: CallContext, ident: str) -> ProtectConfiguration:
        state = self.state(ctx.account, ctx.region)
        return self._own(ctx, ident, "protect-configuration", state.protect_configurations)

    @staticmethod
    def _own(ctx: CallContext, ident: str, kind: str, items: dict[str, Owned]) -> Owned:
        """An item of the caller's own account, by ID or ARN; anything else is not found."""
        key = ident
        if is_arn(ident):
            arn = Arn.parse(ident)
            if arn is None or arn.kind != kind or arn.account != ctx.account:
                raise not_found(kind, ident)
            key = arn.resource_id
        found = items.get(key)
        if found is None:
            raise not_found(kind, ident)
        return found

    def opt_out_list(self, state: AccountState, name: str) -> OptOutList:
        """The named opt-out list; "Default" comes into being the first time something uses it, as in AWS."""
        found = state.opt_out_lists.get(name)
        if found is None and name != DEFAULT_OPT_OUT_LIST:
            raise not_found("opt-out-list", name)
        return found or self.new_opt_out_list(state, name, {})

    def new_opt_out_list(self, state: AccountState, name: str, tags: dict[str, str]) -> OptOutList:
        created = OptOutList(state.arn("opt-out-list", name), name, self.timestamp(), self.next_seq())
        state.opt_out_lists[name] = created
        state.tags[created.arn] = dict(tags)
        return created


def caller_of(account: str) -> policy.Caller:
    """The request context a principal of `account` carries: its organization and OU path, if any."""
    member = orgs.membership(account)
    if member is None:
        return policy.Caller(account)
    return policy.Caller(account, member.org_id, (member.path,))
