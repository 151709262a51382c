"""The resource-policy writes RAM makes for one owner account, and how they go wrong when there are too many.

AWS's sharing guide warns that when RAM is throttled during a large association it can remove a resource's
existing policy without writing the new one, while the association still reports ASSOCIATED. We model RAM
as able to run `policy_write_capacity` writes of one account at once: a write requested while more than
that are in flight (itself included) is throttled. A throttled write either empties the policy (with
probability `empty_policy_rate`) or waits its turn and then completes normally.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from twin.world import World


@dataclass(frozen=True)
class PolicyWrite:
    """Bring one resource's statements for one share up to date, then tell the association."""

    share_arn: str
    resource_arn: str
    on_done: Callable[[], None]


class PolicyWriter:
    """The policy writes in flight for one owner account in one Region.

    `sync` applies a write (it reads the share's state at that moment, so a write that waited still writes
    what is current); `empty` is the fault: the resource's whole policy removed.
    """

    def __init__(self, world: World, sync: Callable[[str, str], None], empty: Callable[[str], None]) -> None:
        self.world = world
        self._sync = sync
        self._empty = empty
        self.in_flight = 0
        self._running = 0
        self._waiting: deque[PolicyWrite] = deque()

    def request(self, write: PolicyWrite) -> None:
        faults = self.world.faults
        self.in_flight += 1
        if self.in_flight <= faults.config.policy_write_capacity:
            self._start(write)
        elif faults.empty_policy():
            self.world.schedule(faults.config.association_seconds, lambda: self._emptied(write))
        else:
            # Waiting keeps it in flight: every write requested meanwhile is throttled too, as in AWS.
            faults.count("policy-write-delayed")
            self._waiting.append(write)

    def _start(self, write: PolicyWrite) -> None:
        self._running += 1
        self.world.schedule(self.world.faults.config.association_seconds, lambda: self._written(write))

    def _written(self, write: PolicyWrite) -> None:
        self._running -= 1
        self.in_flight -= 1
        self._sync(write.share_arn, write.resource_arn)
        write.on_done()
        capacity = self.world.faults.config.policy_write_capacity
        while self._waiting and self._running < capacity:
            self._start(self._waiting.popleft())

    def _emptied(self, write: PolicyWrite) -> None:
        self.in_flight -= 1
        self._empty(write.resource_arn)
        write.on_done()
