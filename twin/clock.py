"""A virtual clock: waits advance simulated time instead of wall time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

# Simulated time zero; fixed so that every run of the same seed prints the same timestamps.
EPOCH = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)


class VirtualClock:
    """Seconds since EPOCH. Thread-safe: the Step Functions interpreter runs Map iterations in threads."""

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError(f"cannot go back in time by {seconds} s")
        with self._lock:
            self._now += seconds

    def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, float(seconds)))

    def advance_to(self, moment: float) -> None:
        with self._lock:
            self._now = max(self._now, moment)

    def datetime(self, moment: float | None = None) -> datetime:
        return EPOCH + timedelta(seconds=self.now() if moment is None else moment)
