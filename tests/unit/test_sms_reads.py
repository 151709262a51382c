"""Reading End User Messaging as AWS documents it: full ARNs and no Owner with them, "{}" for no policy."""

from __future__ import annotations

import json
from collections.abc import Callable

from eum_share.dal import sms

from twin.offline import OfflineAWS

OWNER = "111111111111"
CONSUMER = "222222222222"
REGION = "us-east-1"


def _share(aws: OfflineAWS, arn: str) -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": CONSUMER}, "Action": "sms-voice:*", "Resource": arn}
    aws.client("pinpoint-sms-voice-v2", account=OWNER).put_resource_policy(
        ResourceArn=arn, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    )


def test_a_consumer_sees_exactly_the_shared_numbers_it_is_asked_about(aws: OfflineAWS) -> None:
    # Given two numbers of the owner, one shared with the consumer
    shared, unshared = aws.sms.add_phone_number(OWNER, REGION), aws.sms.add_phone_number(OWNER, REGION)
    _share(aws, shared)
    # When the consumer is asked about both by full ARN
    seen = sms.described(lambda service: aws.client(service, account=CONSUMER), "PHONE_NUMBER", [shared, unshared])
    # Then it sees the shared one only (the offline AWS refuses Owner together with PhoneNumberIds, as AWS does)
    assert seen == {shared}


def test_the_owner_sees_its_own_sender_ids_and_pools_by_arn(aws: OfflineAWS) -> None:
    # Given a sender ID and a pool of the owner
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[aws.sms.add_phone_number(OWNER, REGION)])
    owner = lambda service: aws.client(service, account=OWNER)  # noqa: E731
    # When the owner is asked about them by full ARN
    # Then it sees each of them
    assert sms.described(owner, "SENDER_ID", [sender]) == {sender}
    assert sms.described(owner, "POOL", [pool]) == {pool}


def test_a_number_without_a_policy_reads_as_no_policy(aws: OfflineAWS) -> None:
    # Given a number that never had a resource policy (AWS answers GetResourcePolicy with Policy "{}")
    number = aws.sms.add_phone_number(OWNER, REGION)
    # When the owner's policy is read
    # Then there is none
    assert sms.get_policy(lambda service: aws.client(service, account=OWNER), number) is None


def test_an_emptied_policy_reads_as_no_policy(aws: OfflineAWS) -> None:
    # Given a number whose policy RAM emptied while it was throttled
    number = aws.sms.add_phone_number(OWNER, REGION)
    _share(aws, number)
    aws.sms.empty_policy(number)
    # Then the policy reads as missing, not as a document to parse
    assert sms.get_policy(lambda service: aws.client(service, account=OWNER), number) is None


def test_the_account_tier_is_read_from_whichever_page_carries_it(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given an owner in the production tier with an account default protect configuration, and pages of one item
    # (DescribeAccountAttributes pages: "A NextToken response indicates that more output is available"; the order
    # of the attributes is not documented, the offline AWS lists the tier last)
    aws = offline_factory(max_page_size=1)
    aws.sms.set_account_tier(OWNER, REGION, "PRODUCTION")
    client = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    protect = client.create_protect_configuration()["ProtectConfigurationId"]
    client.set_account_default_protect_configuration(ProtectConfigurationId=protect)

    # When its tier is read
    tier = sms.account_tier(lambda service: aws.client(service, account=OWNER))

    # Then it is the production tier, found past the first page
    assert tier == "PRODUCTION"
