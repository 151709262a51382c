"""ReleasePhoneNumber, from the API reference: "Releases an existing origination phone number in your account.
Once released, a phone number is no longer available for sending messages. If the origination phone number has
deletion protection enabled or is associated with a pool, an error is returned." And the hook that releases a
number while a migration runs, as its owner would."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"


def _grant(arn: str) -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{CONSUMER}:root"},
        "Action": "sms-voice:SendTextMessage",
        "Resource": arn,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@pytest.fixture
def owner(aws: OfflineAWS) -> Any:
    return aws.client("pinpoint-sms-voice-v2", account=OWNER)


def test_a_released_number_is_answered_as_deleted_and_is_gone_from_the_account(aws: OfflineAWS, owner: Any) -> None:
    # Given a phone number of the owner
    number = aws.sms.add_phone_number(OWNER, aws.region)

    # When the owner releases it by its ARN
    released = owner.release_phone_number(PhoneNumberId=number)

    # Then the answer describes it as DELETED, and the account no longer has it
    assert (released["PhoneNumberArn"], released["Status"]) == (number, "DELETED")
    with pytest.raises(ClientError) as error:
        owner.describe_phone_numbers(PhoneNumberIds=[number])
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert owner.describe_phone_numbers()["PhoneNumbers"] == []


def test_a_consumer_can_no_longer_send_with_a_released_number(aws: OfflineAWS, owner: Any) -> None:
    # Given a number shared with a consumer through its resource policy
    number = aws.sms.add_phone_number(OWNER, aws.region)
    owner.put_resource_policy(ResourceArn=number, Policy=_grant(number))
    consumer = aws.client("pinpoint-sms-voice-v2", account=CONSUMER)
    consumer.send_text_message(OriginationIdentity=number, DestinationPhoneNumber="+12065550100", DryRun=True)

    # When the owner releases it
    owner.release_phone_number(PhoneNumberId=number)

    # Then the consumer's DryRun send names it as not found, and its policy went with it
    with pytest.raises(ClientError) as error:
        consumer.send_text_message(OriginationIdentity=number, DestinationPhoneNumber="+12065550100", DryRun=True)
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert aws.sms.policy_document(number) is None


def test_a_number_in_a_pool_cannot_be_released(aws: OfflineAWS, owner: Any) -> None:
    # Given a number that belongs to a pool
    number = aws.sms.add_phone_number(OWNER, aws.region)
    aws.sms.add_pool(OWNER, aws.region, members=[number])

    # When the owner tries to release it
    with pytest.raises(ClientError) as error:
        owner.release_phone_number(PhoneNumberId=number)

    # Then it is refused, naming the pool, and the number stays
    assert error.value.response["Error"]["Code"] == "ConflictException"
    assert error.value.response["Reason"] == "PHONE_NUMBER_ASSOCIATED_TO_POOL"
    assert owner.describe_phone_numbers(PhoneNumberIds=[number])["PhoneNumbers"]


def test_a_number_with_deletion_protection_cannot_be_released(aws: OfflineAWS, owner: Any) -> None:
    # Given a number with deletion protection on (as RequestPhoneNumber with DeletionProtectionEnabled leaves it)
    number = aws.sms.add_phone_number(OWNER, aws.region)
    aws.sms.state(OWNER, aws.region).phone_numbers[number.rsplit("/", 1)[1]].deletion_protection = True

    # When the owner tries to release it
    with pytest.raises(ClientError) as error:
        owner.release_phone_number(PhoneNumberId=number)

    # Then it is refused for that reason
    assert error.value.response["Reason"] == "DELETION_PROTECTION_ENABLED"


def test_an_unknown_number_is_not_found(aws: OfflineAWS, owner: Any) -> None:
    with pytest.raises(ClientError) as error:
        owner.release_phone_number(PhoneNumberId="phone-00000000000000000000000000000000")
    assert error.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_the_release_hook_releases_a_number_right_after_the_chosen_call(aws: OfflineAWS, owner: Any) -> None:
    # Given two numbers, and a hook releasing the second after the owner's second DescribePhoneNumbers
    first, second = (aws.sms.add_phone_number(OWNER, aws.region) for _ in range(2))
    aws.world.after_call(
        "sms-voice", "DescribePhoneNumbers", lambda: aws.sms.release(second), nth=2, fault="identity-released"
    )

    # When the owner describes its numbers three times
    seen = [[p["PhoneNumberArn"] for p in owner.describe_phone_numbers()["PhoneNumbers"]] for _ in range(3)]

    # Then the second number is there for two answers and gone from the third, counted as a fault
    assert seen == [[first, second], [first, second], [first]]
    assert aws.world.faults.injected["identity-released"] == 1
