"""The workflow's own events on the project's EventBridge bus, for other teams to subscribe to."""

from __future__ import annotations

import json
from typing import Any

from eum_share.dal.clients import client


class EventNotDelivered(Exception):
    """EventBridge refused the event (FailedEntryCount > 0)."""


def publish(bus: str, source: str, detail_type: str, detail: dict[str, Any]) -> None:
    response = client("events").put_events(
        Entries=[{"EventBusName": bus, "Source": source, "DetailType": detail_type, "Detail": json.dumps(detail)}]
    )
    if response.get("FailedEntryCount", 0):
        entry = response["Entries"][0]
        raise EventNotDelivered(f"{detail_type}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
