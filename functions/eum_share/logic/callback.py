"""The completion callback: when a migration ends, its ticket hears how, signed with the callbacks' own key (it opens
no door)."""

from __future__ import annotations

import json
import time
from typing import Any

from eum_share.dal import callbacks
from eum_share.dal.secrets import signing_secret
from eum_share.errors import CallbackRefused
from eum_share.logic import signing
from eum_share.logic.context import load
from eum_share.models.identifiers import origin
from eum_share.settings import DoorSettings


def notify(settings: DoorSettings, detail_type: str, detail: dict[str, Any]) -> str | None:
    """POST the outcome to the request's callbackUrl, if it has one; the URL it went to, or None.

    The allow-list is checked again here: it may have been narrowed since the migration started."""
    migration = load(settings, str(detail["migrationId"]))
    url = migration.request.callback_url
    if url is None:
        return None
    if origin(url) not in settings.callback_origins:
        raise CallbackRefused(f"{origin(url)} is no longer on the callback allow-list; not called")
    record = migration.ledger.migration(migration.id) or migration.record
    body = json.dumps(
        {
            "migrationId": migration.id,
            "event": detail_type,
            "status": record.status.value,
            "detail": detail,
            "statusPath": f"/migrations/{migration.id}",
        },
        sort_keys=True,
    ).encode()
    timestamp = str(int(time.time()))
    secret = signing_secret(settings.callback_secret_name)
    headers = {signing.TIMESTAMP_HEADER: timestamp, signing.SIGNATURE_HEADER: signing.sign(secret, timestamp, body)}
    callbacks.post(url, body, headers)
    return url
