"""When delivery fails: Lambda's retries and destinations, EventBridge's RetryPolicy and dead-letter queues, and
at-least-once delivery, as the Lambda developer guide and the EventBridge user guide document them.

Retries are due minutes of simulated time later; `offline.events.settle()` moves the clock to each of them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from twin.faults import FaultConfig
from twin.lambda_runtime import EventInvokeConfig
from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.runner import LocalStateMachine

FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:{{}}"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:{{}}"


class OutOfStock(Exception):
    pass


def failing(aws: OfflineAWS, name: str = "reserve") -> list[float]:
    """A function that always fails, keeping the simulated time of each attempt."""
    attempts: list[float] = []

    def reserve(event: dict[str, Any], context: Any) -> None:
        attempts.append(aws.clock.now())
        raise OutOfStock("nothing left")

    aws.register_lambda(name, reserve)
    return attempts


def queue(aws: OfflineAWS, name: str) -> str:
    return str(aws.client("sqs").create_queue(QueueName=name)["QueueUrl"])


def messages(aws: OfflineAWS, url: str) -> list[dict[str, Any]]:
    answer = aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"])
    return list(answer.get("Messages", []))


def attributes(message: dict[str, Any]) -> dict[str, str]:
    return {name: value["StringValue"] for name, value in message.get("MessageAttributes", {}).items()}


def rule_to(aws: OfflineAWS, target: dict[str, Any]) -> None:
    events = aws.client("events")
    events.put_rule(Name="orders", EventPattern=json.dumps({"source": ["shop"]}))
    events.put_targets(Rule="orders", Targets=[{"Id": "target", **target}])


def put_order(aws: OfflineAWS) -> str:
    entry = {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps({"order": 7})}
    (result,) = aws.client("events").put_events(Entries=[entry])["Entries"]
    return str(result["EventId"])


# -- Lambda's asynchronous invocation -----------------------------------------------------------------------------
def test_a_function_error_is_retried_twice_a_minute_then_two_minutes_apart(aws: OfflineAWS) -> None:
    # Given a function that always fails, with Lambda's default event-invoke configuration
    attempts = failing(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it
    put_order(aws)
    aws.events.settle()
    # Then Lambda ran it three times: at once, one minute later and two minutes after that
    assert attempts == [0.0, 60.0, 180.0]


def test_after_its_retries_the_event_goes_to_the_on_failure_queue_as_an_invocation_record(aws: OfflineAWS) -> None:
    # Given a failing function whose failures go to a queue
    failing(aws)
    failures = queue(aws, "failures")
    aws.put_function_event_invoke_config("reserve", on_failure=QUEUE_ARN.format("failures"))
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it and every attempt fails
    event_id = put_order(aws)
    aws.events.settle()
    # Then the queue holds Lambda's invocation record: the request, the last response, why Lambda gave up
    (message,) = messages(aws, failures)
    record = json.loads(message["Body"])
    assert record["version"] == "1.0"
    assert record["timestamp"] == "2026-01-05T09:03:00.000Z"
    assert record["requestContext"] | {"requestId": "-"} == {
        "requestId": "-",
        "functionArn": FUNCTION_ARN.format("reserve") + ":$LATEST",
        "condition": "RetriesExhausted",
        "approximateInvokeCount": 3,
    }
    assert record["requestPayload"]["id"] == event_id
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"}
    assert record["responsePayload"]["errorType"] == "OutOfStock"


def test_every_attempt_of_an_asynchronous_invocation_has_the_same_request_id(aws: OfflineAWS) -> None:
    # Given a failing function that notes its request IDs
    request_ids: list[str] = []

    def reserve(event: dict[str, Any], context: Any) -> None:
        request_ids.append(context.aws_request_id)
        raise OutOfStock("nothing left")

    aws.register_lambda("reserve", reserve)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it
    put_order(aws)
    aws.events.settle()
    # Then its three attempts saw one request ID
    assert len(request_ids) == 3
    assert len(set(request_ids)) == 1


def test_maximum_retry_attempts_zero_means_a_single_attempt(aws: OfflineAWS) -> None:
    # Given a failing function configured not to be retried
    attempts = failing(aws)
    aws.put_function_event_invoke_config("reserve", maximum_retry_attempts=0)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it
    put_order(aws)
    aws.events.settle()
    # Then it ran once
    assert attempts == [0.0]


def test_an_event_that_would_exceed_its_maximum_age_is_not_retried(aws: OfflineAWS) -> None:
    # Given a failing function whose events may wait at most 90 seconds
    attempts = failing(aws)
    failures = queue(aws, "failures")
    aws.put_function_event_invoke_config(
        "reserve", maximum_event_age_in_seconds=90, on_failure=QUEUE_ARN.format("failures")
    )
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it
    put_order(aws)
    aws.events.settle()
    # Then the second retry (due at 180 s) never ran, and the record says the event aged out
    assert attempts == [0.0, 60.0]
    (message,) = messages(aws, failures)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "EventAgeExceeded"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_a_success_goes_to_the_on_success_destination_with_the_function_result(aws: OfflineAWS) -> None:
    # Given a function whose successes go to a queue
    aws.register_lambda("reserve", lambda event, context: {"reserved": event["detail"]["order"]})
    successes = queue(aws, "successes")
    aws.put_function_event_invoke_config("reserve", on_success=QUEUE_ARN.format("successes"))
    rule_to(aws, {"Arn": FUNCTION_ARN.format("reserve")})
    # When an event reaches it
    put_order(aws)
    aws.events.settle()
    # Then the queue holds a Success record with the function's result
    (message,) = messages(aws, successes)
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "Success"
    assert record["responseContext"] == {"statusCode": 200, "executedVersion": "$LATEST"}
    assert record["responsePayload"] == {"reserved": 7}


@pytest.mark.parametrize(
    ("setting", "value"),
    [("maximum_retry_attempts", 3), ("maximum_event_age_in_seconds", 59), ("maximum_event_age_in_seconds", 21601)],
)
def test_an_event_invoke_configuration_outside_lambdas_limits_is_refused(setting: str, value: int) -> None:
    # Given a setting outside the range Lambda accepts (0-2 retries, 60-21600 seconds)
    # When it is configured
    # Then it is refused, naming the setting
    with pytest.raises(ValueError, match="Maximum"):
        EventInvokeConfig(**{setting: value})


# -- EventBridge's RetryPolicy and dead-letter queue --------------------------------------------------------------
def test_a_target_that_does_not_exist_goes_to_the_dead_letter_queue_without_retries(aws: OfflineAWS) -> None:
    # Given a rule whose target function does not exist, with a dead-letter queue
    dead = queue(aws, "dead")
    rule_to(aws, {"Arn": FUNCTION_ARN.format("gone"), "DeadLetterConfig": {"Arn": QUEUE_ARN.format("dead")}})
    # When an event is put
    event_id = put_order(aws)
    aws.events.settle()
    # Then EventBridge tried once and sent the event to the DLQ with the attributes AWS documents
    assert len(aws.world.calls_to("events", "Deliver")) == 1
    (message,) = messages(aws, dead)
    assert json.loads(message["Body"])["id"] == event_id
    assert attributes(message) == {
        "RULE_ARN": f"arn:aws:events:us-east-1:{DEFAULT_ACCOUNT}:rule/orders",
        "TARGET_ARN": FUNCTION_ARN.format("gone"),
        "ERROR_CODE": "NO_RESOURCE",
        "ERROR_MESSAGE": f"Function not found: {FUNCTION_ARN.format('gone')}",
        "RETRY_ATTEMPTS": "0",
    }


def test_a_state_machine_that_does_not_exist_goes_to_the_dead_letter_queue(aws: OfflineAWS) -> None:
    # Given a rule whose target state machine does not exist, with a dead-letter queue
    dead = queue(aws, "dead")
    missing = f"arn:aws:states:us-east-1:{DEFAULT_ACCOUNT}:stateMachine:gone"
    rule_to(aws, {"Arn": missing, "DeadLetterConfig": {"Arn": QUEUE_ARN.format("dead")}})
    # When an event is put
    put_order(aws)
    aws.events.settle()
    # Then the event is in the DLQ, marked as having no resource
    (message,) = messages(aws, dead)
    assert attributes(message)["ERROR_CODE"] == "NO_RESOURCE"
    assert attributes(message)["TARGET_ARN"] == missing


def throttled_target(offline_factory: Callable[..., OfflineAWS], retry_policy: dict[str, int]) -> OfflineAWS:
    """An offline AWS where every call EventBridge makes to a target is throttled, and a rule to a function."""
    aws = offline_factory(target_throttle_rate=1.0)
    aws.register_lambda("reserve", lambda event, context: None)
    queue(aws, "dead")
    rule_to(
        aws,
        {
            "Arn": FUNCTION_ARN.format("reserve"),
            "RetryPolicy": retry_policy,
            "DeadLetterConfig": {"Arn": QUEUE_ARN.format("dead")},
        },
    )
    return aws


def test_a_throttled_target_is_retried_until_its_retry_attempts_run_out(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given a target that is always throttled, allowed two retries
    aws = throttled_target(offline_factory, {"MaximumRetryAttempts": 2})
    # When an event is put
    put_order(aws)
    aws.events.settle()
    # Then EventBridge tried three times, and the DLQ message says the attempts ran out
    deliveries = aws.world.calls_to("events", "Deliver")
    assert [(d.params["Attempt"], d.error) for d in deliveries] == [
        (1, "THROTTLING"),
        (2, "THROTTLING"),
        (3, "THROTTLING"),
    ]
    (message,) = messages(aws, aws.client("sqs").get_queue_url(QueueName="dead")["QueueUrl"])
    assert attributes(message)["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert attributes(message)["RETRY_ATTEMPTS"] == "2"
    assert aws.world.faults.injected["target-throttle"] == 3


def test_retries_stop_when_the_event_reaches_its_maximum_age(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given a target that is always throttled, whose events may be retried for 60 seconds
    aws = throttled_target(offline_factory, {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 60})
    # When an event is put
    put_order(aws)
    aws.events.settle()
    # Then the retries stopped within a minute of simulated time, and the DLQ message says the event aged out
    assert aws.clock.now() <= 60
    (message,) = messages(aws, aws.client("sqs").get_queue_url(QueueName="dead")["QueueUrl"])
    assert attributes(message)["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds"


def test_without_a_dead_letter_queue_an_undeliverable_event_is_dropped(aws: OfflineAWS) -> None:
    # Given a rule whose target function does not exist, and no dead-letter queue
    rule_to(aws, {"Arn": FUNCTION_ARN.format("gone")})
    # When an event is put
    put_order(aws)
    aws.events.settle()
    # Then the failed delivery is in the call log and nothing was sent anywhere
    assert [d.error for d in aws.world.calls_to("events", "Deliver")] == ["NO_RESOURCE"]
    assert aws.world.calls_to("sqs") == []


# -- at-least-once delivery ---------------------------------------------------------------------------------------
def test_a_duplicated_delivery_carries_the_same_event_id(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given an offline AWS that duplicates every delivery, and a function target
    aws = offline_factory(duplicate_event_rate=1.0)
    received: list[dict[str, Any]] = []
    aws.register_lambda("recorder", lambda event, context: received.append(event))
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")})
    # When one event is put
    event_id = put_order(aws)
    aws.events.settle()
    # Then the function received it twice, with the same id, and the duplicate was counted
    assert [event["id"] for event in received] == [event_id, event_id]
    assert aws.world.faults.injected["duplicate-event"] == 1


def test_a_duplicated_event_starts_two_executions_of_a_state_machine_target(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given an offline AWS that duplicates every delivery, and a state machine target
    aws = offline_factory(duplicate_event_rate=1.0)
    pass_through = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = LocalStateMachine(aws, definition=json.dumps(pass_through), name="m")
    rule_to(aws, {"Arn": machine.arn})
    # When one event is put
    event_id = put_order(aws)
    aws.events.settle()
    # Then two executions started, each with the same event as input
    sfn = aws.client("stepfunctions")
    executions = sfn.list_executions(stateMachineArn=machine.arn)["executions"]
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]
    assert [event["id"] for event in inputs] == [event_id, event_id]


def delivered_ids(seed: int) -> list[str]:
    """The ids of what a function target received for twenty events, duplicates included."""
    with OfflineAWS(FaultConfig(seed=seed, duplicate_event_rate=0.5)) as aws:
        received: list[dict[str, Any]] = []
        aws.register_lambda("recorder", lambda event, context: received.append(event))
        rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")})
        for _ in range(20):
            put_order(aws)
        aws.events.settle()
    return [event["id"] for event in received]


def test_the_same_seed_duplicates_the_same_deliveries() -> None:
    # Given a duplicate rate of one half
    # When two offline AWSes with the same seed, one after the other, each receive the same twenty events
    first = delivered_ids(seed=11)
    second = delivered_ids(seed=11)
    # Then the same events were delivered twice in both
    assert first == second
    assert 20 < len(first) < 40


def test_a_duplicate_rate_outside_zero_to_one_is_refused() -> None:
    # Given a duplicate rate above one
    # When a fault plan is made with it
    # Then it is refused, naming the setting
    with pytest.raises(ValueError, match="duplicate_event_rate"):
        FaultConfig(duplicate_event_rate=1.5)
