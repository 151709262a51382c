"""The inventory: which identities a migration shares, what it must rebuild, and what people must do."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from eum_share.dal import owner_inventory
from eum_share.dal.accounts import Clients
from eum_share.dal.protect import country_rules
from eum_share.errors import ConfigurationSetsNotFound, InvalidRequest, ResourcesNotOwned
from eum_share.logic.inventory import take_inventory
from eum_share.models.inventory import Identity, Inventory, SelectedBy
from eum_share.models.request import MigrationRequest

from tests.support.events import load_event
from twin.offline import OfflineAWS
from twin.seed import seed
from twin.services.sms_voice import protect

OWNER = "111111111111"
REGION = "us-east-1"
CONSUMERS = ["222222222222", "333333333333"]
SMS_VOICE = "pinpoint-sms-voice-v2"


def _request(**changes: Any) -> MigrationRequest:
    raw: dict[str, Any] = copy.deepcopy(load_event("validate_request.json")["request"])
    raw["resources"] = {"select": "ALL"}
    raw.update(changes)
    return MigrationRequest.model_validate(raw)


def _owner(aws: OfflineAWS) -> Clients:
    return lambda service: aws.client(service, account=OWNER)


def _inventory(aws: OfflineAWS, **changes: Any) -> Inventory:
    return take_inventory(_request(**changes), _owner(aws), CONSUMERS)


def _arns(inventory: Inventory) -> list[str]:
    return [identity.arn for identity in inventory.identities]


def _identity(inventory: Inventory, arn: str) -> Identity:
    return inventory.by_arn()[arn]


def _actions(inventory: Inventory, kind: str) -> list[tuple[str, str, str | None]]:
    return [(a.account, a.subject, a.lead_time) for a in inventory.manual_actions if a.kind == kind]


# -- selection -------------------------------------------------------------------------------------------
def test_all_selects_every_owned_identity_of_the_requested_types(aws: OfflineAWS) -> None:
    # Given an owner with two phone numbers and a sender ID
    numbers = sorted(aws.sms.add_phone_number(OWNER, REGION) for _ in range(2))
    aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    # When everything of type PHONE_NUMBER is selected
    inventory = _inventory(aws, resources={"select": "ALL", "types": ["PHONE_NUMBER"]})
    # Then the inventory holds the two phone numbers and nothing else, chosen by the selection
    assert _arns(inventory) == numbers
    assert {identity.selected_by for identity in inventory.identities} == {SelectedBy.SELECTION}


def test_arns_selects_exactly_the_named_identities(aws: OfflineAWS) -> None:
    # Given two phone numbers and a sender ID
    wanted = aws.sms.add_phone_number(OWNER, REGION, iso_country="GB")
    aws.sms.add_phone_number(OWNER, REGION)
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="DE")
    # When one phone number and the sender ID are named
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [sender, wanted]})
    # Then only those two are inventoried, with their identifiers and countries from the API
    assert _arns(inventory) == [wanted, sender]
    assert (_identity(inventory, sender).id, _identity(inventory, sender).iso_country) == ("BRAND", "DE")
    assert _identity(inventory, wanted).iso_country == "GB"


def test_arns_the_owner_does_not_own_are_refused_all_named(aws: OfflineAWS) -> None:
    # Given an owned phone number, a phone number of another account, and an ARN that names nothing
    owned = aws.sms.add_phone_number(OWNER, REGION)
    foreign = aws.sms.add_phone_number(CONSUMERS[0], REGION)
    missing = owned.rsplit("/", 1)[0] + "/phone-00000000000000000000000000000000"
    # When all three are named
    with pytest.raises(ResourcesNotOwned) as refused:
        _inventory(aws, resources={"select": "ARNS", "arns": [owned, foreign, missing]})
    # Then the refusal names both that are not the owner's, and only those
    assert refused.value.arns == [foreign, missing]
    assert foreign in str(refused.value)


def test_tags_select_identities_carrying_every_pair(aws: OfflineAWS) -> None:
    # Given phone numbers tagged with both pairs, with one of them, and with a different value
    both = aws.sms.add_phone_number(OWNER, REGION, tags={"team": "otp", "env": "prod"})
    aws.sms.add_phone_number(OWNER, REGION, tags={"team": "otp"})
    aws.sms.add_phone_number(OWNER, REGION, tags={"team": "otp", "env": "test"})
    # When identities tagged team=otp and env=prod are selected
    inventory = _inventory(aws, resources={"select": "TAGS", "tags": {"team": "otp", "env": "prod"}})
    # Then only the one carrying both pairs is inventoried
    assert _arns(inventory) == [both]


# -- closure over pools and opt-out lists ----------------------------------------------------------------
def test_a_selected_pool_brings_its_members_even_of_types_not_requested(aws: OfflineAWS) -> None:
    # Given a pool holding a phone number and a sender ID
    number = aws.sms.add_phone_number(OWNER, REGION)
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[number, sender])
    # When only the pool is selected, and only pools are requested
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [pool], "types": ["POOL"]})
    # Then both members come with it, marked as brought in by the pool
    assert _arns(inventory) == [number, sender, pool]
    for member in (number, sender):
        assert _identity(inventory, member).selected_by is SelectedBy.MEMBERSHIP
        assert _identity(inventory, member).brought_by == [pool]
    assert _identity(inventory, pool).members == sorted([number, sender])


def test_a_member_that_is_also_selected_stays_selected(aws: OfflineAWS) -> None:
    # Given a pool of one phone number
    number = aws.sms.add_phone_number(OWNER, REGION)
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    # When both the pool and the number are named
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [pool, number]})
    # Then the number is there as selected, brought by nothing
    assert _identity(inventory, number).selected_by is SelectedBy.SELECTION
    assert _identity(inventory, number).brought_by == []


def test_a_pool_has_the_country_its_members_share(aws: OfflineAWS) -> None:
    # Given a pool of two US phone numbers
    members = [aws.sms.add_phone_number(OWNER, REGION, iso_country="US") for _ in range(2)]
    pool = aws.sms.add_pool(OWNER, REGION, members=members)
    # When the pool is inventoried
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [pool]})
    # Then its country is theirs
    assert _identity(inventory, pool).iso_country == "US"


def test_a_pool_of_several_countries_has_none(aws: OfflineAWS) -> None:
    # Given a pool of a US phone number and a GB sender ID
    number = aws.sms.add_phone_number(OWNER, REGION, iso_country="US")
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[number, sender])
    # When the pool is inventoried
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [pool]})
    # Then it has no single country
    assert _identity(inventory, pool).iso_country is None


def test_a_selected_opt_out_list_brings_its_numbers_and_pools_with_their_members(aws: OfflineAWS) -> None:
    # Given an opt-out list used by a phone number and by a pool that holds another number and a sender ID
    optouts = aws.sms.add_opt_out_list(OWNER, REGION, "otp-optouts")
    alone = aws.sms.add_phone_number(OWNER, REGION, opt_out_list_name="otp-optouts")
    pooled = aws.sms.add_phone_number(OWNER, REGION, opt_out_list_name="otp-optouts")
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[pooled, sender], opt_out_list_name="otp-optouts")
    aws.sms.add_phone_number(OWNER, REGION)  # on the Default list: not brought
    # When only the opt-out list is selected
    inventory = _inventory(aws, resources={"select": "ARNS", "arns": [optouts]})
    # Then its users come with it, the pool's members through the pool
    assert _identity(inventory, alone).brought_by == [optouts]
    assert _identity(inventory, pool).brought_by == [optouts]
    assert _identity(inventory, sender).brought_by == [pool]
    assert _identity(inventory, pooled).brought_by == sorted([optouts, pool])
    assert _identity(inventory, optouts).members == sorted([alone, pooled, pool])
    assert _identity(inventory, alone).opt_out_list == optouts
    assert set(_arns(inventory)) == {optouts, alone, pooled, sender, pool}


# -- identities not ready to be shared -------------------------------------------------------------------
# DescribePhoneNumbers answers a Status from NumberStatus (PENDING, ACTIVE, ASSOCIATING, DISASSOCIATING, DELETED),
# DescribePools one from PoolStatus (CREATING, ACTIVE, DELETING): botocore's pinpoint-sms-voice-v2 model.
def _skipped(inventory: Inventory) -> dict[str, str]:
    return {s.arn: s.reason for s in inventory.skipped}


@pytest.mark.parametrize("status", ["PENDING", "ASSOCIATING", "DISASSOCIATING", "DELETED"])
def test_a_phone_number_that_is_not_active_is_skipped_with_its_status(aws: OfflineAWS, status: str) -> None:
    # Given an ACTIVE phone number and one in another status
    ready = aws.sms.add_phone_number(OWNER, REGION)
    waiting = aws.sms.add_phone_number(OWNER, REGION, status=status)
    # When every phone number is selected
    inventory = _inventory(aws, resources={"select": "ALL", "types": ["PHONE_NUMBER"]})
    # Then only the ACTIVE one is shared, the other is skipped with its status as the reason
    assert _arns(inventory) == [ready]
    assert list(_skipped(inventory)) == [waiting]
    assert f"its status is {status}, not ACTIVE" in _skipped(inventory)[waiting]


@pytest.mark.parametrize("status", ["CREATING", "DELETING"])
def test_a_pool_that_is_not_active_is_skipped_with_what_only_it_brought(aws: OfflineAWS, status: str) -> None:
    # Given a pool in that status holding an ACTIVE phone number
    number = aws.sms.add_phone_number(OWNER, REGION)
    pool = aws.sms.add_pool(OWNER, REGION, members=[number], status=status)
    # When pools are selected
    inventory = _inventory(aws, resources={"select": "ALL", "types": ["POOL"]})
    # Then the pool is skipped for its status, and its member, which only the pool brought in, with it
    assert _arns(inventory) == []
    assert f"its status is {status}" in _skipped(inventory)[pool]
    assert pool in _skipped(inventory)[number]


def test_a_pool_holding_a_number_that_is_not_active_is_skipped_naming_it(aws: OfflineAWS) -> None:
    # Given a pool of an ACTIVE number and a PENDING one
    active = aws.sms.add_phone_number(OWNER, REGION)
    pending = aws.sms.add_phone_number(OWNER, REGION, status="PENDING")
    pool = aws.sms.add_pool(OWNER, REGION, members=[active, pending])
    # When everything is selected
    inventory = _inventory(aws)
    # Then the pool is skipped (shared without a member it would not work), naming the member; the ACTIVE number,
    # chosen by the selection itself, is still shared
    assert pending in _skipped(inventory)[pool]
    assert active in _arns(inventory)
    assert pool not in _arns(inventory)


def test_a_named_identity_that_is_not_active_is_refused_naming_it_and_its_status(aws: OfflineAWS) -> None:
    # Given a PENDING phone number and an ACTIVE one
    pending = aws.sms.add_phone_number(OWNER, REGION, status="PENDING")
    active = aws.sms.add_phone_number(OWNER, REGION)
    # When both are named
    with pytest.raises(InvalidRequest) as refused:
        _inventory(aws, resources={"select": "ARNS", "arns": [active, pending]})
    # Then the request is refused, naming the PENDING one and why, and only it
    assert refused.value.problems == [
        f"resources.arns: {pending} cannot be shared now: its status is PENDING, not ACTIVE; "
        "migrate it once it is ACTIVE"
    ]


def test_a_phone_number_described_without_its_id_takes_it_from_its_arn(
    aws: OfflineAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a phone number described without PhoneNumberId, which PhoneNumberInformation does not require
    number = aws.sms.add_phone_number(OWNER, REGION)
    described = owner_inventory.phone_numbers

    def without_ids(clients: Any) -> owner_inventory.Pages:
        pages = described(clients)
        read = pages.read

        def stripped() -> owner_inventory.Page:
            page, more = read()
            return [{k: v for k, v in p.items() if k != "PhoneNumberId"} for p in page], more

        pages.read = stripped  # type: ignore[method-assign]
        return pages

    monkeypatch.setattr(owner_inventory, "phone_numbers", without_ids)
    # When it is inventoried
    inventory = _inventory(aws, resources={"select": "ALL", "types": ["PHONE_NUMBER"]})
    # Then it is there, with the ID its ARN ends with
    assert _identity(inventory, number).id == number.rsplit("/", 1)[-1]


# -- order and size --------------------------------------------------------------------------------------
def test_identities_come_members_first_each_kind_sorted_by_arn(aws: OfflineAWS) -> None:
    # Given a seeded owner with identities of every kind
    scenario = seed(aws, identities=40)
    # When everything is inventoried
    inventory = _inventory(aws)
    # Then phone numbers, sender IDs, pools and opt-out lists follow each other, each sorted by ARN
    kinds = ("PHONE_NUMBER", "SENDER_ID", "POOL", "OPT_OUT_LIST")
    expected = [sorted(i.arn for i in inventory.identities if i.type == kind) for kind in kinds]
    assert _arns(inventory) == [arn for group in expected for arn in group]
    assert set(scenario.identities) <= set(_arns(inventory))


def test_an_owner_with_more_than_one_page_of_numbers_is_read_whole(aws: OfflineAWS) -> None:
    # Given 150 phone numbers: more than the 100 one describe call returns
    numbers = sorted(aws.sms.add_phone_number(OWNER, REGION) for _ in range(150))
    # When every phone number is selected
    inventory = _inventory(aws, resources={"select": "ALL", "types": ["PHONE_NUMBER"]})
    # Then all 150 are inventoried
    assert _arns(inventory) == numbers


# -- configuration sets and protect configurations -------------------------------------------------------
def test_all_configuration_sets_come_with_destinations_and_defaults(aws: OfflineAWS) -> None:
    # Given a seeded owner with three configuration sets, each with three kinds of destination
    scenario = seed(aws, identities=10)
    # When all configuration sets are inventoried
    inventory = _inventory(aws, configuration={"configurationSets": "ALL"})
    # Then every set is there with its defaults and a destination of each kind
    assert [s.name for s in inventory.configuration_sets] == sorted(scenario.configuration_sets)
    first = inventory.configuration_sets[0]
    assert first.default_message_type == "TRANSACTIONAL"
    assert first.protect_configuration_id == scenario.protect_configurations[0]
    assert sorted(d.kind for d in first.event_destinations) == ["CLOUDWATCH_LOGS", "FIREHOSE", "SNS"]


def test_no_configuration_sets_when_none_are_asked_for(aws: OfflineAWS) -> None:
    seed(aws, identities=10)
    inventory = _inventory(aws, configuration={"configurationSets": "NONE"})
    assert inventory.configuration_sets == []


def test_named_configuration_sets_are_the_only_ones_taken(aws: OfflineAWS) -> None:
    seed(aws, identities=10)
    inventory = _inventory(aws, configuration={"configurationSets": ["otp-1"]})
    assert [s.name for s in inventory.configuration_sets] == ["otp-1"]


def test_a_configuration_set_the_owner_lacks_is_refused_by_name(aws: OfflineAWS) -> None:
    # Given a seeded owner without a set named "marketing"
    seed(aws, identities=10)
    # When "marketing" and an existing set are asked for
    with pytest.raises(ConfigurationSetsNotFound) as refused:
        _inventory(aws, configuration={"configurationSets": ["otp-0", "marketing"]})
    # Then the refusal names the missing one
    assert refused.value.names == ["marketing"]
    assert "marketing" in str(refused.value)


def test_protect_configurations_carry_their_blocked_countries_per_capability(aws: OfflineAWS) -> None:
    # Given a protect configuration that blocks SMS to CN and RU and MMS to RU
    scenario = seed(aws, identities=10)
    [protect_id] = scenario.protect_configurations
    aws.client(SMS_VOICE, account=OWNER).update_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect_id,
        NumberCapability="MMS",
        CountryRuleSetUpdates={"RU": {"ProtectStatus": "BLOCK"}},
    )
    # When it is inventoried
    [found] = _inventory(aws).protect_configurations
    # Then only the exceptions to ALLOW are kept, per capability
    assert found.country_rules == {"SMS": {"CN": "BLOCK", "RU": "BLOCK"}, "MMS": {"RU": "BLOCK"}}


def test_the_account_default_protect_configuration_is_marked(aws: OfflineAWS) -> None:
    # Given two protect configurations, one of them the account default
    sms = aws.client(SMS_VOICE, account=OWNER)
    default = sms.create_protect_configuration()["ProtectConfigurationId"]
    other = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.set_account_default_protect_configuration(ProtectConfigurationId=default)
    # When protect configurations are inventoried
    inventory = _inventory(aws, configuration={"protectConfigurations": True})
    # Then only the default says so
    assert {p.id: p.account_default for p in inventory.protect_configurations} == {
        default: True,
        other: False,
    }


def test_a_protect_configuration_used_by_a_chosen_set_comes_even_when_not_asked_for(aws: OfflineAWS) -> None:
    # Given a configuration set with a protect configuration, and another protect configuration
    scenario = seed(aws, identities=10)
    aws.client(SMS_VOICE, account=OWNER).create_protect_configuration()
    # When protect configurations are not asked for but the set is
    inventory = _inventory(aws, configuration={"configurationSets": ["otp-0"], "protectConfigurations": False})
    # Then the set's protect configuration is inventoried, and only it
    assert [p.id for p in inventory.protect_configurations] == scenario.protect_configurations


def test_no_protect_configurations_when_neither_asked_for_nor_used(aws: OfflineAWS) -> None:
    seed(aws, identities=10)
    inventory = _inventory(aws, configuration={"configurationSets": "NONE", "protectConfigurations": False})
    assert inventory.protect_configurations == []


# -- account settings and manual actions -----------------------------------------------------------------
def test_the_owner_account_tier_is_reported(aws: OfflineAWS) -> None:
    aws.sms.set_account_tier(OWNER, REGION, "PRODUCTION")
    assert _inventory(aws).account_tier == "PRODUCTION"


def test_an_india_registration_asks_every_consumer_for_its_own(aws: OfflineAWS) -> None:
    # Given the owner holds an India sender ID registration
    registration = aws.sms.add_registration(OWNER, REGION, registration_type="IN_SENDER_ID_REGISTRATION")
    # When the inventory is taken for two consumers
    inventory = _inventory(aws)
    # Then each consumer is asked to register India message templates, with no lead time AWS documents
    assert _actions(inventory, "REGISTRATION") == [
        (account, "IN message template registration", None) for account in CONSUMERS
    ]
    assert [r["RegistrationArn"] for r in inventory.registrations] == [registration]


def test_a_china_registration_asks_for_templates_with_lead_time_and_an_allowlist(aws: OfflineAWS) -> None:
    # Given the owner holds a China registration
    aws.sms.add_registration(OWNER, REGION, registration_type="CN_SENDER_ID_REGISTRATION")
    # When the inventory is taken
    inventory = _inventory(aws)
    # Then each consumer must register China templates (15+ days) and be allowlisted for China
    assert _actions(inventory, "REGISTRATION") == [
        (account, "CN message template registration", "15+ days") for account in CONSUMERS
    ]
    assert _actions(inventory, "CHINA_ALLOWLIST") == [(account, "CN sending allowlist", None) for account in CONSUMERS]


def test_a_shared_china_sender_id_asks_for_an_allowlist(aws: OfflineAWS) -> None:
    # Given a CN sender ID and no registration
    aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="CN")
    # When it is inventoried
    inventory = _inventory(aws)
    # Then each consumer must be allowlisted for China
    assert [account for account, _, _ in _actions(inventory, "CHINA_ALLOWLIST")] == CONSUMERS


def test_us_registrations_travel_with_their_numbers(aws: OfflineAWS) -> None:
    # Given 10DLC and toll-free registrations and US numbers
    aws.sms.add_registration(OWNER, REGION, registration_type="US_TEN_DLC_BRAND_REGISTRATION")
    aws.sms.add_registration(OWNER, REGION, registration_type="US_TOLL_FREE_REGISTRATION")
    aws.sms.add_phone_number(OWNER, REGION, number_type="TEN_DLC")
    # When the inventory is taken
    inventory = _inventory(aws)
    # Then nobody is asked to do anything
    assert inventory.manual_actions == []


def test_spend_limits_above_the_default_ask_consumers_to_raise_theirs(
    aws: OfflineAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an owner allowed to spend 5000 USD a month on text messages (the others at the default)
    monkeypatch.setitem(protect.INITIAL_SPEND_LIMITS, "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", 5000)
    # When the inventory is taken
    inventory = _inventory(aws)
    # Then each consumer is asked to raise its text message limit, and only that one
    assert _actions(inventory, "SPEND_LIMIT") == [
        (account, "TEXT_MESSAGE_MONTHLY_SPEND_LIMIT", None) for account in CONSUMERS
    ]
    assert "5000 USD" in inventory.manual_actions[0].detail
    assert len(inventory.spend_limits) == len(protect.INITIAL_SPEND_LIMITS)


def test_the_owner_protect_rules_are_read_for_the_capabilities_that_have_them(aws: OfflineAWS) -> None:
    # Given an owner protect configuration that blocks SMS to one country
    owner_sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    protect = owner_sms.create_protect_configuration()["ProtectConfigurationId"]
    owner_sms.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect, NumberCapability="SMS", CountryRuleSetUpdates={"CN": {"ProtectStatus": "BLOCK"}}
    )
    # When its rules are read (the offline AWS refuses RCS, as GetProtectConfigurationCountryRuleSet documents)
    found = country_rules(_owner(aws), protect)
    # Then the block is found and nothing else
    assert found == {"SMS": {"CN": "BLOCK"}}
