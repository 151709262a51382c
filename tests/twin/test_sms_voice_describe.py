"""Describing origination identities: the owner's own, by ID or ARN, filtered, paginated, in pools."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
REGION = "us-east-1"


def fields(error: pytest.ExceptionInfo[ClientError]) -> dict[str, Any]:
    """The error response as botocore parses it: Error.Code, and the modelled members at the top level."""
    return dict[str, Any](error.value.response)


@pytest.fixture
def sms(aws: OfflineAWS) -> Any:
    return aws.client("pinpoint-sms-voice-v2", account=OWNER)


def test_max_results_one_pages_through_every_phone_number(aws: OfflineAWS, sms: Any) -> None:
    # Given three phone numbers
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(3)]
    # When the owner pages with MaxResults=1, following NextToken
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"MaxResults": 1}
    while True:
        answer = sms.describe_phone_numbers(**kwargs)
        pages += 1
        seen += [p["PhoneNumberArn"] for p in answer["PhoneNumbers"]]
        if "NextToken" not in answer:
            break
        kwargs["NextToken"] = answer["NextToken"]
    # Then every number comes once, in creation order, one per page
    assert seen == numbers
    assert pages == 3


def test_without_max_results_one_page_holds_up_to_100(offline_factory: Callable[..., OfflineAWS]) -> None:
    aws = offline_factory(max_page_size=None)  # the service's own page size, not the tests' short pages
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    for _ in range(101):
        aws.sms.add_phone_number(OWNER, REGION)
    first = sms.describe_phone_numbers()
    assert len(first["PhoneNumbers"]) == 100
    assert len(sms.describe_phone_numbers(NextToken=first["NextToken"])["PhoneNumbers"]) == 1


def test_a_forged_next_token_is_rejected(sms: Any) -> None:
    with pytest.raises(ClientError) as error:
        sms.describe_phone_numbers(NextToken="not-a-token")
    assert fields(error)["Error"]["Code"] == "ValidationException"
    assert fields(error)["Reason"] == "INVALID_NEXT_TOKEN"


def test_a_phone_number_is_described_with_the_members_the_model_requires(aws: OfflineAWS, sms: Any) -> None:
    arn = aws.sms.add_phone_number(OWNER, REGION, number_type="TEN_DLC", tags={"team": "otp"})
    [number] = sms.describe_phone_numbers()["PhoneNumbers"]
    assert number["PhoneNumberArn"] == arn
    assert arn == f"arn:aws:sms-voice:{REGION}:{OWNER}:phone-number/{number['PhoneNumberId']}"
    assert number["PhoneNumber"].startswith("+1")
    assert (number["Status"], number["NumberType"], number["IsoCountryCode"]) == ("ACTIVE", "TEN_DLC", "US")
    assert number["NumberCapabilities"] == ["SMS", "VOICE"]
    assert number["OptOutListName"] == "Default"


def test_phone_numbers_are_found_by_id_and_by_arn(aws: OfflineAWS, sms: Any) -> None:
    first = aws.sms.add_phone_number(OWNER, REGION)
    second = aws.sms.add_phone_number(OWNER, REGION)
    answer = sms.describe_phone_numbers(PhoneNumberIds=[first.rsplit("/", 1)[-1], second])
    assert [p["PhoneNumberArn"] for p in answer["PhoneNumbers"]] == [first, second]


def test_an_unknown_phone_number_id_is_not_found(sms: Any) -> None:
    with pytest.raises(ClientError) as error:
        sms.describe_phone_numbers(PhoneNumberIds=["phone-0000"])
    assert fields(error)["Error"]["Code"] == "ResourceNotFoundException"
    assert fields(error)["ResourceType"] == "phone-number"
    assert fields(error)["ResourceId"] == "phone-0000"


def test_at_most_five_ids_per_call(aws: OfflineAWS, sms: Any) -> None:
    # Given six phone numbers
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(6)]
    # When the owner asks for all six by ARN at once
    with pytest.raises(ClientError) as error:
        sms.describe_phone_numbers(PhoneNumberIds=numbers)
    # Then the call is rejected naming the member
    assert fields(error)["Error"]["Code"] == "ValidationException"
    assert fields(error)["Reason"] == "FIELD_VALIDATION_FAILED"
    assert [f["Name"] for f in fields(error)["Fields"]] == ["PhoneNumberIds"]
    # And five at a time works
    pages = sms.get_paginator("describe_phone_numbers").paginate(PhoneNumberIds=numbers[:5])
    assert len([number for page in pages for number in page["PhoneNumbers"]]) == 5


def test_filters_narrow_phone_numbers(aws: OfflineAWS, sms: Any) -> None:
    toll_free = aws.sms.add_phone_number(OWNER, REGION, number_type="TOLL_FREE")
    aws.sms.add_phone_number(OWNER, REGION, number_type="TEN_DLC")
    british = aws.sms.add_phone_number(OWNER, REGION, number_type="LONG_CODE", iso_country="GB")
    answer = sms.describe_phone_numbers(Filters=[{"Name": "number-type", "Values": ["TOLL_FREE", "LONG_CODE"]}])
    assert [p["PhoneNumberArn"] for p in answer["PhoneNumbers"]] == [toll_free, british]
    answer = sms.describe_phone_numbers(
        Filters=[
            {"Name": "number-type", "Values": ["TOLL_FREE", "LONG_CODE"]},
            {"Name": "iso-country-code", "Values": ["GB"]},
        ]
    )
    assert [p["PhoneNumberArn"] for p in answer["PhoneNumbers"]] == [british]


def test_a_filter_name_outside_the_model_is_rejected(sms: Any) -> None:
    with pytest.raises(ClientError) as error:
        sms.describe_phone_numbers(Filters=[{"Name": "colour", "Values": ["blue"]}])
    assert fields(error)["Error"]["Code"] == "ValidationException"


def test_sender_ids_are_found_by_name_and_country_and_filtered(aws: OfflineAWS, sms: Any) -> None:
    gb = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB", registered=True)
    aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="DE")
    by_name = sms.describe_sender_ids(SenderIds=[{"SenderId": "BRAND", "IsoCountryCode": "GB"}])
    assert [s["SenderIdArn"] for s in by_name["SenderIds"]] == [gb]
    assert gb == f"arn:aws:sms-voice:{REGION}:{OWNER}:sender-id/BRAND/GB"
    registered = sms.describe_sender_ids(Filters=[{"Name": "registered", "Values": ["true"]}])
    assert [s["SenderIdArn"] for s in registered["SenderIds"]] == [gb]


def test_the_default_opt_out_list_exists_once_a_number_uses_it(aws: OfflineAWS, sms: Any) -> None:
    # Given a new account with no numbers, no opt-out list is listed
    assert sms.describe_opt_out_lists()["OptOutLists"] == []
    # When it gets a phone number
    aws.sms.add_phone_number(OWNER, REGION)
    # Then the Default opt-out list is there
    assert [o["OptOutListName"] for o in sms.describe_opt_out_lists()["OptOutLists"]] == ["Default"]


def test_an_opt_out_list_name_is_unique(sms: Any) -> None:
    created = sms.create_opt_out_list(OptOutListName="marketing", Tags=[{"Key": "team", "Value": "m"}])
    assert created["OptOutListArn"] == f"arn:aws:sms-voice:{REGION}:{OWNER}:opt-out-list/marketing"
    with pytest.raises(ClientError) as error:
        sms.create_opt_out_list(OptOutListName="marketing")
    assert fields(error)["Error"]["Code"] == "ConflictException"
    assert fields(error)["Reason"] == "RESOURCE_ALREADY_EXISTS"


def test_a_pool_lists_its_origination_identities(aws: OfflineAWS, sms: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[number, sender])
    listed = sms.list_pool_origination_identities(PoolId=pool.rsplit("/", 1)[-1])
    assert listed["PoolArn"] == pool
    assert [i["OriginationIdentityArn"] for i in listed["OriginationIdentities"]] == [number, sender]
    british = sms.list_pool_origination_identities(
        PoolId=pool, Filters=[{"Name": "iso-country-code", "Values": ["GB"]}]
    )
    assert [i["OriginationIdentityArn"] for i in british["OriginationIdentities"]] == [sender]


def test_a_pool_is_created_from_an_identity_and_grows_by_association(aws: OfflineAWS, sms: Any) -> None:
    first = aws.sms.add_phone_number(OWNER, REGION)
    second = aws.sms.add_phone_number(OWNER, REGION)
    created = sms.create_pool(OriginationIdentity=first, MessageType="TRANSACTIONAL")
    sms.associate_origination_identity(PoolId=created["PoolId"], OriginationIdentity=second)
    [described] = sms.describe_pools(PoolIds=[created["PoolId"]])["Pools"]
    assert (described["PoolArn"], described["OptOutListName"]) == (created["PoolArn"], "Default")
    numbers = sms.describe_phone_numbers(PhoneNumberIds=[first, second])["PhoneNumbers"]
    assert {n["PoolId"] for n in numbers} == {created["PoolId"]}


def test_a_phone_number_belongs_to_one_pool_only(aws: OfflineAWS, sms: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.sms.add_pool(OWNER, REGION, members=[number])
    with pytest.raises(ClientError) as error:
        sms.create_pool(OriginationIdentity=number, MessageType="TRANSACTIONAL")
    assert fields(error)["Error"]["Code"] == "ConflictException"
    assert fields(error)["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"


def test_a_phone_number_on_another_opt_out_list_cannot_join_a_pool(aws: OfflineAWS, sms: Any) -> None:
    aws.sms.add_opt_out_list(OWNER, REGION, "marketing")
    pool = aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION)])
    other = aws.sms.add_phone_number(OWNER, REGION, opt_out_list_name="marketing")
    with pytest.raises(ClientError) as error:
        sms.associate_origination_identity(PoolId=pool, OriginationIdentity=other)
    assert fields(error)["Reason"] == "OPT_OUT_LIST_MISMATCH"


def test_the_last_identity_cannot_leave_its_pool(aws: OfflineAWS, sms: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION)
    other = aws.sms.add_phone_number(OWNER, REGION)
    pool = aws.sms.add_pool(OWNER, REGION, members=[number, other])
    sms.disassociate_origination_identity(PoolId=pool, OriginationIdentity=other)
    with pytest.raises(ClientError) as error:
        sms.disassociate_origination_identity(PoolId=pool, OriginationIdentity=number)
    assert fields(error)["Reason"] == "LAST_PHONE_NUMBER"


def test_registrations_are_described_and_filtered(aws: OfflineAWS, sms: Any) -> None:
    brand = aws.sms.add_registration(OWNER, REGION, registration_type="US_TEN_DLC_BRAND_REGISTRATION")
    aws.sms.add_registration(OWNER, REGION, registration_type="US_TOLL_FREE_REGISTRATION", status="REVIEWING")
    complete = sms.describe_registrations(Filters=[{"Name": "registration-status", "Values": ["COMPLETE"]}])
    [registration] = complete["Registrations"]
    assert registration["RegistrationArn"] == brand
    assert registration["RegistrationType"] == "US_TEN_DLC_BRAND_REGISTRATION"
    assert registration["ApprovedVersionNumber"] == 1


def test_tags_are_added_listed_and_removed(aws: OfflineAWS, sms: Any) -> None:
    number = aws.sms.add_phone_number(OWNER, REGION, tags={"team": "otp"})
    sms.tag_resource(ResourceArn=number, Tags=[{"Key": "cost", "Value": "42"}])
    sms.untag_resource(ResourceArn=number, TagKeys=["team"])
    assert sms.list_tags_for_resource(ResourceArn=number)["Tags"] == [{"Key": "cost", "Value": "42"}]


def test_tagging_a_resource_that_does_not_exist_fails(sms: Any) -> None:
    with pytest.raises(ClientError) as error:
        sms.list_tags_for_resource(ResourceArn=f"arn:aws:sms-voice:{REGION}:{OWNER}:pool/pool-0000")
    assert fields(error)["Error"]["Code"] == "ResourceNotFoundException"
    assert fields(error)["ResourceType"] == "pool"


def test_a_phone_number_and_a_pool_are_described_in_the_status_they_were_seeded_in(aws: OfflineAWS, sms: Any) -> None:
    # Given a phone number still PENDING and a pool still CREATING ("Status": NumberStatus PENDING | ACTIVE |
    # ASSOCIATING | DISASSOCIATING | DELETED, PoolStatus CREATING | ACTIVE | DELETING in botocore's model)
    number = aws.sms.add_phone_number(OWNER, REGION, status="PENDING")
    pool = aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION)], status="CREATING")
    # When the owner describes them
    numbers = {p["PhoneNumberArn"]: p["Status"] for p in sms.describe_phone_numbers()["PhoneNumbers"]}
    pools = {p["PoolArn"]: p["Status"] for p in sms.describe_pools()["Pools"]}
    # Then each answers its status
    assert (numbers[number], pools[pool]) == ("PENDING", "CREATING")


def test_a_status_the_model_does_not_have_is_refused_when_seeding(aws: OfflineAWS) -> None:
    # Given / When a phone number is seeded as READY, which NumberStatus does not list / Then seeding refuses it
    with pytest.raises(ValueError, match="READY"):
        aws.sms.add_phone_number(OWNER, REGION, status="READY")
