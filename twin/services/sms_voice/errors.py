"""The error responses End User Messaging SMS answers with, with the members its model gives them."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from twin.errors import TwinError

if TYPE_CHECKING:
    from twin.faults import Faults

T = TypeVar("T")

# MaxResults is optional on every Describe/List call and the model gives no default; AWS returns at most
# 100 items per page (the model's maximum), so a call without MaxResults gets pages of that size.
DEFAULT_PAGE_SIZE = 100


def not_found(resource_type: str, resource_id: str) -> TwinError:
    return TwinError(
        "ResourceNotFoundException",
        f"The {resource_type} {resource_id} was not found.",
        ResourceType=resource_type,
        ResourceId=resource_id,
    )


def conflict(reason: str, resource_type: str, resource_id: str, message: str) -> TwinError:
    return TwinError("ConflictException", message, Reason=reason, ResourceType=resource_type, ResourceId=resource_id)


def invalid(reason: str, message: str, fields: Sequence[tuple[str, str]] = ()) -> TwinError:
    extra: dict[str, Any] = {"Reason": reason}
    if fields:
        extra["Fields"] = [{"Name": name, "Message": text} for name, text in fields]
    return TwinError("ValidationException", message, **extra)


def field_validation(problems: Sequence[tuple[str, str]]) -> TwinError:
    described = "; ".join(f"{name} {problem}" for name, problem in problems)
    return invalid("FIELD_VALIDATION_FAILED", f"Invalid parameters: {described}", problems)


def access_denied(message: str) -> TwinError:
    return TwinError("AccessDeniedException", message)


def quota_exceeded(reason: str, message: str) -> TwinError:
    return TwinError("ServiceQuotaExceededException", message, Reason=reason)


def page(items: Sequence[T], params: dict[str, Any], faults: Faults) -> tuple[list[T], dict[str, str]]:
    """One page of `items` by MaxResults/NextToken, and the NextToken member when more remain."""
    start = 0
    token = params.get("NextToken")
    if token is not None:
        try:
            start = int(base64.urlsafe_b64decode(token.encode()).decode())
        except (ValueError, binascii.Error):
            raise invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid.") from None
        if not 0 <= start <= len(items):
            raise invalid("INVALID_NEXT_TOKEN", "The NextToken is not valid.")
    end = start + faults.page_size(int(params.get("MaxResults") or DEFAULT_PAGE_SIZE), len(items) - start)
    more = {"NextToken": base64.urlsafe_b64encode(str(end).encode()).decode()} if end < len(items) else {}
    return list(items[start:end]), more
