"""Every error the state machine can see. The class name is the error name the ASL matches (Retry/Catch)."""

from __future__ import annotations


class EumShareError(Exception):
    """Base of the project's errors."""


class InvalidRequest(EumShareError):
    """The migration request does not validate; the message names every bad field. Nothing was changed."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


class ConfigurationError(EumShareError):
    """The function's environment is incomplete or malformed (a deployment problem, not a request problem)."""


class AwsThrottled(EumShareError):
    """An AWS API kept answering ThrottlingException; the state machine retries with backoff and jitter."""
