"""The owner's listings as the inventory reads them, kept as they come: an inventory interrupted (AWS busy through a
storm longer than one invocation, the Lambda's time running out) goes on from what it read, on its next invocation,
instead of reading everything again."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from eum_share.dal import owner_inventory as owner_sms
from eum_share.dal.accounts import Clients
from eum_share.dal.pacing import meanwhile, sms_turn
from eum_share.dal.throttling import is_throttled


class InventoryPaused(Exception):
    """Not enough of the Lambda's time is left for another read: what was read is saved, the next call goes on."""


def _plain(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


# A listing read a page at a time (dal/owner_inventory.py).
Pager = Callable[[Clients], owner_sms.Pages]


def _items(items: list[dict[str, Any]]) -> Any:
    return items


@dataclass(frozen=True)
class Listing:
    """What is read (and kept under `name`): the items of every page, made into the answer by `answer`."""

    name: str
    pages: Pager
    answer: Callable[[list[dict[str, Any]]], Any] = _items


# A listing being read: its pages still to come, its items so far.
_Reading = tuple[Listing, owner_sms.Pages, list[dict[str, Any]]]


class OwnerReads:
    """Each listing read once per migration, by name ("pools", "pool-members/pool-1", "tags/ARN"). Every answer
    goes through JSON (timestamps as ISO 8601), whether read now or by an earlier invocation, so a resumed inventory
    is the same as one read in one go."""

    def __init__(
        self,
        owner: Clients,
        saved: dict[str, Any] | None = None,
        *,
        enough_time: Callable[[], bool] = lambda: True,
        save: Callable[[dict[str, Any]], None] = lambda answers: None,
        account: str | None = None,
    ) -> None:
        self._owner = owner
        self._account = account  # the owner's, whose quotas pace the clients; None: not paced
        self.answers: dict[str, Any] = dict(saved or {})
        self._enough_time = enough_time
        self._save = save
        self.fresh = 0  # listings read by this invocation

    def checkpoint(self) -> None:
        """Save what was read, for the next invocation (when this one stops before the end)."""
        if self.fresh:
            self._save(self.answers)

    def _read(self, name: str, reader: Callable[[Clients], Any]) -> Any:
        if name not in self.answers:
            if not self._enough_time():
                raise InventoryPaused(name)
            self._keep(name, reader(self._owner))
        return self.answers[name]

    def _keep(self, name: str, answer: Any) -> None:
        self.answers[name] = json.loads(json.dumps(answer, default=_plain))
        self.fresh += 1

    def _listing(self, listing: Listing) -> Any:
        return self._read(
            listing.name, lambda owner: listing.answer([i for page, _ in listing.pages(owner) for i in page])
        )

    def in_turns(self, lanes: list[list[Listing]]) -> None:
        """Read these listings (those not read yet) keeping each action's quota busy: a lane holds listings of one
        action, read one after another, and the lanes take turns a page at a time. Each action has its own quota,
        so together they take about as long as the longest lane, not as long as all of them. While a page waits for
        its turn (a throttled one too, until AWS answers it), the pages of other lanes whose turns come first are
        read in the wait."""
        turns = _Turns(self, lanes)
        with meanwhile(turns.step):
            while turns.left():
                for lane in range(len(lanes)):
                    turns.read(lane)

    def phone_numbers(self) -> list[dict[str, Any]]:
        return list(self._listing(_PHONE_NUMBERS))

    def sender_ids(self) -> list[dict[str, Any]]:
        return list(self._listing(_SENDER_IDS))

    def pools(self) -> list[dict[str, Any]]:
        return list(self._read("pools", owner_sms.pools))

    def opt_out_lists(self) -> list[dict[str, Any]]:
        return list(self._read("opt-out-lists", owner_sms.opt_out_lists))

    def pool_members(self, pool_id: str) -> list[dict[str, Any]]:
        return list(self._listing(_pool_members(pool_id)))

    def resource_tags(self, arn: str) -> dict[str, str]:
        return dict(self._read(f"tags/{arn}", lambda owner: owner_sms.resource_tags(owner, arn)))

    def configuration_sets(self) -> list[dict[str, Any]]:
        return list(self._read("configuration-sets", owner_sms.configuration_sets))

    def protect_configurations(self) -> list[dict[str, Any]]:
        return list(self._read("protect-configurations", owner_sms.protect_configurations))

    def country_rules(self, protect_configuration_id: str) -> Any:
        return self._listing(_country_rules(protect_configuration_id))

    def spend_limits(self) -> list[dict[str, Any]]:
        return list(self._listing(_SPEND_LIMITS))

    def registrations(self) -> list[dict[str, Any]]:
        return list(self._listing(_REGISTRATIONS))

    def account_attributes(self) -> dict[str, str]:
        return dict(self._listing(_ACCOUNT_ATTRIBUTES))

    def read_ahead(self, pool_ids: list[str], protect_configuration_ids: list[str]) -> None:
        """The pools' members (one ListPoolOriginationIdentities a pool, at 1 a second: 500 s at 500 pools) and the
        protect configurations' country rules (three calls each, at 1 a second) read in turns with the owner's other
        listings, each action at its own quota: those then take no time of their own."""
        self.in_turns(
            [
                [_PHONE_NUMBERS],
                [_SENDER_IDS],
                [_pool_members(pool_id) for pool_id in pool_ids],
                [_country_rules(protect_id) for protect_id in protect_configuration_ids],
                [_REGISTRATIONS],
                [_SPEND_LIMITS],
                [_ACCOUNT_ATTRIBUTES],
            ]
        )


class _Turns:
    """The lanes of `OwnerReads.in_turns`: what each has left, what each is reading, and the action whose quota its
    pages count against (a lane holds listings of one action)."""

    def __init__(self, reads: OwnerReads, lanes: list[list[Listing]]) -> None:
        self.reads = reads
        self.waiting = [deque(listing for listing in lane if listing.name not in reads.answers) for lane in lanes]
        self.reading: list[_Reading | None] = [None] * len(lanes)
        self.operations = [queue[0].pages(reads._owner).operation if queue else "" for queue in self.waiting]
        self.busy: set[int] = set()  # lanes whose page is being read: their waits are filled by the others
        self.stopped = False  # a page read in a wait failed: the loop reads it again and meets the failure itself

    def left(self) -> bool:
        return any(self.waiting) or any(self.reading)

    def read(self, lane: int) -> None:
        """One page of the lane's listing (of the next listing's when none is being read); a listing read to its end
        is kept."""
        self.busy.add(lane)
        try:
            self._next_page(lane)
        finally:
            self.busy.discard(lane)

    def _next_page(self, lane: int) -> None:
        current = self.reading[lane]
        if current is None:
            queue = self.waiting[lane]
            if not queue:
                return
            listing = queue[0]
            if not self.reads._enough_time():
                raise InventoryPaused(listing.name)
            queue.popleft()
            current = self.reading[lane] = (listing, listing.pages(self.reads._owner), [])
        listing, pages, items = current
        page, more = pages.read()
        items += page
        if not more:
            self.reading[lane] = None
            self.reads._keep(listing.name, listing.answer(items))

    def step(self, until: float) -> bool:
        """Read a page of the lane whose action has the first turn, if it comes before `until`; False when none does
        (or the clients are not paced). A page AWS throttles is read again later, from where its listing had got to."""
        account = self.reads._account
        if account is None or self.stopped:
            return False
        turns = [
            (sms_turn(account, self.operations[lane]), lane)
            for lane in range(len(self.waiting))
            if lane not in self.busy and (self.reading[lane] or self.waiting[lane])
        ]
        turn, lane = min(turns, default=(until, -1))
        if turn >= until:
            return False
        try:
            self.read(lane)
        except ClientError as error:
            if not is_throttled(error):
                self.stopped = True
                return False
        except InventoryPaused:
            return False  # the lane's next listing is left for the next invocation, as the loop leaves it
        return True


def _attributes(items: list[dict[str, Any]]) -> dict[str, str]:
    """Attribute name (ACCOUNT_TIER, DEFAULT_PROTECT_CONFIGURATION_ID) -> value."""
    return {str(item["Name"]): str(item["Value"]) for item in items}


def _rules(items: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Capability -> ISO country -> status, only where the status is not ALLOW (as protect.country_rules)."""
    return {item["capability"]: item["exceptions"] for item in items if item["exceptions"]}


_PHONE_NUMBERS = Listing("phone-numbers", owner_sms.phone_numbers)
_SENDER_IDS = Listing("sender-ids", owner_sms.sender_ids)
_REGISTRATIONS = Listing("registrations", owner_sms.registrations)
_SPEND_LIMITS = Listing("spend-limits", owner_sms.spend_limits)
_ACCOUNT_ATTRIBUTES = Listing("account-attributes", owner_sms.account_attributes, _attributes)


def _pool_members(pool_id: str) -> Listing:
    return Listing(f"pool-members/{pool_id}", lambda owner: owner_sms.pool_members(owner, pool_id))


def _country_rules(protect_configuration_id: str) -> Listing:
    return Listing(
        f"country-rules/{protect_configuration_id}",
        lambda owner: owner_sms.country_rules(owner, protect_configuration_id),
        _rules,
    )
