"""SendTextMessage: who may send with an identity, and what protect configurations and the sandbox stop."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
REGION = "us-east-1"
US_MOBILE = "+12065550123"
UK_MOBILE = "+447700900123"


def grant(account: str, arn: str, action: str = "sms-voice:SendTextMessage") -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": action,
        "Resource": arn,
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def client(aws: OfflineAWS, account: str, tier: str = "PRODUCTION") -> Any:
    aws.sms.set_account_tier(account, REGION, tier)
    return aws.client("pinpoint-sms-voice-v2", account=account)


def send(sms: Any, identity: str, destination: str = US_MOBILE, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = sms.send_text_message(
        DestinationPhoneNumber=destination,
        OriginationIdentity=identity,
        MessageBody="Your code is 123456",
        DryRun=True,
        **extra,
    )
    return answer


def error_of(call: Callable[[], Any]) -> dict[str, Any]:
    with pytest.raises(ClientError) as error:
        call()
    return dict[str, Any](error.value.response)


@pytest.fixture
def number(aws: OfflineAWS) -> str:
    return aws.sms.add_phone_number(OWNER, REGION)


# -- who may send --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["arn", "id", "number"])
def test_the_owner_sends_with_its_number_by_any_name(aws: OfflineAWS, number: str, name: str) -> None:
    sms = client(aws, OWNER)
    [described] = sms.describe_phone_numbers()["PhoneNumbers"]
    identity = {"arn": number, "id": described["PhoneNumberId"], "number": described["PhoneNumber"]}[name]
    assert send(sms, identity)["MessageId"]


def test_the_owner_sends_with_its_sender_id_and_its_pool(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER)
    aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    assert send(sms, "BRAND", UK_MOBILE)["MessageId"]
    assert send(sms, pool.rsplit("/", 1)[-1])["MessageId"]


def test_a_consumer_granted_the_number_sends_with_its_full_arn(aws: OfflineAWS, number: str) -> None:
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    assert send(client(aws, CONSUMER), number)["MessageId"]


def test_a_consumer_without_a_grant_cannot_send(aws: OfflineAWS, number: str) -> None:
    response = error_of(lambda: send(client(aws, CONSUMER), number))
    assert response["Error"]["Code"] == "ResourceNotFoundException"
    assert (response["ResourceType"], response["ResourceId"]) == ("phone-number", number)


def test_a_consumer_granted_only_describe_cannot_send(aws: OfflineAWS, number: str) -> None:
    policy = grant(CONSUMER, number, "sms-voice:DescribePhoneNumbers")
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=policy)
    assert error_of(lambda: send(client(aws, CONSUMER), number))["Error"]["Code"] == "ResourceNotFoundException"


def test_a_consumer_naming_a_shared_number_by_its_id_is_not_found(aws: OfflineAWS, number: str) -> None:
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    response = error_of(lambda: send(client(aws, CONSUMER), number.rsplit("/", 1)[-1]))
    assert response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_consumer_sends_only_after_the_grant_has_propagated(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    aws = offline_factory(visibility_lag_seconds=60)
    number = aws.sms.add_phone_number(OWNER, REGION)
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    consumer = client(aws, CONSUMER)
    assert error_of(lambda: send(consumer, number))["Error"]["Code"] == "ResourceNotFoundException"
    aws.clock.advance(60)
    assert send(consumer, number)["MessageId"]


def test_a_shared_pool_sends_only_when_its_members_are_shared_too(aws: OfflineAWS, number: str) -> None:
    # Given a pool shared with the consumer whose member number is not
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    owner = client(aws, OWNER)
    owner.put_resource_policy(ResourceArn=pool, Policy=grant(CONSUMER, pool))
    consumer = client(aws, CONSUMER)
    # Then sending through the pool fails, and works once the member is shared as well
    assert error_of(lambda: send(consumer, pool))["ResourceId"] == number
    owner.put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    assert send(consumer, pool)["MessageId"]


def test_a_configuration_set_must_be_the_senders_own(aws: OfflineAWS, number: str) -> None:
    # Given the owner's configuration set and a consumer allowed to send with the number
    owner = client(aws, OWNER)
    owner.create_configuration_set(ConfigurationSetName="otp")
    owner.put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    consumer = client(aws, CONSUMER)
    # Then the consumer cannot use the owner's set, only one of its own
    response = error_of(lambda: send(consumer, number, ConfigurationSetName="otp"))
    assert (response["Error"]["Code"], response["ResourceType"]) == (
        "ResourceNotFoundException",
        "configuration-set",
    )
    consumer.create_configuration_set(ConfigurationSetName="otp")
    assert send(consumer, number, ConfigurationSetName="otp")["MessageId"]


def test_a_number_without_sms_capability_cannot_send_text(aws: OfflineAWS) -> None:
    voice_only = aws.sms.add_phone_number(OWNER, REGION, capabilities=("VOICE",))
    response = error_of(lambda: send(client(aws, OWNER), voice_only))
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ConflictException",
        "NUMBER_CAPABILITIES_MISMATCH",
    )


def test_a_destination_that_is_not_e164_is_rejected(aws: OfflineAWS, number: str) -> None:
    response = error_of(lambda: send(client(aws, OWNER), number, "2065550123"))
    assert response["Error"]["Code"] == "ValidationException"


def test_a_real_send_returns_a_message_id_and_is_recorded(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER)
    answer = sms.send_text_message(DestinationPhoneNumber=US_MOBILE, OriginationIdentity=number, MessageBody="hi")
    [sent] = aws.sms.dump(OWNER, REGION)["sent_messages"]
    assert (sent["MessageId"], sent["DestinationPhoneNumber"]) == (answer["MessageId"], US_MOBILE)


def test_a_dry_run_sends_nothing(aws: OfflineAWS, number: str) -> None:
    send(client(aws, OWNER), number)
    assert aws.sms.dump(OWNER, REGION)["sent_messages"] == []


# -- protect configurations ----------------------------------------------------------------------------------
def blocking(sms: Any, country: str) -> str:
    """A protect configuration that blocks SMS to `country`."""
    protect: str = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.update_protect_configuration_country_rule_set(
        ProtectConfigurationId=protect,
        NumberCapability="SMS",
        CountryRuleSetUpdates={country: {"ProtectStatus": "BLOCK"}},
    )
    return protect


def assert_blocked_by(response: dict[str, Any], protect: str) -> None:
    assert response["Error"]["Code"] == "ConflictException"
    assert response["Reason"] == "DESTINATION_COUNTRY_BLOCKED_BY_PROTECT_CONFIGURATION"
    assert (response["ResourceType"], response["ResourceId"]) == ("protect-configuration", protect)


def test_the_account_default_protect_configuration_blocks_a_country(aws: OfflineAWS, number: str) -> None:
    # Given an account default that blocks GB
    sms = client(aws, OWNER)
    protect = blocking(sms, "GB")
    sms.set_account_default_protect_configuration(ProtectConfigurationId=protect)
    # Then a message to GB is blocked and one to the US is not
    assert_blocked_by(error_of(lambda: send(sms, number, UK_MOBILE)), protect)
    assert send(sms, number, US_MOBILE)["MessageId"]


def test_the_configuration_sets_protect_configuration_blocks_a_country(aws: OfflineAWS, number: str) -> None:
    # Given a configuration set whose protect configuration blocks GB
    sms = client(aws, OWNER)
    protect = blocking(sms, "GB")
    sms.create_configuration_set(ConfigurationSetName="otp")
    sms.associate_protect_configuration(ProtectConfigurationId=protect, ConfigurationSetName="otp")
    # Then messages to GB sent with that set are blocked, and without it are not
    assert_blocked_by(error_of(lambda: send(sms, number, UK_MOBILE, ConfigurationSetName="otp")), protect)
    assert send(sms, number, UK_MOBILE)["MessageId"]


def test_the_messages_own_protect_configuration_blocks_a_country(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER)
    protect = blocking(sms, "GB")
    assert_blocked_by(error_of(lambda: send(sms, number, UK_MOBILE, ProtectConfigurationId=protect)), protect)


def test_every_level_must_allow_the_country(aws: OfflineAWS, number: str) -> None:
    # Given a set and a message-level configuration that allow GB, and an account default that blocks it
    sms = client(aws, OWNER)
    allowing = sms.create_protect_configuration()["ProtectConfigurationId"]
    sms.create_configuration_set(ConfigurationSetName="otp")
    sms.associate_protect_configuration(ProtectConfigurationId=allowing, ConfigurationSetName="otp")
    default = blocking(sms, "GB")
    sms.set_account_default_protect_configuration(ProtectConfigurationId=default)
    # Then the account default still blocks
    response = error_of(
        lambda: send(sms, number, UK_MOBILE, ConfigurationSetName="otp", ProtectConfigurationId=allowing)
    )
    assert_blocked_by(response, default)


def test_canadian_numbers_are_told_apart_from_us_numbers(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER)
    sms.set_account_default_protect_configuration(ProtectConfigurationId=blocking(sms, "CA"))
    assert error_of(lambda: send(sms, number, "+14165550123"))["Error"]["Code"] == "ConflictException"
    assert send(sms, number, US_MOBILE)["MessageId"]


def test_the_consumers_protect_configuration_applies_to_a_shared_number(aws: OfflineAWS, number: str) -> None:
    # Given a number shared with a consumer whose account default blocks GB
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    consumer = client(aws, CONSUMER)
    protect = blocking(consumer, "GB")
    consumer.set_account_default_protect_configuration(ProtectConfigurationId=protect)
    # Then the consumer's message to GB is blocked by its own configuration
    assert_blocked_by(error_of(lambda: send(consumer, number, UK_MOBILE)), protect)


# -- sandbox -------------------------------------------------------------------------------------------------
def test_a_sandboxed_account_cannot_send_to_an_unverified_number(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER, tier="SANDBOX")
    response = error_of(
        lambda: sms.send_text_message(DestinationPhoneNumber=US_MOBILE, OriginationIdentity=number, MessageBody="hi")
    )
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ConflictException",
        "DESTINATION_PHONE_NUMBER_NOT_VERIFIED",
    )


def test_a_sandboxed_account_sends_to_a_verified_number(aws: OfflineAWS, number: str) -> None:
    sms = client(aws, OWNER, tier="SANDBOX")
    aws.sms.add_verified_destination_number(OWNER, REGION, US_MOBILE)
    answer = sms.send_text_message(DestinationPhoneNumber=US_MOBILE, OriginationIdentity=number, MessageBody="hi")
    assert answer["MessageId"]


def test_the_senders_tier_counts_not_the_owners(aws: OfflineAWS, number: str) -> None:
    # Given a production owner sharing with a sandboxed consumer
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    consumer = client(aws, CONSUMER, tier="SANDBOX")
    # Then a dry run looks healthy, but the consumer's real send is refused
    assert send(consumer, number)["MessageId"]
    response = error_of(
        lambda: consumer.send_text_message(
            DestinationPhoneNumber=US_MOBILE, OriginationIdentity=number, MessageBody="hi"
        )
    )
    assert response["Reason"] == "DESTINATION_PHONE_NUMBER_NOT_VERIFIED"


# -- refusals the sending account's own settings cause --------------------------------------------------------
CHINA_MOBILE = "+8613000000000"
US_SIMULATOR = "+14254147755"


def test_an_account_not_allowed_to_send_to_china_is_refused(aws: OfflineAWS) -> None:
    """ "Only China requires SMS template registration for your account to be allowed sending there." (End User
    Messaging SMS User Guide, China SMS template registration form); botocore's model has DESTINATION_COUNTRY_BLOCKED
    in ValidationExceptionReason only."""
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="CN", registered=True)
    response = error_of(lambda: send(client(aws, OWNER), sender, CHINA_MOBILE))
    assert (response["Error"]["Code"], response["Reason"]) == ("ValidationException", "DESTINATION_COUNTRY_BLOCKED")


def test_china_allowlisting_belongs_to_the_sending_account_not_the_owner(aws: OfflineAWS) -> None:
    """Registrations "are tied to a specific AWS account, not to the origination identity itself. Submit new
    template registrations via AWS Support for each account that needs to send to the destination country."
    ("A Complete Guide to Resource Sharing for AWS End User Messaging")"""
    # Given a China sender ID shared by an owner allowed to send to China, with a consumer that is not
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="CN", registered=True)
    aws.sms.allow_destination_country(OWNER, REGION, "CN")
    client(aws, OWNER).put_resource_policy(ResourceArn=sender, Policy=grant(CONSUMER, sender))
    consumer = client(aws, CONSUMER)
    assert send(client(aws, OWNER), sender, CHINA_MOBILE)["MessageId"]
    # Then the consumer's send is refused until its own account is allowed
    assert error_of(lambda: send(consumer, sender, CHINA_MOBILE))["Reason"] == "DESTINATION_COUNTRY_BLOCKED"
    aws.sms.allow_destination_country(CONSUMER, REGION, "CN")
    assert send(consumer, sender, CHINA_MOBILE)["MessageId"]


def test_a_destination_opted_out_in_the_identitys_list_is_refused_to_every_sender(aws: OfflineAWS) -> None:
    """ "When a user opts out of messaging from one account, they are opted out across all accounts using that
    shared list." ("A Complete Guide to Resource Sharing for AWS End User Messaging"); the reason is the model's
    ConflictExceptionReason DESTINATION_PHONE_NUMBER_OPTED_OUT."""
    # Given a shared number whose opt-out list holds the destination
    aws.sms.add_opt_out_list(OWNER, REGION, "otp-optouts")
    number = aws.sms.add_phone_number(OWNER, REGION, opt_out_list_name="otp-optouts")
    aws.sms.add_opted_out_number(OWNER, REGION, "otp-optouts", US_SIMULATOR)
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    # Then the consumer's message to it is refused, and one to another destination is not
    response = error_of(lambda: send(client(aws, CONSUMER), number, US_SIMULATOR))
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ConflictException",
        "DESTINATION_PHONE_NUMBER_OPTED_OUT",
    )
    assert send(client(aws, CONSUMER), number, US_MOBILE)["MessageId"]


def test_an_account_that_reached_its_monthly_spend_limit_is_refused(aws: OfflineAWS, number: str) -> None:
    """ "Consuming accounts are billed for their usage of those shared resources" ("A Complete Guide to Resource
    Sharing for AWS End User Messaging"), so the sender's limit counts; the reason is the model's
    ServiceQuotaExceededExceptionReason MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT."""
    client(aws, OWNER).put_resource_policy(ResourceArn=number, Policy=grant(CONSUMER, number))
    aws.sms.reach_spend_limit(CONSUMER, REGION)
    response = error_of(lambda: send(client(aws, CONSUMER), number))
    assert (response["Error"]["Code"], response["Reason"]) == (
        "ServiceQuotaExceededException",
        "MONTHLY_SPEND_LIMIT_REACHED_FOR_TEXT",
    )
    assert send(client(aws, OWNER), number)["MessageId"]


@pytest.mark.parametrize(
    "destination",
    ["+61455944038", "+37282720792", "+352691385880", "+3197008100148", "+886903444630", "+447860019066", US_SIMULATOR],
)
def test_the_documented_simulator_destinations_are_accepted(aws: OfflineAWS, number: str, destination: str) -> None:
    """ "Destination simulator phone numbers are available in several countries and regions." (End User Messaging
    SMS User Guide, Simulator phone numbers): each is an E.164 number of its country."""
    assert send(client(aws, OWNER), number, destination)["MessageId"]
