"""Protect configurations, their country rules and where they apply; account tier and spend limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
REGION = "us-east-1"


@pytest.fixture
def sms(aws: OfflineAWS) -> Any:
    return aws.client("pinpoint-sms-voice-v2", account=OWNER)


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as error:
        call()
    return dict[str, Any](error.value.response)


def rules(sms: Any, protect: str, capability: str = "SMS") -> dict[str, str]:
    answer = sms.get_protect_configuration_country_rule_set(ProtectConfigurationId=protect, NumberCapability=capability)
    return {country: rule["ProtectStatus"] for country, rule in answer["CountryRuleSet"].items()}


def test_a_new_protect_configuration_allows_every_country_for_every_capability(sms: Any) -> None:
    created = sms.create_protect_configuration(Tags=[{"Key": "Name", "Value": "strict"}])
    assert (created["AccountDefault"], created["DeletionProtectionEnabled"]) == (False, False)
    for capability in ("SMS", "VOICE", "MMS"):
        allowed = rules(sms, created["ProtectConfigurationId"], capability)
        assert {"US", "GB", "CN", "IN"} <= set(allowed)
        assert set(allowed.values()) == {"ALLOW"}


def test_an_update_changes_the_named_countries_of_one_capability_only(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    updated = sms.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect,
        NumberCapability="SMS",
        CountryRuleSetUpdates={"CN": {"ProtectStatus": "BLOCK"}, "RU": {"ProtectStatus": "BLOCK"}},
    )
    assert updated["CountryRuleSet"]["CN"] == {"ProtectStatus": "BLOCK"}
    sms_rules = rules(sms, protect, "SMS")
    assert (sms_rules["CN"], sms_rules["RU"], sms_rules["US"]) == ("BLOCK", "BLOCK", "ALLOW")
    assert rules(sms, protect, "VOICE")["CN"] == "ALLOW"


def test_an_update_for_an_unknown_country_is_rejected(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    response = error_of(
        lambda: sms.update_protect_configuration_country_rule_set(
            ProtectConfigurationId=protect,
            NumberCapability="SMS",
            CountryRuleSetUpdates={"ZZ": {"ProtectStatus": "BLOCK"}},
        )
    )
    assert response["Error"]["Code"] == "ValidationException"


def test_a_missing_protect_configuration_is_not_found(sms: Any) -> None:
    response = error_of(lambda: rules(sms, "protect-0000"))
    assert (response["Error"]["Code"], response["ResourceType"]) == (
        "ResourceNotFoundException",
        "protect-configuration",
    )


def test_the_account_default_is_set_described_and_removed(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    answer = sms.set_account_default_protect_configuration(ProtectConfigurationId=protect)
    assert answer["DefaultProtectConfigurationId"] == protect
    [described] = sms.describe_protect_configurations(ProtectConfigurationIds=[protect])["ProtectConfigurations"]
    assert described["AccountDefault"] is True
    attributes = {a["Name"]: a["Value"] for a in sms.describe_account_attributes()["AccountAttributes"]}
    assert attributes["DEFAULT_PROTECT_CONFIGURATION_ID"] == protect
    sms.delete_account_default_protect_configuration()
    [described] = sms.describe_protect_configurations()["ProtectConfigurations"]
    assert described["AccountDefault"] is False


def test_removing_an_account_default_that_is_not_set_is_not_found(sms: Any) -> None:
    response = error_of(sms.delete_account_default_protect_configuration)
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_describe_filters_the_account_default(sms: Any) -> None:
    sms.create_protect_configuration()
    default = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.set_account_default_protect_configuration(ProtectConfigurationId=default)
    found = sms.describe_protect_configurations(Filters=[{"Name": "account-default", "Values": ["true"]}])
    assert [p["ProtectConfigurationId"] for p in found["ProtectConfigurations"]] == [default]


def test_a_configuration_set_is_associated_with_one_protect_configuration(sms: Any) -> None:
    first = sms.create_protect_configuration()["ProtectConfigurationId"]
    second = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.create_configuration_set(ConfigurationSetName="otp")
    sms.associate_protect_configuration(ProtectConfigurationId=first, ConfigurationSetName="otp")
    sms.associate_protect_configuration(ProtectConfigurationId=second, ConfigurationSetName="otp")
    [found] = sms.describe_configuration_sets(ConfigurationSetNames=["otp"])["ConfigurationSets"]
    assert found["ProtectConfigurationId"] == second


def test_disassociating_a_protect_configuration_the_set_does_not_have_is_a_conflict(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.create_configuration_set(ConfigurationSetName="otp")
    response = error_of(
        lambda: sms.disassociate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName="otp")
    )
    assert response["Reason"] == "PROTECT_CONFIGURATION_NOT_ASSOCIATED_WITH_CONFIGURATION_SET"


def test_a_disassociated_protect_configuration_leaves_the_set(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.create_configuration_set(ConfigurationSetName="otp")
    sms.associate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName="otp")
    sms.disassociate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName="otp")
    [found] = sms.describe_configuration_sets(ConfigurationSetNames=["otp"])["ConfigurationSets"]
    assert "ProtectConfigurationId" not in found


@pytest.mark.parametrize(
    ("arrange", "reason"),
    [
        (
            lambda sms, protect: sms.set_account_default_protect_configuration(ProtectConfigurationId=protect),
            "PROTECT_CONFIGURATION_IS_ACCOUNT_DEFAULT",
        ),
        (
            lambda sms, protect: (
                sms.create_configuration_set(ConfigurationSetName="otp"),
                sms.associate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName="otp"),
            ),
            "PROTECT_CONFIGURATION_ASSOCIATED_WITH_CONFIGURATION_SET",
        ),
    ],
)
def test_a_protect_configuration_in_use_cannot_be_deleted(
    sms: Any, arrange: Callable[[Any, str], Any], reason: str
) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    arrange(sms, protect)
    response = error_of(lambda: sms.delete_protect_configuration(ProtectConfigurationId=protect))
    assert (response["Error"]["Code"], response["Reason"]) == ("ConflictException", reason)


def test_a_deletion_protected_protect_configuration_cannot_be_deleted(sms: Any) -> None:
    protect = sms.create_protect_configuration(DeletionProtectionEnabled=True)["ProtectConfigurationId"]
    response = error_of(lambda: sms.delete_protect_configuration(ProtectConfigurationId=protect))
    assert response["Reason"] == "DELETION_PROTECTION_ENABLED"


def test_an_unused_protect_configuration_is_deleted(sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.delete_protect_configuration(ProtectConfigurationId=protect)
    assert sms.describe_protect_configurations()["ProtectConfigurations"] == []


# -- account -------------------------------------------------------------------------------------------------
def tier(sms: Any) -> str:
    attributes = sms.describe_account_attributes()["AccountAttributes"]
    return str({a["Name"]: a["Value"] for a in attributes}["ACCOUNT_TIER"])


def test_a_new_account_is_in_the_sandbox(sms: Any) -> None:
    assert tier(sms) == "SANDBOX"


def test_an_account_moved_to_production_says_so(aws: OfflineAWS, sms: Any) -> None:
    aws.sms.set_account_tier(OWNER, REGION, "PRODUCTION")
    assert tier(sms) == "PRODUCTION"


def test_a_new_account_has_its_initial_text_spend_limit(sms: Any) -> None:
    limits = {limit["Name"]: limit for limit in sms.describe_spend_limits()["SpendLimits"]}
    text = limits["TEXT_MESSAGE_MONTHLY_SPEND_LIMIT"]
    assert (text["EnforcedLimit"], text["Overridden"]) == (1, False)


def test_the_snapshot_shows_tier_blocked_countries_and_the_default(aws: OfflineAWS, sms: Any) -> None:
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect,
        NumberCapability="SMS",
        CountryRuleSetUpdates={"CN": {"ProtectStatus": "BLOCK"}},
    )
    sms.set_account_default_protect_configuration(ProtectConfigurationId=protect)
    snapshot = aws.sms.dump(OWNER, REGION)
    assert snapshot["tier"] == "SANDBOX"
    assert snapshot["default_protect_configuration_id"] == protect
    [dumped] = snapshot["protect_configurations"]
    assert dumped["CountryRules"]["SMS"] == {"CN": "BLOCK"}


def test_country_rules_exist_for_sms_voice_and_mms_only(sms: Any) -> None:
    # "Valid values are SMS, VOICE, or MMS." (GetProtectConfigurationCountryRuleSet's NumberCapability member in
    # botocore's model; the NumberCapability enum also names RCS)
    protect = sms.create_protect_configuration()["ProtectConfigurationId"]
    refused = error_of(
        lambda: sms.get_protect_configuration_country_rule_set(ProtectConfigurationId=protect, NumberCapability="RCS")
    )
    assert (refused["Error"]["Code"], refused["Reason"]) == ("ValidationException", "INVALID_PARAMETER")
