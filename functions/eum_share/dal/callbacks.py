"""POSTing a signed completion callback to a ticket system."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from eum_share.errors import CallbackRefused

TIMEOUT_SECONDS = 10


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """The callback goes to the allow-listed URL only: a redirect could send the signed outcome, with its
    signature headers, to any host. urllib then raises HTTPError with the 3xx status."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """The receiver's status; a refusal (non-2xx, a redirect included) or no answer raises, so the delivery is
    retried."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers=headers | {"content-type": "application/json"}
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        redirect = f", a redirect to {error.headers.get('Location')!r} not followed" if 300 <= error.code < 400 else ""
        raise CallbackRefused(f"{url} answered {error.code}{redirect}") from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise CallbackRefused(f"{url} did not answer: {error}") from None
