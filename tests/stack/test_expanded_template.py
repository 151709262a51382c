"""template.yaml after the SAM transform, as CloudFormation creates it (tools/sam_expand.py): what SAM adds from
the functions' events is there, so a property SAM ignores shows as what it makes instead."""

from __future__ import annotations

from typing import Any

import pytest

from tests.stack.artifacts import TEMPLATE
from tools.sam_expand import expand


@pytest.fixture(scope="module")
def resources() -> dict[str, dict[str, Any]]:
    expanded: dict[str, dict[str, Any]] = expand(TEMPLATE)["Resources"]
    return expanded


def _of_type(resources: dict[str, dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {name: resource for name, resource in resources.items() if resource["Type"] == kind}


def _watched_queues(resources: dict[str, dict[str, Any]]) -> set[str]:
    """Queues an alarm of the stack watches and tells the alarm topic about."""
    watched = set()
    for alarm in _of_type(resources, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        if props.get("Namespace") == "AWS/SQS" and props.get("AlarmActions"):
            for dimension in props.get("Dimensions", []):
                if dimension["Name"] == "QueueName":
                    watched.add(dimension["Value"]["Fn::GetAtt"][0])
    return watched


def test_every_queue_the_stack_creates_is_watched_by_an_alarm(resources: dict[str, dict[str, Any]]) -> None:
    # Given the stack as CloudFormation creates it, the queues SAM adds for its event rules included
    queues = set(_of_type(resources, "AWS::SQS::Queue"))
    # When the queues its alarms watch are looked up
    watched = _watched_queues(resources)
    # Then no queue fills up unseen
    assert queues
    assert sorted(queues - watched) == []


def test_the_event_rules_put_what_they_cannot_deliver_in_the_watched_dead_letter_queue(
    resources: dict[str, dict[str, Any]],
) -> None:
    # Given the EventBridge rules of the stack's doors, as SAM expands them
    rules = _of_type(resources, "AWS::Events::Rule")
    # When each target's dead-letter queue is read
    dead_letters = {
        f"{rule}/{target['Id']}": target.get("DeadLetterConfig", {}).get("Arn", {}).get("Fn::GetAtt", [None])[0]
        for rule, resource in rules.items()
        for target in resource["Properties"]["Targets"]
    }
    # Then every target has one, and it is the door dead-letter queue the alarm watches
    assert dead_letters
    assert dead_letters == dict.fromkeys(dead_letters, "DoorDeadLetterQueue")
    assert "DoorDeadLetterQueue" in _watched_queues(resources)
