"""Statements an owner's resource policies may carry before (or gain after) a migration, put on the offline AWS."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from twin.offline import OfflineAWS

# A statement an owner may already have on a number: a service allowed to send with it, as AWS's guide shows.
EXISTING = {
    "Sid": "LetPinpointSend",
    "Effect": "Allow",
    "Principal": {"Service": "pinpoint.amazonaws.com"},
    "Action": ["sms-voice:SendTextMessage"],
}
# A statement the owner adds after the migration: a rollback or restore must leave it be.
LATER = {
    "Sid": "AddedAfterTheMigration",
    "Effect": "Allow",
    "Principal": {"Service": "sms-voice.amazonaws.com"},
    "Action": ["sms-voice:SendTextMessage"],
}


def policy_document(arn: str, *statements: dict[str, Any]) -> str:
    """A policy of these statements, each on `arn`."""
    return json.dumps({"Version": "2012-10-17", "Statement": [s | {"Resource": arn} for s in statements]})


def put_existing_statements(aws: OfflineAWS, owner: str, arns: Iterable[str]) -> None:
    """Give each identity a policy of its own: the EXISTING statement alone."""
    sms = aws.client("pinpoint-sms-voice-v2", account=owner)
    for arn in arns:
        sms.put_resource_policy(ResourceArn=arn, Policy=policy_document(arn, EXISTING))
