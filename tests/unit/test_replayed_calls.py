"""A state stopped half way by a storm goes on from where it stopped: the calls it made in the owner's and the
consumers' accounts are answered from their record, in order, and only the first call past it reaches AWS."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from eum_share.dal.replay import Journal, journaled, replaying

from tests.support.botocore_answers import answer

ACCOUNT = "111122223333"


class Sms:
    """End User Messaging answering each call it is sent (the operations it was sent are kept), throttling the
    operations of `throttled`."""

    def __init__(self, throttled: frozenset[str] = frozenset()) -> None:
        self.sent: list[str] = []
        self.throttled = throttled

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        operation = request.headers["X-Amz-Target"].decode().split(".")[-1]
        self.sent.append(operation)
        if operation in self.throttled:
            return answer(request, 400, {"__type": "ThrottlingException", "message": "Rate exceeded"})
        if operation == "DescribeConfigurationSets":
            return answer(request, 200, {"ConfigurationSets": [{"ConfigurationSetName": "alerts"}]})
        return answer(request, 200, {"ConfigurationSetName": "billing"})


@pytest.fixture
def sms(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "a")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "b")
    client = boto3.session.Session().client(
        "pinpoint-sms-voice-v2", region_name="us-east-1", config=Config(retries={"max_attempts": 0})
    )
    return journaled(client, ACCOUNT)


def _configure(client: Any) -> list[str]:
    """A state's work: read what exists, then create what is missing."""
    names = [s["ConfigurationSetName"] for s in client.describe_configuration_sets()["ConfigurationSets"]]
    client.create_configuration_set(ConfigurationSetName="billing")
    client.set_default_message_type(ConfigurationSetName="billing", MessageType="TRANSACTIONAL")
    return names


def test_a_retried_state_makes_only_the_calls_past_where_the_storm_stopped_it(sms: Any) -> None:
    # Given a first invocation that read and created, then met AWS busy on its third call, its record kept as text
    first = Sms(throttled=frozenset({"SetDefaultMessageType"}))
    sms.meta.events.register("before-send.pinpoint-sms-voice-v2", first)
    journal = Journal()
    with pytest.raises(ClientError), replaying(journal):
        _configure(sms)
    sms.meta.events.unregister("before-send.pinpoint-sms-voice-v2", first)
    # When the next invocation runs the same work from the record, AWS calm
    calm = Sms()
    sms.meta.events.register("before-send.pinpoint-sms-voice-v2", calm)
    with replaying(Journal.loads(journal.dumps())):
        names = _configure(sms)
    # Then it reads what the first one read, and only the call the storm refused reaches AWS
    assert names == ["alerts"]
    assert calm.sent == ["SetDefaultMessageType"]


def test_a_state_that_goes_another_way_than_its_record_makes_every_call_from_there(sms: Any) -> None:
    # Given a record of a read and a create
    journal = Journal()
    first = Sms()
    sms.meta.events.register("before-send.pinpoint-sms-voice-v2", first)
    with replaying(journal):
        sms.describe_configuration_sets()
        sms.create_configuration_set(ConfigurationSetName="billing")
    sms.meta.events.unregister("before-send.pinpoint-sms-voice-v2", first)
    # When the next invocation reads, then asks for another call than the record holds, then the recorded one
    calm = Sms()
    sms.meta.events.register("before-send.pinpoint-sms-voice-v2", calm)
    with replaying(Journal.loads(journal.dumps())):
        sms.describe_configuration_sets()
        sms.set_default_message_type(ConfigurationSetName="billing", MessageType="TRANSACTIONAL")
        sms.create_configuration_set(ConfigurationSetName="billing")
    # Then the calls from where it went another way reach AWS
    assert calm.sent == ["SetDefaultMessageType", "CreateConfigurationSet"]


def test_outside_a_replay_every_call_reaches_aws(sms: Any) -> None:
    aws = Sms()
    sms.meta.events.register("before-send.pinpoint-sms-voice-v2", aws)
    _configure(sms)
    _configure(sms)
    assert aws.sent == ["DescribeConfigurationSets", "CreateConfigurationSet", "SetDefaultMessageType"] * 2
