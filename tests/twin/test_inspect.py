"""The state dump shows what a person debugging a migration needs: policies, shares and consumers' views."""

from __future__ import annotations

import json
from typing import Any

import pytest

from twin.inspect import state_dump
from twin.offline import OfflineAWS

OWNER, CONSUMER = "111111111111", "222222222222"


@pytest.fixture
def shared(aws: OfflineAWS) -> dict[str, Any]:
    # Given a number shared with an external consumer that accepted, and one number kept private
    number = aws.sms.add_phone_number(OWNER, aws.region)
    aws.sms.add_phone_number(OWNER, aws.region)
    ram = aws.client("ram", account=OWNER)
    ram.create_resource_share(name="otp", principals=[CONSUMER], resourceArns=[number])
    consumer_ram = aws.client("ram", account=CONSUMER)
    [invitation] = consumer_ram.get_resource_share_invitations()["resourceShareInvitations"]
    consumer_ram.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    aws.world.settle()
    return {"number": number, "dump": state_dump(aws)}


def test_the_consumer_view_lists_exactly_what_is_shared_with_it(shared: dict[str, Any]) -> None:
    assert shared["dump"]["accounts"][CONSUMER]["us-east-1"]["sharedVisible"] == [shared["number"]]


def test_the_owner_identities_carry_their_policies(shared: dict[str, Any]) -> None:
    numbers = shared["dump"]["accounts"][OWNER]["us-east-1"]["sms"]["phone_numbers"]
    policies = {n["PhoneNumberArn"]: n["Policy"] for n in numbers}
    assert CONSUMER in json.dumps(policies[shared["number"]])
    assert sum(policy is None for policy in policies.values()) == 1


def test_the_share_shows_its_associations(shared: dict[str, Any]) -> None:
    [share] = shared["dump"]["accounts"][OWNER]["us-east-1"]["ram"]["shares"]
    assert [(p["entity"], p["status"]) for p in share["principals"]] == [(CONSUMER, "ASSOCIATED")]
    assert [(r["entity"], r["status"]) for r in share["resources"]] == [(shared["number"], "ASSOCIATED")]


def test_the_dump_is_json(shared: dict[str, Any]) -> None:
    assert json.loads(json.dumps(shared["dump"])) == shared["dump"]
