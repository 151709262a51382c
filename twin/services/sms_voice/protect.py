"""Protect configurations (country rules per capability) and the account-level settings of the Region."""

from __future__ import annotations

from typing import Any

from twin.services.base import CallContext
from twin.services.sms_voice import filters
from twin.services.sms_voice.core import SmsVoiceCore
from twin.services.sms_voice.countries import ISO_COUNTRIES
from twin.services.sms_voice.errors import conflict, invalid, not_found, page
from twin.services.sms_voice.state import RULE_CAPABILITIES, AccountState, ProtectConfiguration

# A new account's monthly spend limits (USD) in a Region, before any quota increase.
INITIAL_SPEND_LIMITS = {
    "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT": 1,
    "VOICE_MESSAGE_MONTHLY_SPEND_LIMIT": 1,
    "MEDIA_MESSAGE_MONTHLY_SPEND_LIMIT": 1,
}


class ProtectMixin(SmsVoiceCore):
    def _protect_info(self, state: AccountState, found: ProtectConfiguration) -> dict[str, Any]:
        return found.info(state.default_protect_configuration_id == found.protect_configuration_id)

    def create_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        protect_id = self.world.new_id("protect")
        created = ProtectConfiguration(
            state.arn("protect-configuration", protect_id),
            protect_id,
            self.timestamp(),
            bool(params.get("DeletionProtectionEnabled")),
        )
        state.protect_configurations[protect_id] = created
        state.tags[created.arn] = {t["Key"]: t["Value"] for t in params.get("Tags", [])}
        tags = [{"Key": k, "Value": v} for k, v in state.tags[created.arn].items()]
        return {**self._protect_info(state, created), "Tags": tags}

    def describe_protect_configurations(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        ids = params.get("ProtectConfigurationIds") or []
        chosen = (
            [self.protect_configuration(ctx, i) for i in ids] if ids else list(state.protect_configurations.values())
        )
        infos = [self._protect_info(state, p) for p in chosen]
        infos = [i for i in infos if filters.matches(i, params.get("Filters", []), filters.PROTECT_CONFIGURATION)]
        found, more = page(infos, params, self.world.faults)
        return {"ProtectConfigurations": found, **more}

    def delete_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        found = self.protect_configuration(ctx, params["ProtectConfigurationId"])
        protect_id = found.protect_configuration_id
        if found.deletion_protection:
            raise conflict(
                "DELETION_PROTECTION_ENABLED",
                "protect-configuration",
                protect_id,
                "Deletion protection is on.",
            )
        if state.default_protect_configuration_id == protect_id:
            raise conflict(
                "PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT",
                "protect-configuration",
                protect_id,
                "The protect configuration is the account default.",
            )
        if any(c.protect_configuration_id == protect_id for c in state.configuration_sets.values()):
            raise conflict(
                "PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET",
                "protect-configuration",
                protect_id,
                "The protect configuration is associated with a configuration set.",
            )
        del state.protect_configurations[protect_id]
        state.tags.pop(found.arn, None)
        return self._protect_info(state, found)

    # -- country rules -------------------------------------------------------------------------------------
    def _rule_set(self, found: ProtectConfiguration, capability: str) -> dict[str, Any]:
        return {
            "ProtectConfigurationArn": found.arn,
            "ProtectConfigurationId": found.protect_configuration_id,
            "NumberCapability": capability,
            "CountryRuleSet": {c: {"ProtectStatus": s} for c, s in found.rules[capability].items()},
        }

    def get_protect_configuration_country_rule_set(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.protect_configuration(ctx, params["ProtectConfigurationId"])
        return self._rule_set(found, _rule_capability(params["NumberCapability"]))

    def update_protect_configuration_country_rule_set(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        found = self.protect_configuration(ctx, params["ProtectConfigurationId"])
        updates: dict[str, dict[str, str]] = params["CountryRuleSetUpdates"]
        unknown = sorted(set(updates) - set(ISO_COUNTRIES))
        if unknown:
            raise invalid(
                "INVALID_PARAMETER",
                f"Unknown country codes: {', '.join(unknown)}.",
                [(f"CountryRuleSetUpdates.{c}", "is not an ISO 3166-1 alpha-2 code") for c in unknown],
            )
        # UpdateProtectConfigurationCountryRuleSet names no valid values: the twin takes Get's (an assumption,
        # docs/aws-assumptions.md)
        capability = _rule_capability(params["NumberCapability"])
        for country, rule in updates.items():
            found.rules[capability][country] = rule["ProtectStatus"]
        return self._rule_set(found, capability)

    # -- where a protect configuration applies -------------------------------------------------------------
    def set_account_default_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        found = self.protect_configuration(ctx, params["ProtectConfigurationId"])
        state.default_protect_configuration_id = found.protect_configuration_id
        return {
            "DefaultProtectConfigurationArn": found.arn,
            "DefaultProtectConfigurationId": found.protect_configuration_id,
        }

    def delete_account_default_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        current = state.default_protect_configuration_id
        if current is None:
            raise not_found("protect-configuration", "account default")
        found = state.protect_configurations[current]
        state.default_protect_configuration_id = None
        return {"DefaultProtectConfigurationArn": found.arn, "DefaultProtectConfigurationId": current}

    def _pairing(self, ctx: CallContext, params: dict[str, Any]) -> dict[str, Any]:
        found = self.protect_configuration(ctx, params["ProtectConfigurationId"])
        target = self.configuration_set(ctx, params["ConfigurationSetName"])
        return {
            "ConfigurationSetArn": target.arn,
            "ConfigurationSetName": target.name,
            "ProtectConfigurationArn": found.arn,
            "ProtectConfigurationId": found.protect_configuration_id,
        }

    def associate_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        answer = self._pairing(ctx, params)
        # A configuration set has one protect configuration: associating replaces the current one.
        target = self.configuration_set(ctx, params["ConfigurationSetName"])
        target.protect_configuration_id = answer["ProtectConfigurationId"]
        return answer

    def disassociate_protect_configuration(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        answer = self._pairing(ctx, params)
        target = self.configuration_set(ctx, params["ConfigurationSetName"])
        if target.protect_configuration_id != answer["ProtectConfigurationId"]:
            raise conflict(
                "PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET",
                "protect-configuration",
                answer["ProtectConfigurationId"],
                f"The protect configuration is not associated with {target.name}.",
            )
        target.protect_configuration_id = None
        return answer

    # -- account -------------------------------------------------------------------------------------------
    def describe_account_attributes(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        state = self.state(ctx.account, ctx.region)
        # The order is not documented: the tier comes last, so a caller reading one page may miss it.
        attributes = [{"Name": "ACCOUNT_TIER", "Value": state.tier}]
        if state.default_protect_configuration_id is not None:
            attributes.insert(
                0, {"Name": "DEFAULT_PROTECT_CONFIGURATION_ID", "Value": state.default_protect_configuration_id}
            )
        found, more = page(attributes, params, self.world.faults)
        return {"AccountAttributes": found, **more}

    def describe_spend_limits(self, ctx: CallContext, **params: Any) -> dict[str, Any]:
        limits = [
            {"Name": name, "EnforcedLimit": limit, "MaxLimit": limit, "Overridden": False}
            for name, limit in INITIAL_SPEND_LIMITS.items()
        ]
        found, more = page(limits, params, self.world.faults)
        return {"SpendLimits": found, **more}


def _rule_capability(capability: str) -> str:
    if capability not in RULE_CAPABILITIES:
        raise invalid(
            "INVALID_PARAMETER",
            f"NumberCapability {capability} has no country rules: valid values are SMS, VOICE, or MMS.",
            [("NumberCapability", "Valid values are SMS, VOICE, or MMS")],
        )
    return capability
