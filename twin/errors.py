"""Errors the offline AWS answers with: the real error codes, statuses and fields of each service."""

from __future__ import annotations

from typing import Any


class TwinError(Exception):
    """An AWS error response: botocore raises it in the caller as ClientError with this code."""

    def __init__(self, code: str, message: str, status: int = 400, **fields: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.fields = fields


def throttling(service: str, operation: str) -> TwinError:
    status = 429 if service == "ram" else 400
    return TwinError("ThrottlingException", f"Rate exceeded for {operation}", status)
