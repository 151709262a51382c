"""Every service the orchestrator calls can be throttled, each with the error code and HTTP status its own
documentation gives (the table and its sources: twin/errors.py THROTTLING)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.faults import ORCHESTRATOR_SERVICES
from twin.offline import OfflineAWS

Call = Callable[[OfflineAWS], Any]

# One call per service (endpoint prefix), each its documented throttling answer:
CALLS: dict[str, tuple[str, Call, set[str], int]] = {
    # STS and IAM model no throttling error; botocore's _retry.json "throttling": "Throttling", 400.
    "sts": ("sts", lambda aws: aws.client("sts").get_caller_identity(), {"Throttling"}, 400),
    "iam": ("iam", lambda aws: aws.client("iam").list_roles(), {"Throttling"}, 400),
    # Organizations' model: TooManyRequestsException, "You have sent too many requests in too short a period of
    # time"; _retry.json's organizations entry: "http_status_code": 400.
    "organizations": (
        "organizations",
        lambda aws: aws.client("organizations").describe_organization(),
        {"TooManyRequestsException"},
        400,
    ),
    # SNS's model: ThrottledException, "code": "Throttled", "httpStatusCode": 429.
    "sns": ("sns", lambda aws: aws.client("sns").list_topics(), {"Throttled"}, 429),
    # CloudWatch Logs' model: ThrottlingException, "The request was throttled because of quota limits."
    "logs": ("logs", lambda aws: aws.client("logs").describe_log_groups(), {"ThrottlingException"}, 400),
    # DynamoDB's model: ThrottlingException, ProvisionedThroughputExceededException ("The request was denied due to
    # request throttling") and RequestLimitExceeded ("Throughput exceeds the current throughput quota").
    "dynamodb": (
        "dynamodb",
        lambda aws: aws.client("dynamodb").list_tables(),
        {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"},
        400,
    ),
    # S3's model (error codes list): "Code: SlowDown ... Reduce your request rate ... HTTP Status Code: 503".
    "s3": ("s3", lambda aws: aws.client("s3").list_buckets(), {"SlowDown"}, 503),
    # EventBridge's model: ThrottlingException, "This request cannot be completed due to throttling issues."
    "events": ("events", lambda aws: aws.client("events").list_rules(), {"ThrottlingException"}, 400),
    # Lambda's model: TooManyRequestsException, "The request throughput limit was exceeded", 429.
    "lambda": ("lambda", lambda aws: aws.client("lambda").list_functions(), {"TooManyRequestsException"}, 429),
    # Step Functions and Secrets Manager model no throttling error (docs/aws-assumptions.md).
    "states": (
        "stepfunctions",
        lambda aws: aws.client("stepfunctions").list_state_machines(),
        {"ThrottlingException"},
        400,
    ),
    "secretsmanager": (
        "secretsmanager",
        lambda aws: aws.client("secretsmanager").list_secrets(),
        {"ThrottlingException"},
        400,
    ),
    # RAM's model: ThrottlingException, "httpStatusCode": 429.
    "ram": (
        "ram",
        lambda aws: aws.client("ram").get_resource_shares(resourceOwner="SELF"),
        {"ThrottlingException"},
        429,
    ),
    # End User Messaging's model: ThrottlingException, "too many requests were sent during a certain amount of time".
    "sms-voice": (
        "pinpoint-sms-voice-v2",
        lambda aws: aws.client("pinpoint-sms-voice-v2").describe_account_attributes(),
        {"ThrottlingException"},
        400,
    ),
    # Service Quotas' model: TooManyRequestsException, "Due to throttling, the request was denied."
    "servicequotas": (
        "service-quotas",
        lambda aws: aws.client("service-quotas").list_service_quotas(ServiceCode="sms-voice"),
        {"TooManyRequestsException"},
        400,
    ),
}


def test_every_service_the_orchestrator_calls_has_a_throttling_call_here() -> None:
    assert set(CALLS) == ORCHESTRATOR_SERVICES


@pytest.mark.parametrize("prefix", sorted(CALLS))
def test_a_throttled_call_answers_the_services_own_code_and_status(offline_factory, prefix: str) -> None:  # type: ignore[no-untyped-def]
    # Given every call throttled
    aws = offline_factory(throttle_rate=1.0)
    _, call, codes, status = CALLS[prefix]
    # When the service is called
    with pytest.raises(ClientError) as refused:
        call(aws)
    # Then it answers its own throttling error, which the call log records
    assert refused.value.response["Error"]["Code"] in codes
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == status
    assert aws.world.calls[-1].error in codes


def test_a_throttled_lambda_invoke_reaches_the_caller_as_too_many_requests(offline_factory) -> None:  # type: ignore[no-untyped-def]
    # Given a function, and every call throttled
    aws = offline_factory(throttle_rate=1.0)
    ran = []
    aws.register_lambda("fn", lambda event, context: ran.append(event) or {})
    # When it is invoked (as Step Functions' lambda:invoke does)
    with pytest.raises(ClientError) as refused:
        aws.client("lambda").invoke(FunctionName="fn", Payload=b"{}")
    # Then Lambda answers TooManyRequestsException, 429, and the function never ran
    assert refused.value.response["Error"]["Code"] == "TooManyRequestsException"
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429
    assert ran == []


def test_a_tests_own_hand_is_never_throttled(offline_factory) -> None:  # type: ignore[no-untyped-def]
    aws = offline_factory(throttle_rate=1.0)
    with aws.unthrottled():
        aws.client("dynamodb").list_tables()
    assert aws.world.calls[-1].error is None


def test_throttled_services_limits_a_throttle_rate_to_the_services_it_names(offline_factory) -> None:  # type: ignore[no-untyped-def]
    # Given every call throttled, but only RAM's and End User Messaging's
    aws = offline_factory(throttle_rate=1.0, throttled_services=frozenset({"ram", "sms-voice"}))
    # When DynamoDB is called / Then it answers
    aws.client("dynamodb").list_tables()
