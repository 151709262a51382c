"""The signing keys and their rotation: the previous value of a key still verifies for a day after a rotation
(Secrets Manager keeps it under the label AWSPREVIOUS), and no longer after that; signatures verify with any of
the values given, and with nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from eum_share.dal import secrets
from eum_share.logic import signing

NAME = "arn:aws:secretsmanager:us-east-1:123456789012:secret:eum-share-WebhookSecret-AbCdEf"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _version(value: str, created: datetime, stage: str) -> dict[str, Any]:
    return {
        "ARN": NAME,
        "Name": "eum-share-WebhookSecret",
        "VersionId": "v" * 32,
        "SecretString": value,
        "VersionStages": [stage],
        "CreatedDate": created,
    }


@pytest.fixture
def secretsmanager(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    client = boto3.client("secretsmanager", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    monkeypatch.setattr(secrets, "client", lambda service: client)
    monkeypatch.setattr(secrets, "utcnow", lambda: NOW)
    monkeypatch.setattr(secrets, "_cache", {})
    stubber.activate()
    return stubber


def test_within_a_day_of_a_rotation_the_previous_value_verifies_too(secretsmanager: Stubber) -> None:
    # Given a key rotated an hour ago
    current = {"SecretId": NAME, "VersionStage": "AWSCURRENT"}
    previous = {"SecretId": NAME, "VersionStage": "AWSPREVIOUS"}
    secretsmanager.add_response("get_secret_value", _version("new", NOW - timedelta(hours=1), "AWSCURRENT"), current)
    secretsmanager.add_response("get_secret_value", _version("old", NOW - timedelta(days=90), "AWSPREVIOUS"), previous)
    # When the values a signature may verify with are read
    # Then they are the new one first (the one to sign with) and the old one
    assert secrets.verifying_secrets(NAME) == [b"new", b"old"]


def test_a_day_after_a_rotation_only_the_current_value_verifies(secretsmanager: Stubber) -> None:
    # Given a key rotated 25 hours ago
    current = {"SecretId": NAME, "VersionStage": "AWSCURRENT"}
    secretsmanager.add_response("get_secret_value", _version("new", NOW - timedelta(hours=25), "AWSCURRENT"), current)
    # When the values are read
    # Then the previous one is not even asked for
    assert secrets.verifying_secrets(NAME) == [b"new"]
    secretsmanager.assert_no_pending_responses()


def test_a_key_never_rotated_verifies_with_its_only_value(secretsmanager: Stubber) -> None:
    # Given a key created an hour ago, which has no AWSPREVIOUS version ("ResourceNotFoundException: Secrets
    # Manager can't find the resource that you asked for")
    current = {"SecretId": NAME, "VersionStage": "AWSCURRENT"}
    secretsmanager.add_response("get_secret_value", _version("only", NOW - timedelta(hours=1), "AWSCURRENT"), current)
    secretsmanager.add_client_error("get_secret_value", "ResourceNotFoundException", http_status_code=400)
    # Then its one value is what verifies
    assert secrets.verifying_secrets(NAME) == [b"only"]


def test_a_signature_verifies_with_any_value_given_and_no_other() -> None:
    message, timestamp = b'{"ticketId": "MIG-1"}', "1767603600"
    headers = {signing.TIMESTAMP_HEADER: timestamp, signing.SIGNATURE_HEADER: signing.sign(b"old", timestamp, message)}
    signing.verify([b"new", b"old"], headers, message, 1767603600.0)
    with pytest.raises(signing.BadSignature):
        signing.verify([b"new"], headers, message, 1767603600.0)
