"""EventBridge delivers matched events to Lambda functions and Step Functions state machines, after PutEvents.

As the EventBridge user guide documents: a target receives the event (or what the target's Input, InputPath or
InputTransformer makes of it), a disabled rule delivers nothing, and delivery is asynchronous.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.runner import LocalStateMachine

FUNCTION_ARN = f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:{{}}"


def recorder(aws: OfflineAWS, name: str = "recorder") -> list[dict[str, Any]]:
    """A function that keeps every event it receives."""
    received: list[dict[str, Any]] = []
    aws.register_lambda(name, lambda event, context: received.append(event))
    return received


def rule_to(aws: OfflineAWS, target: dict[str, Any], *, state: str = "ENABLED", rule: str = "orders") -> None:
    events = aws.client("events")
    events.put_rule(Name=rule, EventPattern=json.dumps({"source": ["shop"]}), State=state)
    events.put_targets(Rule=rule, Targets=[{"Id": "target", **target}])


def put_order(aws: OfflineAWS, detail: dict[str, Any] | None = None) -> str:
    entry = {"Source": "shop", "DetailType": "OrderPlaced", "Detail": json.dumps(detail or {"order": 7})}
    (result,) = aws.client("events").put_events(Entries=[entry])["Entries"]
    return str(result["EventId"])


def test_put_events_answers_before_the_lambda_target_runs(aws: OfflineAWS) -> None:
    # Given a function that cannot finish until the test lets it
    gate = threading.Event()
    finished: list[bool] = []

    def held(event: dict[str, Any], context: Any) -> None:
        finished.append(gate.wait(timeout=10))

    aws.register_lambda("held", held)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("held")})
    # When an event is put
    put_order(aws)
    # Then PutEvents has answered while the delivery is still in flight, and the delivery completes afterwards
    assert finished == []
    gate.set()
    aws.events.settle()
    assert finished == [True]


def test_a_lambda_target_receives_the_event_as_eventbridge_shapes_it(aws: OfflineAWS) -> None:
    # Given a rule whose target is a function
    received = recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")})
    aws.clock.advance(90)
    # When an event is put without a time
    event_id = put_order(aws, {"order": 7})
    aws.events.settle()
    # Then the function receives the whole event, its id the one PutEvents answered, its time the simulated time
    assert received == [
        {
            "version": "0",
            "id": event_id,
            "detail-type": "OrderPlaced",
            "source": "shop",
            "account": DEFAULT_ACCOUNT,
            "time": "2026-01-05T09:01:30Z",
            "region": "us-east-1",
            "resources": [],
            "detail": {"order": 7},
        }
    ]


def test_input_path_gives_the_target_the_part_of_the_event_it_selects(aws: OfflineAWS) -> None:
    # Given a target with InputPath $.detail
    received = recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder"), "InputPath": "$.detail"})
    # When an event is put
    put_order(aws, {"order": 7, "lines": 2})
    aws.events.settle()
    # Then the function receives only the detail
    assert received == [{"order": 7, "lines": 2}]


def test_constant_input_replaces_the_event(aws: OfflineAWS) -> None:
    # Given a target with a constant Input
    received = recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder"), "Input": json.dumps({"task": "reindex"})})
    # When an event is put
    put_order(aws)
    aws.events.settle()
    # Then the function receives the constant, not the event
    assert received == [{"task": "reindex"}]


def test_an_input_transformer_renders_its_template_from_the_event(aws: OfflineAWS) -> None:
    # Given a target whose InputTransformer picks two fields into a template
    received = recorder(aws)
    transformer = {
        "InputPathsMap": {"order": "$.detail.order", "kind": "$.detail-type"},
        "InputTemplate": '{"orderId": <order>, "kind": "<kind>"}',
    }
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder"), "InputTransformer": transformer})
    # When an event is put
    put_order(aws, {"order": 7})
    aws.events.settle()
    # Then the function receives the rendered template
    assert received == [{"orderId": 7, "kind": "OrderPlaced"}]


def test_a_state_machine_target_starts_an_execution_with_the_event_as_input(aws: OfflineAWS) -> None:
    # Given a rule whose target is a state machine, through an InputTransformer
    machine = LocalStateMachine(
        aws, definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}), name="m"
    )
    transformer = {"InputPathsMap": {"order": "$.detail.order"}, "InputTemplate": '{"orderId": <order>}'}
    rule_to(aws, {"Arn": machine.arn, "InputTransformer": transformer, "RoleArn": "arn:aws:iam::1:role/r"})
    # When an event is put
    put_order(aws, {"order": 7})
    aws.events.settle()
    # Then one execution was started, with the transformed event as its input
    sfn = aws.client("stepfunctions")
    (execution,) = sfn.list_executions(stateMachineArn=machine.arn)["executions"]
    assert json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"]) == {"orderId": 7}


def test_a_disabled_rule_delivers_nothing(aws: OfflineAWS) -> None:
    # Given a disabled rule whose target is a function
    received = recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")}, state="DISABLED")
    # When a matching event is put
    put_order(aws)
    aws.events.settle()
    # Then the function received nothing
    assert received == []


def test_an_event_the_pattern_does_not_match_is_not_delivered(aws: OfflineAWS) -> None:
    # Given a rule for source "shop"
    received = recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")})
    # When an event from another source is put
    aws.client("events").put_events(Entries=[{"Source": "warehouse", "DetailType": "x", "Detail": "{}"}])
    aws.events.settle()
    # Then the function received nothing
    assert received == []


def test_an_sqs_target_still_receives_the_event(aws: OfflineAWS) -> None:
    # Given a rule whose target is a queue (delivered by moto, as before)
    sqs = aws.client("sqs")
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    rule_to(aws, {"Arn": f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:inbox"})
    # When an event is put
    event_id = put_order(aws)
    # Then the queue holds the event
    (message,) = sqs.receive_message(QueueUrl=url)["Messages"]
    assert json.loads(message["Body"])["id"] == event_id


def test_each_delivery_is_recorded_in_the_call_log(aws: OfflineAWS) -> None:
    # Given a rule whose target is a function
    recorder(aws)
    rule_to(aws, {"Arn": FUNCTION_ARN.format("recorder")})
    # When an event is delivered
    event_id = put_order(aws)
    aws.events.settle()
    # Then the call log has one successful delivery naming the rule, the target and the event
    (delivery,) = aws.world.calls_to("events", "Deliver")
    assert delivery.error is None
    assert delivery.params == {
        "Rule": "orders",
        "TargetId": "target",
        "TargetArn": FUNCTION_ARN.format("recorder"),
        "EventId": event_id,
        "Attempt": 1,
    }
