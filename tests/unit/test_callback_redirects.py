"""A completion callback goes to the allow-listed URL and nowhere else: a redirect is refused, not followed, and
the signature headers never reach the host it points at."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from eum_share.dal import callbacks
from eum_share.errors import CallbackRefused
from eum_share.logic.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

from tests.doors.conftest import CallbackReceiver


@pytest.fixture
def elsewhere() -> Iterator[CallbackReceiver]:
    """A host that is not the callback's: it records whatever reaches it."""
    with CallbackReceiver() as running:
        yield running


def _redirecting_to(location: str, status: int) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", 0)))
            self.send_response(status)
            self.send_header("Location", location)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_is_refused_and_the_signed_callback_never_reaches_its_target(
    elsewhere: CallbackReceiver, status: int
) -> None:
    # Given an allow-listed receiver that answers with a redirect to another host
    for url in _redirecting_to(f"{elsewhere.origin}/stolen", status):
        # When a signed callback is POSTed to it
        headers = {TIMESTAMP_HEADER: "1767603600", SIGNATURE_HEADER: "sha256=abc"}
        with pytest.raises(CallbackRefused) as refused:
            callbacks.post(url, b"{}", headers)
        # Then the delivery is refused (so retried, then dead-lettered), and the other host heard nothing
        assert f"answered {status}" in str(refused.value)
        assert "redirect" in str(refused.value)
        assert elsewhere.received == []
