"""The End User Messaging SMS fake: the API, plus seeding and inspection for the offline AWS's users."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from twin.services.base import CallContext
from twin.services.sms_voice.configuration import ConfigurationMixin
from twin.services.sms_voice.countries import sample_number
from twin.services.sms_voice.identities import IdentitiesMixin, attach
from twin.services.sms_voice.protect import ProtectMixin
from twin.services.sms_voice.sending import SendingMixin
from twin.services.sms_voice.sharing import SharingMixin
from twin.services.sms_voice.state import Arn, PhoneNumber, Registration, SenderId

ACCOUNT_TIERS = ("SANDBOX", "PRODUCTION")
SPEND_KINDS = ("TEXT", "VOICE", "MEDIA")  # the SpendLimitName enum: TEXT_MESSAGE_MONTHLY_SPEND_LIMIT...
# NumberStatus and PoolStatus in botocore's model: what DescribePhoneNumbers and DescribePools can answer. The API
# has no call that leaves an identity in most of them for long, so seeding sets them directly.
NUMBER_STATUSES = ("PENDING", "ACTIVE", "ASSOCIATING", "DISASSOCIATING", "DELETED")
POOL_STATUSES = ("CREATING", "ACTIVE", "DELETING")


def _status(status: str, allowed: Sequence[str]) -> str:
    if status not in allowed:
        raise ValueError(f"the status is one of {allowed}, not {status}")
    return status


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    def default(item: Any) -> Any:
        if isinstance(item, datetime):
            return item.isoformat()
        raise TypeError(f"cannot serialise {type(item).__name__}")

    copied: dict[str, Any] = json.loads(json.dumps(value, default=default))
    return copied


class SmsVoiceFake(IdentitiesMixin, SharingMixin, ConfigurationMixin, ProtectMixin, SendingMixin):
    """AWS End User Messaging SMS (pinpoint-sms-voice-v2), per account and Region."""

    # -- seeding -------------------------------------------------------------------------------------------
    def add_phone_number(
        self,
        account: str,
        region: str,
        *,
        number_type: str = "TOLL_FREE",
        iso_country: str = "US",
        capabilities: Sequence[str] = ("SMS", "VOICE"),
        message_type: str = "TRANSACTIONAL",
        opt_out_list_name: str = "Default",
        tags: Mapping[str, str] | None = None,
        status: str = "ACTIVE",
    ) -> str:
        """A phone number of the account, ACTIVE as RequestPhoneNumber leaves it unless `status` says otherwise (a
        number still being provisioned is PENDING); returns its ARN."""
        state = self.state(account, region)
        self.opt_out_list(state, opt_out_list_name)
        phone_id = self.world.new_id("phone")
        seq = self.next_seq()
        phone = PhoneNumber(
            state.arn("phone-number", phone_id),
            phone_id,
            sample_number(iso_country, number_type, seq),
            iso_country,
            message_type,
            list(capabilities),
            number_type,
            opt_out_list_name,
            self.timestamp(),
            seq,
            status=_status(status, NUMBER_STATUSES),
        )
        state.phone_numbers[phone_id] = phone
        state.tags[phone.arn] = dict(tags or {})
        return phone.arn

    def add_sender_id(
        self,
        account: str,
        region: str,
        *,
        sender_id: str,
        iso_country: str,
        message_types: Sequence[str] = ("TRANSACTIONAL",),
        registered: bool = False,
        tags: Mapping[str, str] | None = None,
    ) -> str:
        state = self.state(account, region)
        sender = SenderId(
            state.arn("sender-id", sender_id, iso_country),
            sender_id,
            iso_country,
            list(message_types),
            registered,
            self.timestamp(),
            self.next_seq(),
        )
        state.sender_ids[(sender_id, iso_country)] = sender
        state.tags[sender.arn] = dict(tags or {})
        return sender.arn

    def add_pool(
        self,
        account: str,
        region: str,
        *,
        members: Sequence[str],
        opt_out_list_name: str = "Default",
        tags: Mapping[str, str] | None = None,
        status: str = "ACTIVE",
    ) -> str:
        """A pool of the account's own phone numbers and sender IDs (ARNs), of the first's message type; ACTIVE
        unless `status` says otherwise (CREATING, DELETING)."""
        state = self.state(account, region)
        identities: list[PhoneNumber | SenderId] = []
        for member in members:
            arn = Arn.parse(member)
            found = state.shareable(arn) if arn is not None and arn.account == account else None
            if not isinstance(found, PhoneNumber | SenderId):
                raise LookupError(f"{member} is not a phone number or sender ID of {account} in {region}")
            identities.append(found)
        if not identities:
            raise ValueError("a pool starts with at least one origination identity")
        first = identities[0]
        message_type = first.message_type if isinstance(first, PhoneNumber) else first.message_types[0]
        pool = self.build_pool(state, message_type, opt_out_list_name, False)
        pool.status = _status(status, POOL_STATUSES)
        for identity in identities:
            # Seeding builds what an account may already hold, so only a phone number's single pool is
            # enforced, not the message type and opt-out list checks of AssociateOriginationIdentity.
            if isinstance(identity, PhoneNumber) and identity.pool_id is not None:
                raise ValueError(f"{identity.arn} is already in the pool {identity.pool_id}")
            attach(pool, identity)
        state.pools[pool.pool_id] = pool
        state.tags[pool.arn] = dict(tags or {})
        return pool.arn

    def add_opt_out_list(self, account: str, region: str, name: str, tags: Mapping[str, str] | None = None) -> str:
        """The named opt-out list (created unless it exists), with `tags` added."""
        state = self.state(account, region)
        found = state.opt_out_lists.get(name) or self.new_opt_out_list(state, name, {})
        state.tags[found.arn] = {**state.tags.get(found.arn, {}), **(tags or {})}
        return found.arn

    def set_account_tier(self, account: str, region: str, tier: str) -> None:
        if tier not in ACCOUNT_TIERS:
            raise ValueError(f"the account tier is one of {ACCOUNT_TIERS}, not {tier}")
        self.state(account, region).tier = tier

    def add_registration(self, account: str, region: str, *, registration_type: str, status: str = "COMPLETE") -> str:
        state = self.state(account, region)
        registration_id = self.world.new_id("registration")
        registration = Registration(
            state.arn("registration", registration_id),
            registration_id,
            registration_type,
            status,
            self.timestamp(),
        )
        state.registrations[registration_id] = registration
        state.tags[registration.arn] = {}
        return registration.arn

    def add_verified_destination_number(self, account: str, region: str, number: str) -> None:
        """A destination the account has verified: the only kind a sandboxed account may send to."""
        self.state(account, region).verified_destinations.add(number)

    def allow_destination_country(self, account: str, region: str, country: str) -> None:
        """What AWS Support does once the account's registration for a country that needs one (China) is done."""
        self.state(account, region).allowed_countries.add(country)

    def add_opted_out_number(self, account: str, region: str, opt_out_list_name: str, number: str) -> None:
        """A recipient opted out into the account's named opt-out list (as a STOP reply or PutOptedOutNumber)."""
        state = self.state(account, region)
        self.opt_out_list(state, opt_out_list_name).opted_out.add(number)

    def reach_spend_limit(self, account: str, region: str, kind: str = "TEXT") -> None:
        """The account has spent its monthly limit for `kind` ("TEXT", "VOICE" or "MEDIA") messages."""
        if kind not in SPEND_KINDS:
            raise ValueError(f"the spend limit kind is one of {SPEND_KINDS}, not {kind}")
        self.state(account, region).spend_limits_reached.add(kind)

    def release(self, arn: str) -> None:
        """What its owner does from the console to an identity named by ARN: ReleasePhoneNumber, ReleaseSenderId
        or DeletePool; for hooks that take an identity away while a migration runs (`World.after_call`)."""
        parsed = Arn.parse(arn)
        if parsed is None or parsed.kind not in ("phone-number", "sender-id", "pool"):
            raise ValueError(f"{arn} is not a phone number, sender ID or pool ARN")
        if parsed.kind == "phone-number":
            ctx = CallContext(parsed.account, parsed.region, "ReleasePhoneNumber")
            self.release_phone_number(ctx, PhoneNumberId=parsed.resource_id)
        elif parsed.kind == "sender-id":
            ctx = CallContext(parsed.account, parsed.region, "ReleaseSenderId")
            self.release_sender_id(ctx, SenderId=parsed.resource_id, IsoCountryCode=parsed.country)
        else:
            self.delete_pool(CallContext(parsed.account, parsed.region, "DeletePool"), PoolId=parsed.resource_id)

    # -- inspection ----------------------------------------------------------------------------------------
    def dump(self, account: str, region: str) -> dict[str, Any]:
        """A JSON-able snapshot of what the account has in the Region."""
        state = self.state(account, region)

        def shareable(items: Iterable[Any]) -> list[dict[str, Any]]:
            return [
                {
                    **item.info(),
                    "Tags": state.tags.get(item.arn, {}),
                    "Policy": state.policies[item.arn].document if item.arn in state.policies else None,
                }
                for item in sorted(items, key=lambda item: item.seq)
            ]

        protect = [
            {
                **p.info(state.default_protect_configuration_id == p.protect_configuration_id),
                # Only the countries whose rule differs from the default ALLOW.
                "CountryRules": {
                    capability: {c: s for c, s in rules.items() if s != "ALLOW"}
                    for capability, rules in p.rules.items()
                },
            }
            for p in state.protect_configurations.values()
        ]
        return _jsonable(
            {
                "account": account,
                "region": region,
                "tier": state.tier,
                "phone_numbers": shareable(state.phone_numbers.values()),
                "sender_ids": shareable(state.sender_ids.values()),
                "pools": [
                    {**entry, "Members": state.pools[entry["PoolId"]].members}
                    for entry in shareable(state.pools.values())
                ],
                "opt_out_lists": [
                    {**entry, "OptedOutNumbers": sorted(state.opt_out_lists[entry["OptOutListName"]].opted_out)}
                    for entry in shareable(state.opt_out_lists.values())
                ],
                "configuration_sets": [c.info() for c in state.configuration_sets.values()],
                "protect_configurations": protect,
                "default_protect_configuration_id": state.default_protect_configuration_id,
                "registrations": [r.info() for r in state.registrations.values()],
                "verified_destination_numbers": sorted(state.verified_destinations),
                "allowed_destination_countries": sorted(state.allowed_countries),
                "spend_limits_reached": sorted(state.spend_limits_reached),
                "sent_messages": state.sent,
            }
        )
