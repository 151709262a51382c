"""Handlers of the test templates: they keep what they received, so a test can see what a deployment delivers."""

from __future__ import annotations

from typing import Any

RECEIVED: list[dict[str, Any]] = []


def record(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECEIVED.append(event)
    return {"recorded": len(RECEIVED)}


class AlwaysFails(Exception):
    pass


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    RECEIVED.append(event)
    raise AlwaysFails("this function always fails")
