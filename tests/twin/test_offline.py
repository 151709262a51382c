"""The router: real boto3 clients reach the project's fakes or moto, in the right account, on one clock."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError, ParamValidationError

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.protocol import ApiModel

CONSUMER = "222222222222"


def test_an_assumed_role_client_lands_in_that_account(aws: OfflineAWS) -> None:
    identity = aws.client("sts", account=CONSUMER).get_caller_identity()
    assert identity["Account"] == CONSUMER


def test_the_fakes_keep_state_per_account(aws: OfflineAWS) -> None:
    # Given a configuration set created in one account
    aws.client("pinpoint-sms-voice-v2", account=CONSUMER).create_configuration_set(ConfigurationSetName="otp")
    # Then that account sees it and another does not
    assert [
        c["ConfigurationSetName"]
        for c in aws.client("pinpoint-sms-voice-v2", account=CONSUMER).describe_configuration_sets()[
            "ConfigurationSets"
        ]
    ] == ["otp"]
    assert aws.client("pinpoint-sms-voice-v2").describe_configuration_sets()["ConfigurationSets"] == []


def test_a_multi_account_share_works_through_assumed_role_clients(aws: OfflineAWS) -> None:
    # Given an owner with a phone number, shared through RAM with a consumer in the same organization
    owner = "111111111111"
    orgs = aws.client("organizations", account=owner)
    orgs.create_organization(FeatureSet="ALL")
    created = orgs.create_account(Email="c@example.com", AccountName="consumer")["CreateAccountStatus"]
    consumer = orgs.describe_create_account_status(CreateAccountRequestId=created["Id"])["CreateAccountStatus"][
        "AccountId"
    ]
    aws.client("ram", account=owner).enable_sharing_with_aws_organization()
    number = aws.sms.add_phone_number(owner, aws.region)
    ram = aws.client("ram", account=owner)
    ram.create_resource_share(name="otp", principals=[consumer], resourceArns=[number])
    # When RAM has finished associating
    aws.world.settle()
    # Then the consumer sees the number under Owner=SHARED and can DryRun-send with its full ARN
    sms = aws.client("pinpoint-sms-voice-v2", account=consumer)
    shared = sms.describe_phone_numbers(Owner="SHARED")["PhoneNumbers"]
    assert [p["PhoneNumberArn"] for p in shared] == [number]
    sms.send_text_message(DestinationPhoneNumber="+14255550123", OriginationIdentity=number, DryRun=True)


def test_moto_still_serves_the_services_it_covers(aws: OfflineAWS) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="reports")
    s3.put_object(Bucket="reports", Key="r.json", Body=b"{}")
    assert s3.get_object(Bucket="reports", Key="r.json")["Body"].read() == b"{}"


def test_every_call_is_logged_with_time_account_operation_and_error(aws: OfflineAWS) -> None:
    aws.clock.advance(42)
    with pytest.raises(ClientError):
        aws.client("pinpoint-sms-voice-v2", account=CONSUMER).delete_configuration_set(ConfigurationSetName="nope")
    last = aws.world.calls[-1]
    assert (last.t, last.account, last.service, last.operation, last.error) == (
        42.0,
        CONSUMER,
        "sms-voice",
        "DeleteConfigurationSet",
        "ResourceNotFoundException",
    )
    assert last.params == {"ConfigurationSetName": "nope"}


def test_moto_calls_are_logged_too(aws: OfflineAWS) -> None:
    aws.client("sns").create_topic(Name="t")
    assert aws.world.calls[-1].service == "sns"
    assert aws.world.calls[-1].operation == "CreateTopic"


def test_botocore_refuses_a_parameter_the_model_does_not_have(aws: OfflineAWS) -> None:
    with pytest.raises(ParamValidationError):
        aws.client("pinpoint-sms-voice-v2").describe_phone_numbers(Owner="SELF", Bogus=1)


def test_the_server_side_check_refuses_what_botocore_lets_through(aws: OfflineAWS) -> None:
    # Given an enum value botocore does not check client-side
    with pytest.raises(ClientError) as refused:
        aws.client("pinpoint-sms-voice-v2").describe_phone_numbers(Owner="EVERYONE")
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "Owner" in refused.value.response["Error"]["Message"]


def test_a_lambda_registered_offline_answers_invoke_and_reports_errors_as_lambda_does(
    aws: OfflineAWS,
) -> None:
    class Boom(Exception):
        pass

    def handler(event: dict[str, object], context: object) -> dict[str, object]:
        if event.get("fail"):
            raise Boom("no")
        return {"echo": event}

    aws.register_lambda("echo", handler)
    client = aws.client("lambda")
    ok = client.invoke(FunctionName="echo", Payload=json.dumps({"a": 1}))
    assert json.loads(ok["Payload"].read()) == {"echo": {"a": 1}}
    failed = client.invoke(FunctionName="echo", Payload=json.dumps({"fail": True}))
    assert failed["FunctionError"] == "Unhandled"
    assert json.loads(failed["Payload"].read())["errorType"] == "Boom"


def test_the_default_session_lands_in_the_orchestrator_account(aws: OfflineAWS) -> None:
    assert boto3.client("sts").get_caller_identity()["Account"] == DEFAULT_ACCOUNT


def test_the_output_check_catches_a_member_the_real_api_does_not_have() -> None:
    api = ApiModel("pinpoint-sms-voice-v2")
    problems = api.check_output("DescribeConfigurationSets", {"ConfigurationSets": [], "Extra": 1})
    assert problems == [("Extra", "is not a member of the API shape")]


def test_each_call_to_a_fake_costs_the_configured_latency_in_simulated_time(offline_factory) -> None:  # type: ignore[no-untyped-def]
    offline = offline_factory(latency_seconds=0.25)
    client = offline.client("pinpoint-sms-voice-v2")
    for _ in range(4):
        client.describe_account_attributes()
    assert offline.clock.now() == pytest.approx(1.0)


def test_a_handler_that_sleeps_spends_simulated_time_and_sees_simulated_clocks(aws: OfflineAWS) -> None:
    # Given a function that paces itself with time.sleep and reads the time before and after
    import time

    def pacing(event: dict[str, object], context: object) -> dict[str, float]:
        before, mono = time.time(), time.monotonic()
        time.sleep(30)
        return {
            "slept": time.time() - before,
            "monotonic": time.monotonic() - mono,
            "remaining": context.get_remaining_time_in_millis(),  # type: ignore[attr-defined]
        }

    aws.register_lambda("pacing", pacing, timeout_seconds=60)
    wall = time.perf_counter()
    # When it is invoked
    result = json.loads(aws.client("lambda").invoke(FunctionName="pacing")["Payload"].read())
    # Then it slept 30 simulated seconds in almost no wall time, and its deadline moved with the clock
    assert result == {"slept": 30.0, "monotonic": 30.0, "remaining": 30_000}
    assert time.perf_counter() - wall < 5
    assert aws.clock.now() == 30.0
    assert aws.lambdas.invocations[-1].simulated_seconds == 30.0
