"""AWS busy is a wait: each error code AWS uses for throttling becomes AwsThrottled, which the state machine retries."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from eum_share.dal.throttling import throttling_is_retryable
from eum_share.errors import AwsThrottled

from twin.errors import THROTTLING


def _refused(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "busy"}}, "BatchWriteItem")


def test_dynamodb_throughput_exceeded_is_throttling() -> None:
    # DynamoDB (BatchWriteItem in botocore's model): "it returns a ProvisionedThroughputExceededException or a
    # ThrottlingException. Both indicate that the request was throttled".
    with pytest.raises(AwsThrottled), throttling_is_retryable():
        raise _refused("ProvisionedThroughputExceededException")


def test_an_error_that_is_not_throttling_goes_up_as_it_is() -> None:
    with pytest.raises(ClientError), throttling_is_retryable():
        raise _refused("ValidationException")


@pytest.mark.parametrize(
    ("service", "code"), [(service, code) for service, (codes, _, _) in sorted(THROTTLING.items()) for code in codes]
)
def test_every_services_throttling_code_is_a_wait(service: str, code: str) -> None:
    # Given the throttling error of a service the orchestrator calls (twin/errors.py gives each its source: SNS's
    # model, for one, names its error "Throttled", which botocore's standard retry mode does not count as throttling)
    # When a state meets it / Then it is AwsThrottled, which the state machine retries
    with pytest.raises(AwsThrottled), throttling_is_retryable():
        raise _refused(code)
