"""End User Messaging's request quotas: one table of every action the orchestrator calls, and the pacing by it.

Source: the quotas page of the End User Messaging SMS user guide
(https://docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html), "the Requests Per Second (RPS) quota for
each resource of the AWS End User Messaging SMS and Voice v2 API": most actions at 1, ListTagsForResource at 10;
DryRun sends at five ("The Message Parts per Second (MPS) limit when using DryRun is five", botocore's model).
"""

from __future__ import annotations

import ast
from pathlib import Path

import boto3
import botocore.session
from botocore.stub import Stubber
from eum_share.dal import quotas
from eum_share.dal.pacing import Pacer, pace

from twin.clock import VirtualClock

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions" / "eum_share"
ARN = "arn:aws:sms-voice:us-east-1:111122223333:phone-number/phone-0123456789abcdef0123456789abcdef"


def _sms_actions_in_code() -> set[str]:
    """Every pinpoint-sms-voice-v2 action the functions' code can call: a client method called by name
    (`sms.send_text_message(...)`), or named in a string (`get_paginator("describe_pools")`, `"SendTextMessage"`)."""
    model = botocore.session.get_session().get_service_model("pinpoint-sms-voice-v2")
    by_name = {botocore.xform_name(op): op for op in model.operation_names} | {op: op for op in model.operation_names}
    names: set[str] = set()
    for path in FUNCTIONS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute):
                names.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.add(node.value)
    return {by_name[name] for name in names if name in by_name}


def test_every_end_user_messaging_action_the_orchestrator_calls_has_a_published_or_assumed_rate() -> None:
    # Given every sms-voice action the functions' code names
    called = _sms_actions_in_code()
    assert {"GetResourcePolicy", "SendTextMessage", "DeleteEventDestination", "ListTagsForResource"} <= called
    # Then each has a row in the one quota table
    assert sorted(called - set(quotas.RATES)) == []


def test_an_action_the_quotas_page_does_not_list_gets_its_most_restrictive_rate() -> None:
    assert quotas.quota_of("PutResourcePolicy") == ("PutResourcePolicy", 1.0)
    assert quotas.quota_of("ListTagsForResource") == ("ListTagsForResource", 10)
    assert quotas.quota_of("SendTextMessage", dry_run=True) == ("SendTextMessage:DryRun", 5.0)


def _paced_client(clock: VirtualClock) -> tuple[object, Stubber]:
    client = boto3.client("pinpoint-sms-voice-v2", region_name="us-east-1")
    pace(client, "111122223333", Pacer(now=clock.now, sleep=clock.sleep))
    return client, Stubber(client)


def test_calls_to_an_action_limited_to_one_a_second_are_a_second_apart() -> None:
    # Given a paced client and a simulated clock
    clock = VirtualClock()
    client, stub = _paced_client(clock)
    moments = []
    with stub:
        for _ in range(3):
            stub.add_response("get_resource_policy", {"ResourceArn": ARN, "Policy": "{}"})
            # When GetResourcePolicy (not a Describe* or Create* action) is called three times in a row
            client.get_resource_policy(ResourceArn=ARN)  # type: ignore[attr-defined]
            moments.append(clock.now())
    # Then each call waited its turn: one a second, as the quotas page allows
    assert moments == [0.0, 1.0, 2.0]


def test_each_action_is_spaced_by_its_own_rate() -> None:
    # Given a paced client and a simulated clock
    clock = VirtualClock()
    client, stub = _paced_client(clock)
    with stub:
        for _ in range(3):
            stub.add_response("list_tags_for_resource", {"ResourceArn": ARN, "Tags": []})
            client.list_tags_for_resource(ResourceArn=ARN)  # type: ignore[attr-defined]
        stub.add_response("delete_event_destination", {})
        # When ListTagsForResource (10 a second) is called three times, then DeleteEventDestination once
        client.delete_event_destination(ConfigurationSetName="otp", EventDestinationName="logs")  # type: ignore[attr-defined]
    # Then the tag reads took a tenth of a second each, and the deletion, a quota of its own, did not wait
    assert round(clock.now(), 6) == 0.2
