"""Opaque page tokens: where the next page starts, bound to the operation that issued the token."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from twin.errors import TwinError

if TYPE_CHECKING:
    from twin.faults import Faults

T = TypeVar("T")

DEFAULT_PAGE = 100


def _token(operation: str, offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"op": operation, "at": offset}).encode()).decode()


def _offset(operation: str, token: str | None) -> int:
    if token is None:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["op"] == operation and isinstance(decoded["at"], int) and decoded["at"] >= 0:
            return decoded["at"]
    except (binascii.Error, ValueError, KeyError, TypeError):
        pass
    raise TwinError("InvalidNextTokenException", "The specified value for NextToken is not valid.")


def page(
    operation: str, items: Sequence[T], token: str | None, max_results: int | None, faults: Faults
) -> tuple[list[T], str | None]:
    """One page of `items` and the token of the next, None on the last page."""
    start = _offset(operation, token)
    end = start + faults.page_size(max_results or DEFAULT_PAGE, len(items) - start)
    return list(items[start:end]), (_token(operation, end) if end < len(items) else None)
