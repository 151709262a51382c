"""The signing keys, from Secrets Manager (cached between invocations).

Each key has one job (docs/webhook.md): intake and status, approvals, callbacks. A key being rotated verifies with
both its versions for a while: Secrets Manager labels the new value AWSCURRENT and the one it replaced AWSPREVIOUS,
and senders switch to the new value only after it exists.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from botocore.exceptions import ClientError

from eum_share.clock import utcnow
from eum_share.dal.clients import client

# Rotation reaches every warm function within this many seconds.
SECRET_MAX_AGE_SECONDS = 300
# How long after a rotation the previous value still verifies: time for every sender to take the new one.
ROTATION_WINDOW = timedelta(hours=24)

_lock = threading.Lock()
_cache: dict[str, tuple[float, list[bytes]]] = {}


def signing_secret(name: str) -> bytes:
    """The value to sign with: the current one."""
    return verifying_secrets(name)[0]


def verifying_secrets(name: str) -> list[bytes]:
    """The values a signature may verify with: the current one, and within ROTATION_WINDOW of a rotation the
    previous one."""
    with _lock:
        cached = _cache.get(name)
        if cached is not None and time.monotonic() - cached[0] < SECRET_MAX_AGE_SECONDS:
            return cached[1]
    values = _read(name)
    with _lock:
        _cache[name] = (time.monotonic(), values)
    return values


def _read(name: str) -> list[bytes]:
    secrets = client("secretsmanager")
    current = secrets.get_secret_value(SecretId=name, VersionStage="AWSCURRENT")
    values = [_value(current)]
    if utcnow() - current["CreatedDate"] < ROTATION_WINDOW:
        try:
            previous = secrets.get_secret_value(SecretId=name, VersionStage="AWSPREVIOUS")
        except ClientError as error:
            # A secret never rotated has no AWSPREVIOUS version.
            if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise
        else:
            values.append(_value(previous))
    return values


def _value(version: dict[str, object]) -> bytes:
    value = version.get("SecretString")
    if isinstance(value, str):
        return value.encode()
    binary = version.get("SecretBinary")
    return bytes(binary) if isinstance(binary, bytes | bytearray) else b""
