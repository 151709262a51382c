"""Sharing through resource policies: what a consumer sees under Owner=SHARED, and when."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
STRANGER = "777788889999"
REGION = "us-east-1"


def fields(error: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    """The error response as botocore parses it: Error.Code, and the modelled members at the top level."""
    return dict[str, Any](error.value.response)


def grant(account: str, arn: str, actions: Any = "sms-voice:*", sid: str = "Consumer") -> dict[str, Any]:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": actions,
        "Resource": arn,
    }


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def shared_numbers(aws: OfflineAWS, account: str) -> list[str]:
    sms = aws.client("pinpoint-sms-voice-v2", account=account)
    return [p["PhoneNumberArn"] for p in sms.describe_phone_numbers(Owner="SHARED")["PhoneNumbers"]]


@pytest.fixture
def owner(aws: OfflineAWS) -> Any:
    return aws.client("pinpoint-sms-voice-v2", account=OWNER)


# -- direct grants -------------------------------------------------------------------------------------------
def test_a_number_without_a_policy_is_not_shared(aws: OfflineAWS) -> None:
    aws.sms.add_phone_number(OWNER, REGION)
    assert shared_numbers(aws, CONSUMER) == []


def test_a_policy_granting_the_consumer_shares_the_number_with_it_only(aws: OfflineAWS, owner: Any) -> None:
    # Given a number whose policy grants the consumer account
    number = aws.sms.add_phone_number(OWNER, REGION)
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(CONSUMER, number)))
    # Then the consumer lists it under SHARED but not as its own, and another account does not see it
    assert shared_numbers(aws, CONSUMER) == [number]
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    assert consumer.describe_phone_numbers(Owner="SELF")["PhoneNumbers"] == []
    assert shared_numbers(aws, STRANGER) == []


def test_a_shared_number_is_described_like_an_owned_one(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(CONSUMER, number)))
    [mine] = owner.describe_phone_numbers()["PhoneNumbers"]
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    assert consumer.describe_phone_numbers(Owner="SHARED")["PhoneNumbers"] == [mine]


def test_any_sms_voice_action_shares_the_resource(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    statement = grant(CONSUMER, number, ["sms-voice:DescribePhoneNumbers"])
    owner.put_resource_policy(ResourceArn=number, Policy=policy(statement))
    assert shared_numbers(aws, CONSUMER) == [number]


def test_a_deny_of_every_sms_voice_action_hides_the_resource(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    deny = {**grant(CONSUMER, number, sid="NoConsumer"), "Effect": "Deny"}
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(CONSUMER, number), deny))
    assert shared_numbers(aws, CONSUMER) == []


@pytest.mark.parametrize(
    ("seed", "describe", "member", "arn_member"),
    [
        (
            lambda aws: aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB"),
            "describe_sender_ids",
            "SenderIds",
            "SenderIdArn",
        ),
        (
            lambda aws: aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION)]),
            "describe_pools",
            "Pools",
            "PoolArn",
        ),
        (
            lambda aws: aws.sms.add_opt_out_list(OWNER, REGION, "shared-optouts"),
            "describe_opt_out_lists",
            "OptOutLists",
            "OptOutListArn",
        ),
    ],
)
def test_sender_ids_pools_and_opt_out_lists_are_shared_the_same_way(
    aws: OfflineAWS,
    owner: Any,
    seed: Callable[[OfflineAWS], str],
    describe: str,
    member: str,
    arn_member: str,
) -> None:
    arn = seed(aws)
    owner.put_resource_policy(ResourceArn=arn, Policy=policy(grant(CONSUMER, arn)))
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    listed = getattr(consumer, describe)(Owner="SHARED")[member]
    assert [item[arn_member] for item in listed] == [arn]


def test_a_consumer_names_a_shared_number_by_its_full_arn_only(aws: OfflineAWS, owner: Any) -> None:
    # Given a number shared with the consumer
    number = aws.sms.add_phone_number(OWNER, REGION)
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(CONSUMER, number)))
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    # Then the full ARN finds it, asked without Owner ("If you are using a shared End User Messaging SMS resource
    # then you must use the full Amazon Resource Name(ARN)": DescribePhoneNumbers' PhoneNumberIds member)
    found = consumer.describe_phone_numbers(PhoneNumberIds=[number])["PhoneNumbers"]
    assert [p["PhoneNumberArn"] for p in found] == [number]
    # And the bare ID does not
    with pytest.raises(ClientError) as error:
        consumer.describe_phone_numbers(PhoneNumberIds=[number.rsplit("/", 1)[-1]])
    assert fields(error)["Error"]["Code"] == "ResourceNotFoundException"


def test_a_number_not_shared_with_the_consumer_is_not_found_by_arn(aws: OfflineAWS) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    with pytest.raises(ClientError) as error:
        consumer.describe_phone_numbers(PhoneNumberIds=[number])
    assert fields(error)["Error"]["Code"] == "ResourceNotFoundException"
    assert fields(error)["ResourceId"] == number


def test_a_consumer_lists_a_shared_pools_identities(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    owner.put_resource_policy(ResourceArn=pool, Policy=policy(grant(CONSUMER, pool)))
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    listed = consumer.list_pool_origination_identities(PoolId=pool)["OriginationIdentities"]
    assert [i["OriginationIdentityArn"] for i in listed] == [number]


# -- organizations -------------------------------------------------------------------------------------------
@dataclass
class Organization:
    org_id: str
    org_arn: str
    ou_arn: str
    in_ou: str
    outside_ou: str


def new_account(orgs: Any, name: str) -> str:
    status = orgs.create_account(Email=f"{name}@example.com", AccountName=name)["CreateAccountStatus"]
    described = orgs.describe_create_account_status(CreateAccountRequestId=status["Id"])
    return str(described["CreateAccountStatus"]["AccountId"])


@pytest.fixture
def organization(aws: OfflineAWS) -> Organization:
    """The owner manages an organization with one account in the Messaging OU and one at the root."""
    orgs = aws.client("organizations", account=OWNER)
    org = orgs.create_organization(FeatureSet="ALL")["Organization"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Messaging")["OrganizationalUnit"]
    in_ou, outside_ou = new_account(orgs, "in-ou"), new_account(orgs, "at-root")
    orgs.move_account(AccountId=in_ou, SourceParentId=root, DestinationParentId=ou["Id"])
    return Organization(org["Id"], org["Arn"], ou["Arn"], in_ou, outside_ou)


def test_an_ou_grant_shares_with_accounts_in_the_ou_only(aws: OfflineAWS, organization: Organization) -> None:
    # Given RAM grants a number to the Messaging OU
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShare1", [organization.ou_arn], ["sms-voice:SendTextMessage"])
    # Then the account in the OU sees it; the one at the root and an account outside the organization do not
    assert shared_numbers(aws, organization.in_ou) == [number]
    assert shared_numbers(aws, organization.outside_ou) == []
    assert shared_numbers(aws, STRANGER) == []


def test_an_organization_grant_shares_with_every_member_account(aws: OfflineAWS, organization: Organization) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShare1", [organization.org_arn], ["sms-voice:SendTextMessage"])
    assert shared_numbers(aws, organization.in_ou) == [number]
    assert shared_numbers(aws, organization.outside_ou) == [number]
    assert shared_numbers(aws, STRANGER) == []


def test_an_org_id_condition_written_by_hand_shares_too(
    aws: OfflineAWS, owner: Any, organization: Organization
) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    statement = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sms-voice:SendTextMessage",
        "Resource": number,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization.org_id}},
    }
    owner.put_resource_policy(ResourceArn=number, Policy=policy(statement))
    assert shared_numbers(aws, organization.outside_ou) == [number]


# -- eventual consistency ------------------------------------------------------------------------------------
def test_a_grant_becomes_visible_only_after_the_lag(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given resource policies take 30 simulated seconds to reach consumers
    aws = offline_factory(visibility_lag_seconds=30)
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.client("pinpoint-sms-voice-v2", account=OWNER).put_resource_policy(
        ResourceArn=number, Policy=policy(grant(CONSUMER, number))
    )
    # Then the consumer does not see the number before the lag has passed, and does after
    aws.clock.advance(29)
    assert shared_numbers(aws, CONSUMER) == []
    assert not aws.sms.visible_to(CONSUMER, number)
    aws.clock.advance(1)
    assert shared_numbers(aws, CONSUMER) == [number]


def test_a_grant_hidden_by_the_lag_is_counted_as_a_fault(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given a grant written 10 simulated seconds ago, with a 30 s lag
    aws = offline_factory(visibility_lag_seconds=30)
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.client("pinpoint-sms-voice-v2", account=OWNER).put_resource_policy(
        ResourceArn=number, Policy=policy(grant(CONSUMER, number))
    )
    aws.clock.advance(10)

    # When the consumer looks for it, and a stranger (never granted) does too
    shared_numbers(aws, CONSUMER)
    shared_numbers(aws, STRANGER)

    # Then only the consumer's look, which the lag answered, counts as a fault
    assert aws.world.faults.injected["visibility-lag"] == 1


def test_granting_a_second_consumer_keeps_the_first_ones_access(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given a number visible to one consumer
    aws = offline_factory(visibility_lag_seconds=30)
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER], ["sms-voice:SendTextMessage"])
    aws.clock.advance(30)
    # When a second consumer is added to the share
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER, STRANGER], ["sms-voice:SendTextMessage"])
    # Then the first still sees it at once, the second only after the lag
    assert aws.sms.visible_to(CONSUMER, number)
    assert not aws.sms.visible_to(STRANGER, number)
    aws.clock.advance(30)
    assert aws.sms.visible_to(STRANGER, number)


# -- the owner's policy API ----------------------------------------------------------------------------------
def test_the_owner_puts_gets_and_deletes_a_policy(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    text = policy(grant(CONSUMER, number))
    put = owner.put_resource_policy(ResourceArn=number, Policy=text)
    assert (put["ResourceArn"], put["Policy"]) == (number, text)
    assert owner.get_resource_policy(ResourceArn=number)["Policy"] == text
    deleted = owner.delete_resource_policy(ResourceArn=number)
    assert deleted["Policy"] == text
    # And a resource without a policy answers "{}" (AWS does: docs/aws-assumptions.md, "A resource without a policy")
    assert owner.get_resource_policy(ResourceArn=number)["Policy"] == "{}"
    assert shared_numbers(aws, CONSUMER) == []


@pytest.mark.parametrize("text", ["{not json", json.dumps({"Version": "2012-10-17"})])
def test_a_policy_that_is_not_a_policy_document_is_rejected(aws: OfflineAWS, owner: Any, text: str) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    with pytest.raises(ClientError) as error:
        owner.put_resource_policy(ResourceArn=number, Policy=text)
    assert fields(error)["Error"]["Code"] == "ValidationException"
    assert [f["Name"] for f in fields(error)["Fields"]] == ["Policy"]


def test_only_the_owner_manages_a_resource_policy(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(CONSUMER, number)))
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    with pytest.raises(ClientError) as error:
        consumer.get_resource_policy(ResourceArn=number)
    assert fields(error)["Error"]["Code"] == "AccessDeniedException"


def test_a_configuration_set_takes_no_resource_policy(owner: Any) -> None:
    arn = owner.create_configuration_set(ConfigurationSetName="otp")["ConfigurationSetArn"]
    with pytest.raises(ClientError) as error:
        owner.put_resource_policy(ResourceArn=arn, Policy=policy(grant(CONSUMER, arn)))
    assert fields(error)["Error"]["Code"] == "ValidationException"


def test_a_policy_on_a_missing_resource_is_not_found(owner: Any) -> None:
    arn = f"arn:aws:sms-voice:{REGION}:{OWNER}:phone-number/phone-0000"
    with pytest.raises(ClientError) as error:
        owner.put_resource_policy(ResourceArn=arn, Policy=policy(grant(CONSUMER, arn)))
    assert fields(error)["Error"]["Code"] == "ResourceNotFoundException"


# -- AWS RAM's side ------------------------------------------------------------------------------------------
def test_ram_statements_join_the_existing_policy_and_leave_it_as_it_was(aws: OfflineAWS, owner: Any) -> None:
    # Given a number whose owner granted a consumer by hand
    number = aws.sms.add_phone_number(OWNER, REGION)
    by_hand = grant(STRANGER, number, sid="ByHand")
    owner.put_resource_policy(ResourceArn=number, Policy=policy(by_hand))
    # When RAM writes, then rewrites, then removes its statements for a share
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER], ["sms-voice:SendTextMessage"])
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER], ["sms-voice:DescribePhoneNumbers"])
    written = aws.sms.policy_document(number)
    aws.sms.remove_ram_statements(number, "RamShare1")
    # Then while shared the policy holds the hand-written statement and RAM's one
    assert written is not None
    [kept, ram] = written["Statement"]
    assert kept == by_hand
    assert ram["Sid"].startswith("RamShare1")
    assert ram["Principal"] == {"AWS": f"arn:aws:iam::{CONSUMER}:root"}
    assert (ram["Action"], ram["Resource"]) == (["sms-voice:DescribePhoneNumbers"], number)
    # And afterwards only the hand-written statement is left
    assert aws.sms.policy_document(number) == {"Version": "2012-10-17", "Statement": [by_hand]}


def test_two_shares_keep_their_own_statements(aws: OfflineAWS) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShareA", [CONSUMER], ["sms-voice:SendTextMessage"])
    aws.sms.write_ram_statements(number, "RamShareB", [STRANGER], ["sms-voice:SendTextMessage"])
    aws.sms.remove_ram_statements(number, "RamShareA")
    assert not aws.sms.visible_to(CONSUMER, number)
    assert aws.sms.visible_to(STRANGER, number)


def test_removing_the_last_ram_statement_deletes_the_policy(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER], ["sms-voice:SendTextMessage"])
    aws.sms.remove_ram_statements(number, "RamShare1")
    assert aws.sms.policy_document(number) is None
    assert owner.get_resource_policy(ResourceArn=number)["Policy"] == "{}"


def test_an_ou_statement_is_written_as_an_org_paths_condition(aws: OfflineAWS) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    ou = f"arn:aws:organizations::{OWNER}:ou/o-abc123defg/ou-ab12-11111111"
    aws.sms.write_ram_statements(number, "RamShare1", [ou], ["sms-voice:SendTextMessage"])
    document = aws.sms.policy_document(number)
    assert document is not None
    [statement] = document["Statement"]
    assert statement["Principal"] == "*"
    assert statement["Condition"] == {
        "ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-abc123defg/*/ou-ab12-11111111/*"]}
    }


def test_an_emptied_policy_loses_every_grant(aws: OfflineAWS, owner: Any) -> None:
    # Given a number shared by RAM and by hand
    number = aws.sms.add_phone_number(OWNER, REGION)
    owner.put_resource_policy(ResourceArn=number, Policy=policy(grant(STRANGER, number)))
    aws.sms.write_ram_statements(number, "RamShare1", [CONSUMER], ["sms-voice:SendTextMessage"])
    # When throttled RAM empties its policy
    aws.sms.empty_policy(number)
    # Then the owner finds no policy and no consumer sees the number
    assert owner.get_resource_policy(ResourceArn=number)["Policy"] == "{}"
    assert shared_numbers(aws, CONSUMER) == []
    assert shared_numbers(aws, STRANGER) == []


def test_ram_learns_the_resource_type_of_existing_resources_only(aws: OfflineAWS, owner: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    optouts = aws.sms.add_opt_out_list(OWNER, REGION, "shared")
    configuration = owner.create_configuration_set(ConfigurationSetName="otp")["ConfigurationSetArn"]
    assert [aws.sms.shareable_resource(a) for a in (number, sender, pool, optouts)] == [
        "sms-voice:PhoneNumber",
        "sms-voice:SenderId",
        "sms-voice:Pool",
        "sms-voice:OptOutList",
    ]
    assert aws.sms.shareable_resource(configuration) is None
    assert aws.sms.shareable_resource(number.replace(OWNER, CONSUMER)) is None


def test_the_owner_does_not_see_its_own_resource_as_shared(aws: OfflineAWS) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.write_ram_statements(number, "RamShare1", [OWNER], ["sms-voice:SendTextMessage"])
    assert not aws.sms.visible_to(OWNER, number)
    assert shared_numbers(aws, OWNER) == []


# -- naming a shared resource --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("operation", "ids_member"),
    [
        ("describe_phone_numbers", "PhoneNumberIds"),
        ("describe_pools", "PoolIds"),
        ("describe_opt_out_lists", "OptOutListNames"),
    ],
)
def test_owner_and_ids_together_are_refused(aws: OfflineAWS, operation: str, ids_member: str) -> None:
    # "The Owner and PhoneNumberIds parameters can't be used at the same time." (DescribePhoneNumbers' Owner member
    # in botocore's model; DescribePools and DescribeOptOutLists say the same of PoolIds and OptOutListNames)
    sms = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    with pytest.raises(ClientError) as refused:
        getattr(sms, operation)(Owner="SHARED", **{ids_member: ["anything"]})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert fields(refused)["Reason"] == "PARAMETERS_CANNOT_BE_USED_TOGETHER"


def test_owner_and_sender_ids_together_are_refused(aws: OfflineAWS) -> None:
    # "The Owner and SenderIds parameters can't be used at the same time." (DescribeSenderIds' Owner member)
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    with pytest.raises(ClientError) as refused:
        sms.describe_sender_ids(Owner="SELF", SenderIds=[{"SenderId": "BRAND", "IsoCountryCode": "GB"}])
    assert fields(refused)["Reason"] == "PARAMETERS_CANNOT_BE_USED_TOGETHER"
