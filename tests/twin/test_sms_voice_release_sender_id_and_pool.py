"""ReleaseSenderId and DeletePool, from the API reference. ReleaseSenderId: "Releases an existing sender ID in your
account." (ConflictException's reasons include SENDER_ID_ASSOCIATED_TO_POOL and DELETION_PROTECTION_ENABLED.)
DeletePool: "Deletes an existing pool. Deleting a pool disassociates all origination identities from that pool. If
the pool status isn't active or if deletion protection is enabled, an error is returned." And the hook that takes
either away while a migration runs, as its owner would."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"


@pytest.fixture
def owner(aws: OfflineAWS) -> Any:
    return aws.client("pinpoint-sms-voice-v2", account=OWNER)


def _code(error: pytest.ExceptionInfo[ClientError]) -> tuple[str, str | None]:
    return error.value.response["Error"]["Code"], error.value.response.get("Reason")


def test_a_released_sender_id_is_answered_and_gone_from_the_account(aws: OfflineAWS, owner: Any) -> None:
    # Given a sender ID of the owner in Great Britain
    arn = aws.sms.add_sender_id(OWNER, aws.region, sender_id="BRAND", iso_country="GB")

    # When the owner releases it
    released = owner.release_sender_id(SenderId="BRAND", IsoCountryCode="GB")

    # Then the answer names it, and the account no longer has it
    assert (released["SenderIdArn"], released["SenderId"], released["IsoCountryCode"]) == (arn, "BRAND", "GB")
    assert owner.describe_sender_ids()["SenderIds"] == []
    with pytest.raises(ClientError) as error:
        owner.describe_sender_ids(SenderIds=[{"SenderId": "BRAND", "IsoCountryCode": "GB"}])
    assert _code(error)[0] == "ResourceNotFoundException"


def test_a_sender_id_in_a_pool_cannot_be_released(aws: OfflineAWS, owner: Any) -> None:
    # Given a sender ID that belongs to a pool
    arn = aws.sms.add_sender_id(OWNER, aws.region, sender_id="BRAND", iso_country="GB")
    aws.sms.add_pool(OWNER, aws.region, members=[arn])

    # When the owner tries to release it
    with pytest.raises(ClientError) as error:
        owner.release_sender_id(SenderId="BRAND", IsoCountryCode="GB")

    # Then it is refused for that reason, and the sender ID stays
    assert _code(error) == ("ConflictException", "SENDER_ID_ASSOCIATED_TO_POOL")
    assert [s["SenderIdArn"] for s in owner.describe_sender_ids()["SenderIds"]] == [arn]


def test_an_unknown_sender_id_is_not_found(owner: Any) -> None:
    with pytest.raises(ClientError) as error:
        owner.release_sender_id(SenderId="NOBODY", IsoCountryCode="GB")
    assert _code(error)[0] == "ResourceNotFoundException"


def test_a_deleted_pool_is_gone_and_its_members_stay_outside_any_pool(aws: OfflineAWS, owner: Any) -> None:
    # Given a pool of two numbers
    numbers = [aws.sms.add_phone_number(OWNER, aws.region) for _ in range(2)]
    pool = aws.sms.add_pool(OWNER, aws.region, members=numbers)

    # When the owner deletes it
    deleted = owner.delete_pool(PoolId=pool)

    # Then the answer names it, the pool is gone, and both numbers are still the owner's, in no pool
    assert deleted["PoolArn"] == pool
    assert owner.describe_pools()["Pools"] == []
    described = owner.describe_phone_numbers(PhoneNumberIds=numbers)["PhoneNumbers"]
    assert [p["PhoneNumberArn"] for p in described] == numbers
    assert all("PoolId" not in p for p in described)


def test_a_pool_with_deletion_protection_cannot_be_deleted(aws: OfflineAWS, owner: Any) -> None:
    # Given a pool with deletion protection on
    number = aws.sms.add_phone_number(OWNER, aws.region)
    pool = owner.create_pool(
        OriginationIdentity=number, IsoCountryCode="US", MessageType="TRANSACTIONAL", DeletionProtectionEnabled=True
    )["PoolArn"]

    # When the owner tries to delete it
    with pytest.raises(ClientError) as error:
        owner.delete_pool(PoolId=pool)

    # Then it is refused for that reason, and the pool stays
    assert _code(error) == ("ConflictException", "DELETION_PROTECTION_ENABLED")
    assert [p["PoolArn"] for p in owner.describe_pools()["Pools"]] == [pool]


def test_the_release_hook_takes_away_a_sender_id_or_a_pool(aws: OfflineAWS, owner: Any) -> None:
    # Given a sender ID outside any pool, and a pool of one number
    sender = aws.sms.add_sender_id(OWNER, aws.region, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, aws.region, members=[aws.sms.add_phone_number(OWNER, aws.region)])

    # When a hook releases both by ARN
    aws.sms.release(sender)
    aws.sms.release(pool)

    # Then neither is the owner's any more
    assert owner.describe_sender_ids()["SenderIds"] == []
    assert owner.describe_pools()["Pools"] == []
