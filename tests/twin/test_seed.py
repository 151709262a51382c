"""Seeding builds what a real owner account holds, readable through the real APIs."""

from __future__ import annotations

import pytest

from twin.faults import FaultConfig
from twin.offline import OfflineAWS
from twin.seed import Scenario, seed


@pytest.fixture
def scenario(aws: OfflineAWS) -> Scenario:
    return seed(aws, identities=60, consumers=3, external_consumers=1)


def test_the_owner_holds_the_requested_number_of_identities(scenario: Scenario) -> None:
    assert len(scenario.identities) == 60
    assert scenario.phone_numbers
    assert scenario.sender_ids
    assert scenario.pools
    assert scenario.opt_out_lists


def test_consumers_are_split_between_the_organization_and_outside(aws: OfflineAWS, scenario: Scenario) -> None:
    assert (len(scenario.org_consumers), len(scenario.external_consumers)) == (2, 1)
    orgs = aws.client("organizations", account=scenario.owner)
    ou_id = scenario.consumer_ou.rsplit("/", 1)[-1]
    in_ou = [a["Id"] for a in orgs.list_accounts_for_parent(ParentId=ou_id)["Accounts"]]
    assert sorted(in_ou) == sorted(scenario.org_consumers)


def test_pools_hold_their_members(aws: OfflineAWS, scenario: Scenario) -> None:
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
    pool = scenario.pools[0]
    pages = sms.get_paginator("list_pool_origination_identities").paginate(PoolId=pool.rsplit("/", 1)[-1])
    listed = [item for page in pages for item in page["OriginationIdentities"]]
    assert sorted(i["OriginationIdentityArn"] for i in listed) == sorted(scenario.pool_members[pool])


def test_every_account_is_in_the_production_tier(aws: OfflineAWS, scenario: Scenario) -> None:
    for account in [scenario.owner, *scenario.consumers]:
        attributes = aws.client("pinpoint-sms-voice-v2", account=account).describe_account_attributes()
        tier = {a["Name"]: a["Value"] for a in attributes["AccountAttributes"]}["ACCOUNT_TIER"]
        assert tier == "PRODUCTION", account


def test_configuration_sets_carry_all_three_destination_kinds(aws: OfflineAWS, scenario: Scenario) -> None:
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
    [first, *_] = sms.describe_configuration_sets(ConfigurationSetNames=[scenario.configuration_sets[0]])[
        "ConfigurationSets"
    ]
    kinds = {key for d in first["EventDestinations"] for key in d if key.endswith("Destination")}
    assert kinds == {"CloudWatchLogsDestination", "KinesisFirehoseDestination", "SnsDestination"}
    assert first["DefaultMessageType"] == "TRANSACTIONAL"
    assert first["ProtectConfigurationId"] == scenario.protect_configurations[0]


def test_the_account_default_protect_configuration_blocks_the_seeded_countries(
    aws: OfflineAWS, scenario: Scenario
) -> None:
    sms = aws.client("pinpoint-sms-voice-v2", account=scenario.owner)
    rules = sms.get_protect_configuration_country_rule_set(
        ProtectConfigurationId=scenario.protect_configurations[0], NumberCapability="SMS"
    )["CountryRuleSet"]
    assert rules["CN"]["ProtectStatus"] == "BLOCK"


def test_the_same_seed_builds_the_same_accounts_and_identities() -> None:
    built = []
    for _ in range(2):
        with OfflineAWS(FaultConfig(seed=5)) as offline:
            built.append(seed(offline, identities=10, consumers=2, external_consumers=0))
    assert (built[0].org_consumers, built[0].identities) == (built[1].org_consumers, built[1].identities)
