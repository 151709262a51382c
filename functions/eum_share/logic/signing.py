"""HMAC-SHA256 signatures of the signed doors (ticket webhook, status, approval) and of completion callbacks.

The signed message is the timestamp, a dot, and the raw body: `f"{timestamp}.{body}"`. A GET has no body; its
path takes the body's place, so a signature for one migration's status cannot read another's.

Each job has its own key (dal/secrets.py): a key that signs callbacks, which every receiver can check, or tickets,
which a ticket system holds, never opens the approval gate.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

TIMESTAMP_HEADER = "x-eum-share-timestamp"
SIGNATURE_HEADER = "x-eum-share-signature"
SCHEME = "sha256="
# A delivery older (or further in the future) than this is refused as a replay.
MAX_AGE_SECONDS = 300


class BadSignature(Exception):
    """Why a signature does not verify, in words safe to show the sender (never the expected value)."""


def sign(secret: bytes, timestamp: str, message: bytes) -> str:
    return SCHEME + hmac.new(secret, timestamp.encode() + b"." + message, hashlib.sha256).hexdigest()


def verify(secrets: Sequence[bytes], headers: dict[str, str], message: bytes, now: float) -> None:
    """Raise BadSignature unless the headers carry a fresh timestamp and the signature of it and `message` with one
    of `secrets` (a key being rotated has two values)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    timestamp, signature = lowered.get(TIMESTAMP_HEADER), lowered.get(SIGNATURE_HEADER)
    if not timestamp:
        raise BadSignature(f"header {TIMESTAMP_HEADER} is missing")
    if not signature:
        raise BadSignature(f"header {SIGNATURE_HEADER} is missing")
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        raise BadSignature(f"header {TIMESTAMP_HEADER} must be Unix time in whole seconds")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise BadSignature(f"header {TIMESTAMP_HEADER} is more than {MAX_AGE_SECONDS} s from now (a replay?)")
    # As bytes: compare_digest refuses str with non-ASCII characters, and a forged header may carry any.
    given = signature.strip().encode()
    if not any(hmac.compare_digest(sign(secret, timestamp, message).encode(), given) for secret in secrets):
        raise BadSignature(f"header {SIGNATURE_HEADER} does not match the timestamp and body")
