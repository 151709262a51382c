"""Calls in the owner's and the consumers' accounts, recorded as AWS answered them, so that a state stopped half way
by a storm (AWS still busy when a call gives up) goes on, on its next invocation, from where it stopped: the calls
it made already are answered from the record, in order, without reaching AWS; the first one past the record is made.

A state's code makes the same calls in the same order when it is given the same answers, so the record replays it
to the point it reached. Should the code ask for another call than the record holds next (something it read
outside these clients changed), the rest of the record is dropped and every call from there on reaches AWS: what
the dropped calls changed, AWS shows, and the code meets it as on any re-run. Throttled answers are never recorded.

Only the clients in the owner's and consumers' accounts are recorded (dal/accounts.py); the orchestrator's own
ledger and artifacts are read afresh.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders

from eum_share.dal.throttling import THROTTLING_CODES

_REPLAYED = "eum_share_replayed"
_DATETIME = "$datetime"


class Journal:
    """The calls a state made, in order: `call` ("ACCOUNT:service:Operation"), the HTTP status and the answer."""

    def __init__(self, recorded: list[dict[str, Any]] | None = None) -> None:
        self.recorded = list(recorded or [])
        self.position = 0
        self.fresh = 0  # calls recorded by this invocation
        self.stopped = False

    def replay(self, call: str) -> dict[str, Any] | None:
        """The recorded answer to this call, when it is the next one the record holds."""
        if self.stopped:
            return None
        if self.position < len(self.recorded) and self.recorded[self.position]["call"] == call:
            self.position += 1
            return self.recorded[self.position - 1]
        del self.recorded[self.position :]  # the code went another way: the rest is not this run's
        return None

    def record(self, call: str, status: int, answer: dict[str, Any]) -> None:
        del self.recorded[self.position :]
        try:
            kept = _copy(answer)
        except TypeError:  # an answer JSON cannot hold: what follows it could not be replayed
            self.stopped = True
            return
        self.recorded.append({"call": call, "status": status, "answer": kept})
        self.position += 1
        self.fresh += 1

    def dumps(self) -> str:
        return json.dumps(self.recorded, default=_encode)

    @classmethod
    def loads(cls, text: str) -> Journal:
        return cls(json.loads(text, object_hook=_decode))


class _Active(threading.local):
    journal: Journal | None = None


_active = _Active()


@contextmanager
def replaying(journal: Journal) -> Iterator[Journal]:
    """The journaled clients' calls on this thread go through `journal` while inside."""
    earlier, _active.journal = _active.journal, journal
    try:
        yield journal
    finally:
        _active.journal = earlier


def journaled(client: Any, account: str) -> Any:
    """The client, its calls replayed from and recorded in the thread's journal whenever one is active."""
    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"before-call.{service}", partial(_replay, account, service))
    client.meta.events.register(f"after-call.{service}", partial(_record, account, service))
    return client


def _replay(account: str, service: str, model: Any, context: dict[str, Any], **_: Any) -> Any:
    journal = _active.journal
    if journal is None:
        return None
    entry = journal.replay(f"{account}:{service}:{model.name}")
    if entry is None:
        return None
    context[_REPLAYED] = True
    return AWSResponse("", entry["status"], HTTPHeaders(), None), _copy(entry["answer"])


def _record(
    account: str,
    service: str,
    http_response: Any,
    parsed: dict[str, Any],
    model: Any,
    context: dict[str, Any],
    **_: Any,
) -> None:
    journal = _active.journal
    if journal is None or journal.stopped or context.get(_REPLAYED):
        return
    if parsed.get("Error", {}).get("Code") in THROTTLING_CODES:
        return
    answer = {key: value for key, value in parsed.items() if key != "ResponseMetadata"}
    journal.record(f"{account}:{service}:{model.name}", http_response.status_code, answer)


def _copy(answer: dict[str, Any]) -> dict[str, Any]:
    """The answer as the record keeps it: through JSON, so that a replayed answer is the one first given."""
    return json.loads(json.dumps(answer, default=_encode), object_hook=_decode)  # type: ignore[no-any-return]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    raise TypeError(f"{type(value).__name__} is not JSON")


def _decode(value: dict[str, Any]) -> Any:
    return datetime.fromisoformat(value[_DATETIME]) if set(value) == {_DATETIME} else value
