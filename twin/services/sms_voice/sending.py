"""SendTextMessage: who may send with which identity, and what stops a message before it leaves."""

from __future__ import annotations

import uuid
from typing import Any

from twin.services.base import CallContext
from twin.services.sms_voice.core import SmsVoiceCore, caller_of
from twin.services.sms_voice.countries import country_of
from twin.services.sms_voice.errors import conflict, invalid, not_found, quota_exceeded
from twin.services.sms_voice.state import (
    AccountState,
    Arn,
    ConfigurationSet,
    OptOutList,
    PhoneNumber,
    Pool,
    ProtectConfiguration,
    SenderId,
    is_arn,
)

SEND = "sms-voice:SendTextMessage"
ORIGINATION_KINDS = ("phone-number", "sender-id", "pool")
Identity = PhoneNumber | SenderId | Pool
# "Only China requires SMS template registration for your account to be allowed sending there." (End User
# Messaging SMS User Guide, "China SMS template registration form"). The registration is the sending account's:
# "These are tied to a specific AWS account, not to the origination identity itself. Submit new template
# registrations via AWS Support for each account that needs to send to the destination country." ("A Complete
# Guide to Resource Sharing for AWS End User Messaging", which answers a consuming account's
# DESTINATION_COUNTRY_BLOCKED error). botocore's model has that reason in ValidationExceptionReason only.
COUNTRIES_NEEDING_THE_ACCOUNT_ALLOWED = frozenset({"CN"})


class SendingMixin(SmsVoiceCore):
    def _origination(self, ctx: CallContext, ident: str, country: str) -> tuple[AccountState, Identity]:
        """The identity to send with: the caller's own by any name, another account's by ARN and grant."""
        if is_arn(ident):
            arn = Arn.parse(ident)
            kind = arn.kind if arn is not None else "phone-number"
            located = self.locate(ctx, kind, ident, action=SEND) if kind in ORIGINATION_KINDS else None
            if located is None or isinstance(located[1], OptOutList):
                raise not_found(kind, ident)
            return located[0], located[1]
        for kind in ("phone-number", "pool"):
            located = self.locate(ctx, kind, ident, owner="SELF")
            if located is not None and isinstance(located[1], PhoneNumber | Pool):
                return located[0], located[1]
        state = self.state(ctx.account, ctx.region)
        # A bare sender ID names the caller's registration of it for the destination country, if it has one.
        sender = self.own_sender_id(state, ident, country) or self.own_sender_id(state, ident, None)
        if sender is None:
            raise not_found("phone-number", ident)
        return state, sender

    def _check_pool_members(self, ctx: CallContext, owner: AccountState, pool: Pool) -> None:
        """A shared pool sends only through members shared with the caller too (same resource share)."""
        if owner.account == ctx.account:
            return
        caller = caller_of(ctx.account)
        for member in pool.members:
            if not self.grants(owner, member, caller, SEND):
                parsed = Arn.parse(member)
                raise not_found(parsed.kind if parsed else "phone-number", member)

    def _protect_levels(
        self, ctx: CallContext, params: dict[str, Any], configuration: ConfigurationSet | None
    ) -> list[ProtectConfiguration]:
        """The protect configurations a message passes: its own, its configuration set's, the account's."""
        state = self.state(ctx.account, ctx.region)
        levels: list[ProtectConfiguration] = []
        if "ProtectConfigurationId" in params:
            levels.append(self.protect_configuration(ctx, params["ProtectConfigurationId"]))
        if configuration is not None and configuration.protect_configuration_id is not None:
            levels.append(state.protect_configurations[configuration.protect_configuration_id])
        if state.default_protect_configuration_id is not None:
            levels.append(state.protect_configurations[state.default_protect_configuration_id])
        return levels

    @staticmethod
    def _check_opted_out(owner: AccountState, identity: Identity, destination: str) -> None:
        """A destination in the identity's opt-out list is refused, whoever sends: "When a user opts out of
        messaging from one account, they are opted out across all accounts using that shared list." A sender ID
        has no opt-out list (SenderIdInformation has no OptOutListName)."""
        if isinstance(identity, SenderId):
            return
        found = owner.opt_out_lists.get(identity.opt_out_list_name)
        if found is not None and destination in found.opted_out:
            raise conflict(
                "DESTINATION_PHONE_NUMBER_OPTED_OUT",
                "opt-out-list",
                found.arn,
                f"{destination} is opted out in {found.name}.",
            )

    def send_text_message(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        destination = params["DestinationPhoneNumber"]
        country = country_of(destination)
        if country is None:
            raise invalid(
                "INVALID_PARAMETER",
                f"{destination} is not an E.164 number of a supported country.",
                [("DestinationPhoneNumber", "must be an E.164 number of a supported country")],
            )
        configuration = (
            self.configuration_set(ctx, params["ConfigurationSetName"]) if "ConfigurationSetName" in params else None
        )
        ident = params.get("OriginationIdentity") or (configuration and configuration.default_sender_id)
        if not ident:
            raise invalid(
                "MISSING_PARAMETER",
                "An OriginationIdentity is required.",
                [("OriginationIdentity", "is required without a configuration set default sender ID")],
            )
        owner, identity = self._origination(ctx, ident, country)
        if isinstance(identity, Pool):
            self._check_pool_members(ctx, owner, identity)
        if isinstance(identity, PhoneNumber) and "SMS" not in identity.capabilities:
            raise conflict(
                "NUMBER_CAPABILITIES_MISMATCH",
                "phone-number",
                identity.phone_number_id,
                "The phone number cannot send SMS.",
            )
        if country in COUNTRIES_NEEDING_THE_ACCOUNT_ALLOWED and country not in state.allowed_countries:
            raise invalid(
                "DESTINATION_COUNTRY_BLOCKED",
                f"The account is not allowed to send to {country}.",
                [("DestinationPhoneNumber", f"sending to {country} is not enabled for the account")],
            )
        for level in self._protect_levels(ctx, params, configuration):
            if level.blocks("SMS", country):
                raise conflict(
                    "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION",
                    "protect-configuration",
                    level.protect_configuration_id,
                    f"SMS to {country} is blocked by {level.protect_configuration_id}.",
                )
        self._check_opted_out(owner, identity, destination)
        if "TEXT" in state.spend_limits_reached:
            # The sender pays: "Consuming accounts are billed for their usage of those shared resources".
            raise quota_exceeded(
                "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT", "The account has reached its monthly spend limit for SMS."
            )
        sandboxed = state.tier == "SANDBOX" and destination not in state.verified_destinations
        if sandboxed and not params.get("DryRun"):
            # In the sandbox an account can only send to destination numbers it has verified. A DryRun
            # checks the identity and the configuration, not the tier: a sandboxed consumer looks healthy
            # until it really sends (DescribeAccountAttributes tells the tier).
            raise conflict(
                "DESTINATION_PHONE_NUMBER_NOT_VERIFIED",
                "verified-destination-number",
                destination,
                "The account is in the SMS sandbox and the destination number is not verified.",
            )
        message_id = str(uuid.UUID(int=self.world.ids.getrandbits(128)))
        if not params.get("DryRun"):
            state.sent.append(
                {
                    "MessageId": message_id,
                    "OriginationIdentity": identity.arn,
                    "DestinationPhoneNumber": destination,
                    "ConfigurationSetName": configuration.name if configuration else None,
                    "at": self.world.clock.now(),
                }
            )
        return {"MessageId": message_id}
