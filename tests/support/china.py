"""A China sender ID in the owner account that only some consumers may send with (China allowlisting is per
account: "each account is allowlisted on its own", End User Messaging SMS user guide)."""

from __future__ import annotations

from twin.offline import OfflineAWS
from twin.seed import Scenario


def china_sender(aws: OfflineAWS, scenario: Scenario) -> None:
    """The owner holds a China sender ID and may send to China; of the consumers only the first may too. The
    owner's protect configuration (recreated in each consumer) lets China through."""
    aws.sms.add_sender_id(scenario.owner, scenario.region, sender_id="BRANDCN", iso_country="CN", registered=True)
    aws.sms.allow_destination_country(scenario.owner, scenario.region, "CN")
    aws.sms.allow_destination_country(scenario.consumers[0], scenario.region, "CN")
    aws.client("pinpoint-sms-voice-v2", account=scenario.owner).update_protect_configuration_country_rule_set(
        ProtectConfigurationId=scenario.protect_configurations[0],
        NumberCapability="SMS",
        CountryRuleSetUpdates={"CN": {"ProtectStatus": "ALLOW"}},
    )


def china_arn(scenario: Scenario) -> str:
    return f"arn:aws:sms-voice:{scenario.region}:{scenario.owner}:sender-id/BRANDCN/CN"
