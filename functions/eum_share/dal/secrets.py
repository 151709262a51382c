"""The signing secret, from Secrets Manager through Powertools Parameters (cached between invocations)."""

from __future__ import annotations

from aws_lambda_powertools.utilities import parameters

# Rotation reaches every warm function within this many seconds.
SECRET_MAX_AGE_SECONDS = 300


def signing_secret(name: str) -> bytes:
    value = parameters.get_secret(name, max_age=SECRET_MAX_AGE_SECONDS)
    return value.encode() if isinstance(value, str) else bytes(value)
