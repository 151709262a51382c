"""Errors the offline AWS answers with: the real error codes, statuses and fields of each service."""

from __future__ import annotations

from typing import Any


class TwinError(Exception):
    """An AWS error response: botocore raises it in the caller as ClientError with this code."""

    def __init__(self, code: str, message: str, status: int = 400, **fields: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


# How each service the orchestrator calls says it is busy: (error code, HTTP status, protocol), by endpoint prefix.
# From botocore's models unless noted: RAM's ThrottlingException is "httpStatusCode": 429; Lambda's
# TooManyRequestsException ("The request throughput limit was exceeded") is 429; SNS's ThrottledException has
# "code": "Throttled", 429; DynamoDB names three ("The request was denied due to request throttling":
# ThrottlingException and ProvisionedThroughputExceededException; "Throughput exceeds the current throughput quota
# for your account": RequestLimitExceeded); S3 lists "Code: SlowDown ... Reduce your request rate ... HTTP Status
# Code: 503 Slow Down"; Organizations' TooManyRequestsException is 400 in botocore's _retry.json. STS and IAM model
# no throttling error: theirs is _retry.json's "throttling" ("Throttling", 400); Step Functions and Secrets Manager
# model none either, and answer as the other JSON services do (docs/aws-assumptions.md, "Every service throttles").
THROTTLING: dict[str, tuple[tuple[str, ...], int, str]] = {
    "ram": (("ThrottlingException",), 429, "rest-json"),
    "sms-voice": (("ThrottlingException",), 400, "json"),
    "servicequotas": (("TooManyRequestsException",), 400, "json"),
    "sts": (("Throttling",), 400, "query"),
    "iam": (("Throttling",), 400, "query"),
    "organizations": (("TooManyRequestsException",), 400, "json"),
    "sns": (("Throttled",), 429, "query"),
    "logs": (("ThrottlingException",), 400, "json"),
    "dynamodb": (
        ("ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"),
        400,
        "json",
    ),
    "s3": (("SlowDown",), 503, "rest-xml"),
    "events": (("ThrottlingException",), 400, "json"),
    "lambda": (("TooManyRequestsException",), 429, "rest-json"),
    "states": (("ThrottlingException",), 400, "json"),
    "secretsmanager": (("ThrottlingException",), 400, "json"),
}


def throttling(service: str, operation: str, pick: int = 0) -> TwinError:
    """The service's own throttling error; `pick` chooses among the codes of a service that has several."""
    codes, status, _ = THROTTLING[service]
    return TwinError(codes[pick % len(codes)], f"Rate exceeded for {operation}", status)
