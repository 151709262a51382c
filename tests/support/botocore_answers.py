"""Answers a test hands botocore in place of AWS (a `before-send` handler returns them), so that botocore's own
retry loop runs on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def answer(request: Any, status: int, body: dict[str, Any]) -> AWSResponse:
    """An HTTP answer to `request` with a JSON body."""
    return AWSResponse(request.url, status, {"x-amzn-RequestId": "r"}, _Raw(json.dumps(body).encode()))
