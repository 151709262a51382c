"""POSTing a signed completion callback to a ticket system."""

from __future__ import annotations

import urllib.error
import urllib.request

from eum_share.errors import CallbackRefused

TIMEOUT_SECONDS = 10


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """The receiver's status; a refusal (non-2xx) or no answer raises, so the delivery is retried."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers=headers | {"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        raise CallbackRefused(f"{url} answered {error.code}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise CallbackRefused(f"{url} did not answer: {error}") from None
