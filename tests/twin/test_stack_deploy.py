"""LocalStack deploys a SAM template onto the offline AWS as CloudFormation and the SAM transform would.

The template is tests/twin/templates/probe_stack.yaml; its functions' handlers (handlers/stack_probe.py) keep
what they receive. Return values follow the CloudFormation resource reference: Ref of a queue is its URL, of a
rule and of a secret its ARN, of an HttpApi its API ID.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import DEFAULT_ACCOUNT, OfflineAWS
from twin.stack import LocalStack, TemplateError

TEMPLATES = Path(__file__).parent / "templates"
QUEUE_URL = f"https://sqs.us-east-1.amazonaws.com/{DEFAULT_ACCOUNT}/{{}}"
QUEUE_ARN = f"arn:aws:sqs:us-east-1:{DEFAULT_ACCOUNT}:{{}}"


@pytest.fixture
def stack(aws: OfflineAWS) -> LocalStack:
    return LocalStack(aws, TEMPLATES / "probe_stack.yaml", stack_name="probe").deploy()


def received() -> list[dict[str, Any]]:
    """What the deployed functions received (the module is imported afresh by each deployment)."""
    return list(importlib.import_module("stack_probe").RECEIVED)


def put_on_bus(aws: OfflineAWS, detail_type: str, detail: dict[str, Any]) -> None:
    entry = {"Source": "shop", "DetailType": detail_type, "Detail": json.dumps(detail), "EventBusName": "probe-bus"}
    aws.client("events").put_events(Entries=[entry])


def queue_messages(aws: OfflineAWS, name: str) -> list[dict[str, Any]]:
    answer = aws.client("sqs").receive_message(QueueUrl=QUEUE_URL.format(name), MaxNumberOfMessages=10)
    return [json.loads(message["Body"]) for message in answer.get("Messages", [])]


# -- queues -------------------------------------------------------------------------------------------------------
def test_a_queue_is_created_under_its_queue_name_with_its_attributes(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose Inbox queue is named and has a 45-second visibility timeout
    # When the queue is looked up by name
    url = aws.client("sqs").get_queue_url(QueueName="probe-inbox")["QueueUrl"]
    # Then it exists with that attribute
    attributes = aws.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert attributes["Attributes"]["VisibilityTimeout"] == "45"


def test_a_queue_without_a_name_is_named_after_the_stack_and_its_logical_id(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose Failures queue has no QueueName
    # When its physical name is asked for
    # Then it is <stack>-<LogicalId>, and the queue exists under it
    assert stack.physical_name("Failures") == "probe-Failures"
    assert aws.client("sqs").get_queue_url(QueueName="probe-Failures")["QueueUrl"] == QUEUE_URL.format("probe-Failures")


def test_ref_of_a_queue_is_its_url_and_get_att_gives_its_arn_and_name(stack: LocalStack) -> None:
    # Given the deployed stack
    # When the Inbox queue is referenced
    # Then Ref is the URL, Arn and QueueName are attributes
    assert stack.resolve({"Ref": "Inbox"}) == QUEUE_URL.format("probe-inbox")
    assert stack.resolve({"Fn::GetAtt": ["Inbox", "Arn"]}) == QUEUE_ARN.format("probe-inbox")
    assert stack.resolve({"Fn::GetAtt": ["Inbox", "QueueName"]}) == "probe-inbox"


# -- rules --------------------------------------------------------------------------------------------------------
def test_an_eventbridge_rule_event_becomes_a_rule_targeting_the_function(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose Recorder function has an EventBridgeRule event OrderPlaced
    events = aws.client("events")
    # When the rule SAM would create (<Function><Event>) is described
    rule = events.describe_rule(Name="probe-RecorderOrderPlaced", EventBusName="probe-bus")
    (target,) = events.list_targets_by_rule(Rule="probe-RecorderOrderPlaced", EventBusName="probe-bus")["Targets"]
    # Then it has the event's pattern, and its target is the function with the event's settings
    assert json.loads(rule["EventPattern"]) == {"source": ["shop"], "detail-type": ["OrderPlaced"]}
    assert target == {
        "Id": "RecorderOrderPlacedLambdaTarget",
        "Arn": f"arn:aws:lambda:us-east-1:{DEFAULT_ACCOUNT}:function:probe-Recorder",
        "InputPath": "$.detail",
        "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 600},
        "DeadLetterConfig": {"Arn": QUEUE_ARN.format("probe-RecorderOrderPlacedQueue")},
    }


def test_the_dead_letter_queue_of_a_sam_rule_is_created_as_sam_creates_it(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose OrderPlaced event asks for a DeadLetterConfig of Type SQS
    # When the queue SAM names <Rule>Queue is looked up
    url = aws.client("sqs").get_queue_url(QueueName="probe-RecorderOrderPlacedQueue")["QueueUrl"]
    # Then it exists
    assert url == QUEUE_URL.format("probe-RecorderOrderPlacedQueue")


def test_an_event_on_the_bus_reaches_the_function_through_its_rule(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack
    # When an OrderPlaced event is put on its bus
    put_on_bus(aws, "OrderPlaced", {"order": 7})
    aws.events.settle()
    # Then the Recorder function received the event's detail (the rule's InputPath)
    assert received() == [{"order": 7}]


def test_an_events_rule_resource_delivers_to_its_queue_target(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose CopyToInbox rule sends every shop event to the Inbox queue
    # When an event is put on the bus
    put_on_bus(aws, "OrderPlaced", {"order": 7})
    # Then the queue holds it
    (event,) = queue_messages(aws, "probe-inbox")
    assert event["detail"] == {"order": 7}


# -- asynchronous invocation --------------------------------------------------------------------------------------
def test_event_invoke_config_sends_a_failing_functions_events_to_its_destination(
    aws: OfflineAWS, stack: LocalStack
) -> None:
    # Given the deployed stack, whose Failing function is retried once and sends failures to the Failures queue
    # When an OrderCancelled event reaches it
    put_on_bus(aws, "OrderCancelled", {"order": 7})
    aws.events.settle()
    # Then it ran twice and the queue holds Lambda's record of the exhausted retries
    assert len(received()) == 2
    (record,) = queue_messages(aws, "probe-Failures")
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["requestContext"]["approximateInvokeCount"] == 2


def test_an_sqs_destination_without_one_named_gets_the_queue_sam_creates(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose Auditor sends successes to an SQS destination it does not name
    # When the Auditor succeeds asynchronously
    aws.events.lambdas.invoke("probe-Auditor", "us-east-1", DEFAULT_ACCOUNT, json.dumps({"audit": 1}))
    aws.events.settle()
    # Then the record is in the queue SAM names <Function>EventInvokeConfigOnSuccessQueue
    (record,) = queue_messages(aws, "probe-AuditorEventInvokeConfigOnSuccessQueue")
    assert record["requestContext"]["condition"] == "Success"
    assert record["requestPayload"] == {"audit": 1}


# -- secrets ------------------------------------------------------------------------------------------------------
def test_a_generated_secret_follows_its_template(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose ApiKey secret is generated into a template
    # When its value is read
    value = aws.client("secretsmanager").get_secret_value(SecretId="probe/api-key")["SecretString"]
    # Then it is the template with a 24-character password without punctuation
    secret = json.loads(value)
    assert secret["user"] == "probe"
    assert re.fullmatch(r"[A-Za-z0-9]{24}", secret["password"])


def test_ref_of_a_secret_is_its_arn(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, whose Greeting secret has a literal value and no name
    # When it is referenced
    arn = stack.resolve({"Ref": "Greeting"})
    # Then Ref is the secret's ARN, which reads the value
    assert arn.startswith(f"arn:aws:secretsmanager:us-east-1:{DEFAULT_ACCOUNT}:secret:probe-Greeting-")
    assert aws.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"] == "hello"


# -- tolerated resources and outputs ------------------------------------------------------------------------------
def test_tolerated_resources_resolve_where_referenced(stack: LocalStack) -> None:
    # Given the deployed stack, with an HttpApi, a log group, an alarm and a subscription it does not deploy
    # When they are referenced
    outputs = stack.outputs()
    # Then the API's URL renders with an API ID, and the others resolve as CloudFormation resolves them
    assert re.fullmatch(r"https://[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com/test", outputs["ApiUrl"])
    assert outputs["LogGroup"] == "/aws/lambda/probe-Recorder"
    assert stack.resolve({"Fn::GetAtt": ["FailuresAlarm", "Arn"]}).endswith(":alarm:probe-failures")
    assert stack.resolve({"Ref": "AlertsByMail"}).startswith(f"arn:aws:sns:us-east-1:{DEFAULT_ACCOUNT}:probe-Alerts:")


def test_outputs_are_the_templates_outputs_resolved(stack: LocalStack) -> None:
    # Given the deployed stack
    # When its outputs are read
    outputs = stack.outputs()
    # Then each is its Value resolved
    assert outputs["BusName"] == "probe-bus"
    assert outputs["InboxUrl"] == QUEUE_URL.format("probe-inbox")
    assert outputs["InboxArn"] == QUEUE_ARN.format("probe-inbox")
    assert (
        outputs["OrderRuleArn"]
        == f"arn:aws:events:us-east-1:{DEFAULT_ACCOUNT}:rule/probe-bus/probe-RecorderOrderPlaced"
    )
    assert outputs["ApiKeyArn"] == stack.resolve({"Ref": "ApiKey"})


def test_describe_stacks_shows_the_outputs_as_against_aws(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack
    # When a CloudFormation client describes it by name
    (described,) = aws.client("cloudformation").describe_stacks(StackName="probe")["Stacks"]
    # Then it is complete, and its outputs are the stack's outputs, with their descriptions
    assert described["StackStatus"] == "CREATE_COMPLETE"
    assert {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]} == stack.outputs()
    (bus,) = [o for o in described["Outputs"] if o["OutputKey"] == "BusName"]
    assert bus["Description"] == "Put events here."


def test_exported_outputs_are_listed_by_list_exports(aws: OfflineAWS, stack: LocalStack) -> None:
    # Given the deployed stack, which exports the ApiKey ARN
    # When the exports are listed
    (export,) = aws.client("cloudformation").list_exports()["Exports"]
    # Then the export has its name and value
    assert (export["Name"], export["Value"]) == ("probe-api-key", stack.outputs()["ApiKeyArn"])


def test_describing_a_stack_never_deployed_is_a_validation_error(aws: OfflineAWS) -> None:
    # Given no deployed stack
    # When a stack is described by name
    with pytest.raises(ClientError) as refused:
        aws.client("cloudformation").describe_stacks(StackName="nowhere")
    # Then CloudFormation answers ValidationError
    assert refused.value.response["Error"]["Code"] == "ValidationError"
    assert "nowhere does not exist" in refused.value.response["Error"]["Message"]


# -- what cannot be deployed ---------------------------------------------------------------------------------------
def test_an_unknown_resource_type_is_a_template_error_naming_it(aws: OfflineAWS) -> None:
    # Given a template with a VPC
    stack = LocalStack(aws, TEMPLATES / "unknown_type.yaml", stack_name="vpc")
    # When it is deployed
    # Then the deployment is refused, naming the resource and its type
    with pytest.raises(TemplateError, match=r"Network is an AWS::EC2::VPC"):
        stack.deploy()


def test_an_event_type_the_offline_stack_does_not_run_is_a_template_error(aws: OfflineAWS) -> None:
    # Given a template whose function runs on a Schedule event
    # When it is loaded
    # Then it is refused, naming the event and its type
    with pytest.raises(TemplateError, match=r"Nightly.Events.EveryNight: event type Schedule"):
        LocalStack(aws, TEMPLATES / "scheduled_function.yaml", stack_name="nightly")
