"""Calls on different quotas taking their turns together: each End User Messaging quota is per account and action,
so while one call waits for its quota's next turn, the calls on other quotas whose turn comes first are made.
One thread does it all, in the order the turns come."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from eum_share.dal.pacing import meanwhile, sms_turn
from eum_share.dal.throttling import is_throttled


@dataclass(frozen=True)
class Call:
    account: str
    operation: str  # the End User Messaging action whose quota the call counts against
    make: Callable[[], None]
    dry_run: bool = False


class Turns:
    def __init__(self) -> None:
        self.calls: deque[Call] = deque()
        self.busy = False  # a call failed: the rest waits for finish(), where the failure reaches the caller

    def add(self, account: str, operation: str, make: Callable[[], None], dry_run: bool = False) -> None:
        self.calls.append(Call(account, operation, make, dry_run))

    def step(self, until: float) -> bool:
        """Make the first call whose quota has a turn before `until`; False when none has."""
        if self.busy:
            return False
        for position, call in enumerate(self.calls):
            if sms_turn(call.account, call.operation, call.dry_run) < until:
                del self.calls[position]
                try:
                    call.make()
                except ClientError as error:
                    self.calls.insert(position, call)
                    if not is_throttled(error):
                        self.busy = True  # left for finish(), where it reaches the caller
                        return False
                return True  # made, or throttled: taken up again at a later turn
        return False

    def finish(self) -> None:
        """Every call left, each in turn, the others made in its waits; what raises (AWS busy past the patience)
        reaches the caller."""
        with meanwhile(self.step):
            while self.calls:
                self.calls.popleft().make()
