"""The virtual clock only moves forward, and moto's interpreter waits on it."""

from __future__ import annotations

import pytest

from twin.clock import EPOCH, VirtualClock


def test_sleeping_advances_simulated_time() -> None:
    clock = VirtualClock()
    clock.sleep(90)
    assert clock.now() == 90
    assert clock.datetime() == EPOCH.replace(minute=EPOCH.minute + 1, second=30)


def test_the_clock_never_goes_back() -> None:
    clock = VirtualClock(100)
    clock.advance_to(50)
    assert clock.now() == 100
    with pytest.raises(ValueError, match="back in time"):
        clock.advance(-1)
