"""Protect configurations' country rule sets, read the same way in the owner and in every consumer."""

from __future__ import annotations

from eum_share.dal.accounts import Clients

SMS = "pinpoint-sms-voice-v2"


# The capabilities a protect configuration has country rules for: "Valid values are SMS, VOICE, or MMS."
# (GetProtectConfigurationCountryRuleSet's NumberCapability; the NumberCapability enum also names RCS, which has none)
RULE_CAPABILITIES = ("SMS", "VOICE", "MMS")


def country_rules(clients: Clients, protect_id: str) -> dict[str, dict[str, str]]:
    """Capability -> ISO country -> status, only where the status is not ALLOW: every country is ALLOW
    unless a rule says otherwise, so the exceptions are the whole configuration."""
    rules: dict[str, dict[str, str]] = {}
    for capability in RULE_CAPABILITIES:
        exceptions = capability_rules(clients, protect_id, capability)
        if exceptions:
            rules[capability] = exceptions
    return rules


def capability_rules(clients: Clients, protect_id: str, capability: str) -> dict[str, str]:
    """ISO country -> status for one capability, only where the status is not ALLOW."""
    rule_set = clients(SMS).get_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect_id, NumberCapability=capability
    )["CountryRuleSet"]
    return {c: r["ProtectStatus"] for c, r in sorted(rule_set.items()) if r["ProtectStatus"] != "ALLOW"}
