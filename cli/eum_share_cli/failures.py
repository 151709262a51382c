"""What an operator reads when a command cannot do its job: one clear message and an exit code, never a traceback."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
)

ACCESS_DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException"}
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})


class CommandFailed(Exception):
    """The command stops here; `message` (one or more lines) says why and what to do."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


def explain_aws_error(error: Exception) -> str | None:
    """One line for an SDK failure an operator can fix (credentials, Region, permissions); None if not one."""
    if isinstance(error, NoCredentialsError):
        return (
            "no AWS credentials found: pass --profile, set AWS_PROFILE or run `aws configure` "
            "(no account? try `eum-share --offline start` or `eum-share demo`)"
        )
    if isinstance(error, NoRegionError):
        return "no AWS Region: pass --region, set AWS_DEFAULT_REGION, or give the profile a region"
    if isinstance(error, ProfileNotFound):
        return f"{error}: check --profile or AWS_PROFILE against ~/.aws/config"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach AWS: {error}"
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        message = error.response.get("Error", {}).get("Message", "")
        if code in ACCESS_DENIED:
            return f"access denied to {error.operation_name}: {message} (check the permissions of your AWS identity)"
        if code in EXPIRED:
            return f"AWS credentials expired ({code}): refresh them (for example `aws sso login`) and run again"
        return f"AWS answered {code} to {error.operation_name}: {message}"
    if isinstance(error, BotoCoreError):
        return f"AWS SDK error: {error}"
    return None
