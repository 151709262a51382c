"""The workflow's own events on the project's EventBridge bus, for other teams to subscribe to."""

from __future__ import annotations

from eum_share.dal.clients import client
from eum_share.models.events import EventDetail


class EventNotDelivered(Exception):
    """EventBridge refused the event (FailedEntryCount > 0)."""


def publish(bus: str, source: str, detail: EventDetail) -> None:
    response = client("events").put_events(
        Entries=[
            {
                "EventBusName": bus,
                "Source": source,
                "DetailType": detail.DETAIL_TYPE,
                "Detail": detail.model_dump_json(by_alias=True),
            }
        ]
    )
    if response.get("FailedEntryCount", 0):
        entry = response["Entries"][0]
        raise EventNotDelivered(f"{detail.DETAIL_TYPE}: {entry.get('ErrorCode')} {entry.get('ErrorMessage')}")
