"""Pacing of every AWS call made in the owner's and the consumers' accounts: a rate per account and action that
backs off when AWS throttles and recovers when it answers (additive increase, multiplicative decrease, jitter).

End User Messaging publishes a rate per account for each action, most at 1 request a second, DryRun sends at 5
(`dal/quotas.py`, with its sources): each action starts at its published rate and never goes above it. RAM
publishes none: its actions are not spaced, but their throttles are counted and waited out the same way (a
full-jitter backoff, taken as the action's next turn). Only throttling that a slower rate makes rarer slows an
action down: AWS busy for everyone is waited out at the published rate (docs/aws-assumptions.md).

Every attempt is paced, botocore's retries included (the wait is taken when botocore creates each attempt's
request), and a wait is not idle: the thread's work meanwhile (`Pacer.meanwhile`) makes calls on other quotas in
it. A throttled attempt is tried again, at its lane's next turn, while that turn comes within the call's patience
(dal/throttling.py, `try_again`: one patience per call, counted from its first throttle, whichever handler waits);
only then does the throttle reach the caller (a polling state waits in its Wait state, a one-shot state is retried
by the ASL). botocore's own limits (its attempt count, its retry quota, which a long storm drains for the life of
the client) no longer decide when a throttled call gives up.

The rates and the throttles seen live in the ledger (DynamoDB), an item per account and action, so that they
survive the invocation: a new Lambda, or another child execution of the Distributed Map, starts at the rate the
last one left, not at full speed into a storm. So does the background the lanes have found (throttling that
slowing down does not lessen is AWS busy, whichever account calls): a lane made during a storm (the next state's
first call of an action, a consumer's first call) starts from it, instead of finding it out again by slowing down.
Writes are conditional on the version read (no update is lost between concurrent writers: on a conflict the lower
rate wins and the write is tried again) and few: an action's item is written when its rate has moved by half since
the last write (at most once a minute), or every five minutes while throttles are unsaved; an environment that ends
keeps the few throttles it had not written.
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from botocore.exceptions import ClientError

from eum_share.dal.quotas import quota_of
from eum_share.dal.throttling import full_jitter, try_again

SMS_SERVICE = "pinpoint-sms-voice-v2"
RAM_SERVICE = "ram"
PACED_SERVICES = frozenset({SMS_SERVICE, RAM_SERVICE})

INCREASE = 0.25  # share of the published rate given back after each call AWS answers
DECREASE = 0.75  # the rate is multiplied by this at each throttle
SLOWEST = 0.1  # share of the published rate below which an action is never slowed
# Slowing down is worth it only when the throttling is congestion, i.e. falls when the rate falls. The lane keeps
# its recent share of throttled attempts (each attempt weighs SHARE_WEIGHT). Once that share reaches TRIAL_FROM,
# the lane sends its next TRIAL attempts at half its rate: if they are throttled about as often as before
# (the share fell by less than HELPED, and by less than half), AWS is busy for everyone (other automation in the
# account, a Region under load), which sending slower does not cure, only prolongs. The rate then goes back to where
# it was, and later throttles slow it down only once their share, followed over more attempts (each weighs
# STEADY_WEIGHT), rises above that background again: under a storm of one in two, seven throttles in a row are
# chance, not congestion.
SHARE_WEIGHT = 0.1
STEADY_WEIGHT = 0.02
TRIAL_FROM = 0.3
TRIAL = 10
TRIAL_RATE = 0.5  # share of its rate a lane tries during a trial
HELPED = 0.25
BACKGROUND_EASES = 0.002  # per answered attempt, as a storm ends
# The background as the lanes last found it is kept in the ledger (a write at most this often) and given to the
# lanes made after it while it is this recent: a storm ends, and a lane made later finds its own.
BACKGROUND_SAVE_EVERY_SECONDS = 60.0
BACKGROUND_KEPT_SECONDS = 900.0
SAVE_EVERY_SECONDS = 60.0  # an action's item is written at most this often
SAVE_WHEN_MOVED = 0.5  # share of the saved rate by which the rate must have moved to be worth a write
COUNT_EVERY_SECONDS = 300.0  # unsaved throttles alone are written this often
# Actions without a published rate: a throttled attempt is tried again after an exponential backoff with full
# jitter, as botocore's standard mode does, capped lower so that patience buys more attempts.
BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_LONGEST_SECONDS = 8.0
SAVE_CONFLICT_TRIES = 3

_CONTEXT_KEY = "eum_share_pacing"
_OPERATION_KEY = "eum_share_pacing_operation"


@dataclass(frozen=True)
class Saved:
    """What the ledger holds for one account and action."""

    rate: float | None
    throttles: int
    version: int


@dataclass(frozen=True)
class Background:
    """The share of throttled attempts a lane found slowing down does not lessen, and when (epoch s)."""

    share: float
    at: float


class Store(Protocol):
    def load(self, account: str, action: str) -> Saved | None: ...

    def background(self) -> Background | None: ...

    def save_background(self, background: Background) -> None: ...

    def save(self, account: str, action: str, rate: float | None, new_throttles: int, version: int) -> bool:
        """Write the rate (and add the throttles) if the item is still at `version`; False when it is not."""
        ...

    def throttles(self, account: str) -> dict[str, int]: ...


@dataclass
class Lane:
    """One account's one action, as this execution environment paces it."""

    published: float | None  # requests a second AWS allows; None: unpublished, not spaced
    rate: float | None
    saved_rate: float | None
    version: int = 0
    next_at: float = 0.0
    unsaved_throttles: int = 0
    saved_at: float = 0.0
    share: float = 0.0  # recent share of throttled attempts
    steady: float = 0.0  # the same, over more attempts
    background: float = 0.0  # the share seen whatever the rate: not congestion
    trial: tuple[float, float] | None = None  # (share, rate) when the lane began a trial of slowing down
    trial_attempts: int = 0
    trial_throttles: int = 0

    def interval(self) -> float:
        return 1.0 / self.rate if self.rate else 0.0

    def answered(self) -> None:
        self._follow(throttled=False)
        if self.published and self.rate is not None and self.trial is None:
            self.rate = min(self.published, self.rate + INCREASE * self.published)

    def throttled(self, now: float, jitter: float) -> None:
        self.unsaved_throttles += 1
        self._follow(throttled=True)
        if not self.published or self.rate is None or self.trial is not None or not self._congested():
            return
        if self.share >= TRIAL_FROM:
            # Throttled often: try half the rate for a while, and see whether that throttles less.
            self.trial, self.trial_attempts, self.trial_throttles = (self.share, self.rate), 0, 0
            self.rate = max(SLOWEST * self.published, self.rate * TRIAL_RATE)
        else:
            self.rate = max(SLOWEST * self.published, self.rate * DECREASE)
        # Jittered, so that the callers slowed by the same storm do not come back in step.
        self.next_at = max(self.next_at, now + jitter * self.interval())

    def _congested(self) -> bool:
        """Whether a throttle is worth slowing down for: no background share known, or the share above it."""
        return not self.background or self.steady > self.background + HELPED

    def _follow(self, throttled: bool) -> None:
        """Follow the share of throttled attempts; at the end of a trial, judge whether the halved rate lowered it."""
        self.share += SHARE_WEIGHT * (float(throttled) - self.share)
        self.steady += STEADY_WEIGHT * (float(throttled) - self.steady)
        if not throttled and self.share < self.background:
            self.background = max(0.0, self.background - BACKGROUND_EASES)
        if self.trial is None:
            return
        self.trial_attempts += 1
        self.trial_throttles += throttled
        if self.trial_attempts < TRIAL:
            return
        share, rate = self.trial
        self.trial = None
        seen = self.trial_throttles / self.trial_attempts
        if seen > max(share - HELPED, share / 2) and self.rate is not None:
            # Slower, and throttled about as often: not congestion. Back to the rate before, and remember the share.
            self.background = max(self.share, seen)
            self.rate = max(self.rate, rate)

    def worth_saving(self, now: float) -> bool:
        if now - self.saved_at < SAVE_EVERY_SECONDS:
            return False
        moved = (
            self.rate is not None
            and self.saved_rate is not None
            and abs(self.rate - self.saved_rate) >= SAVE_WHEN_MOVED * self.saved_rate
        )
        return moved or (self.unsaved_throttles > 0 and now - self.saved_at >= COUNT_EVERY_SECONDS)


class Pacer:
    """The lanes of one execution environment, shared by its invocations and threads.

    `now`, `sleep`, `jitter` and `wall` default to time.monotonic, time.sleep, random.uniform(0.5, 1.5) and
    time.time, looked up at each call so that an offline Lambda runtime that simulates time is followed."""

    def __init__(
        self,
        store: Store | None = None,
        now: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        jitter: Callable[[], float] | None = None,
        wall: Callable[[], float] | None = None,
    ) -> None:
        self._store = store
        self._now = now
        self._sleep = sleep
        self._jitter = jitter
        self._wall = wall
        self._lock = threading.Lock()
        self._lanes: dict[tuple[str, str], Lane] = {}
        # The background as last found (by a lane here, or read from the ledger), and when this pacer wrote it.
        self._background_found: Background | None = None
        self._background_saved = float("-inf")
        self._thread = threading.local()

    def now(self) -> float:
        return self._now() if self._now else time.monotonic()

    def wait(self, account: str, action: str, published: float | None) -> None:
        """Wait for this attempt's turn under the action's rate in the account; the thread's work for meanwhile
        uses the wait first."""
        lane = self._lane(account, action, published)
        with self._lock:
            now = self.now()
            at = max(now, lane.next_at)
            lane.next_at = at + lane.interval()
        if at > now:
            self._fill(at)
            left = at - self.now()
            if left > 0:
                (self._sleep or time.sleep)(left)
            else:
                # The work done meanwhile ran past the turn: the next attempt is spaced from this one as it goes.
                with self._lock:
                    lane.next_at = max(lane.next_at, self.now() + lane.interval())

    def hold(self, account: str, action: str, seconds: float) -> None:
        """The action's next attempt in the account waits at least `seconds` from now."""
        lane = self._lane(account, action, None)
        with self._lock:
            lane.next_at = max(lane.next_at, self.now() + seconds)

    def turn(self, account: str, action: str, published: float | None) -> float:
        """When the action's next attempt in the account may go (now, or its lane's next slot)."""
        lane = self._lane(account, action, published)
        with self._lock:
            return max(self.now(), lane.next_at)

    @contextmanager
    def meanwhile(self, work: Callable[[float], bool]) -> Iterator[None]:
        """While the block runs on this thread, an attempt that must wait for its turn lets `work(until)` use the
        wait: work is called until the turn has come or it answers False (nothing it can do before `until`). The
        calls work makes wait their own turns, without more work in their waits. Blocks nest: the inner work is
        tried first."""
        before = getattr(self._thread, "work", None)
        # Work already given by an enclosing block is done after this block's, when this one has none.
        self._thread.work = work if before is None else (lambda until: work(until) or before(until))
        try:
            yield
        finally:
            self._thread.work = before

    def _fill(self, until: float) -> None:
        work = getattr(self._thread, "work", None)
        if work is None:
            return
        self._thread.work = None  # the work's own waits are not filled
        self._thread.filling = True
        try:
            while self.now() < until and work(until):
                pass
        finally:
            self._thread.work, self._thread.filling = work, False

    def _wall_now(self) -> float:
        """Epoch seconds: a background is dated so that other environments can tell how recent it is."""
        return self._wall() if self._wall else time.time()

    def filling(self) -> bool:
        """Whether this thread is doing work meanwhile: its throttled attempts are not tried again in the wait it
        fills (the work takes the call up again at a later turn)."""
        return bool(getattr(self._thread, "filling", False))

    def answered(self, account: str, action: str, published: float | None, throttled: bool) -> None:
        """How AWS answered an attempt: the rate backs off on a throttle and recovers on an answer."""
        lane = self._lane(account, action, published)
        with self._lock:
            now = self.now()
            before = lane.background
            if throttled:
                lane.throttled(now, self._jitter() if self._jitter else random.uniform(0.5, 1.5))
            else:
                lane.answered()
            due = self._store is not None and lane.worth_saving(now)
        if lane.background > before:
            self._found_background(lane.background)
        if due:
            self._save(account, action, lane)

    def rate(self, account: str, action: str, published: float | None) -> float | None:
        return self._lane(account, action, published).rate

    def throttles(self, account: str) -> dict[str, int]:
        """Throttles seen per action in the account: what the ledger holds and what this environment has not
        written yet."""
        seen = dict(self._store.throttles(account)) if self._store else {}
        with self._lock:
            for (lane_account, action), lane in self._lanes.items():
                if lane_account == account and lane.unsaved_throttles:
                    seen[action] = seen.get(action, 0) + lane.unsaved_throttles
        return seen

    def _lane(self, account: str, action: str, published: float | None) -> Lane:
        with self._lock:
            lane = self._lanes.get((account, action))
        if lane is not None:
            return lane
        saved = self._stored(account, action)
        rate = published
        if saved is not None and saved.rate is not None and published:
            rate = min(published, max(SLOWEST * published, saved.rate))
        made = Lane(published, rate, rate, saved.version if saved else 0, saved_at=self.now())
        if published:
            made.background = self._background()
        with self._lock:
            return self._lanes.setdefault((account, action), made)

    def _background(self) -> float:
        """The background for a lane made now: as last found (read from the ledger once), while recent; else 0."""
        with self._lock:
            known = self._background_found
        if known is None:
            read = self._stored_background() or Background(0.0, 0.0)
            with self._lock:
                known = self._background_found = self._background_found or read
        return known.share if self._wall_now() - known.at <= BACKGROUND_KEPT_SECONDS else 0.0

    def _stored_background(self) -> Background | None:
        """What the ledger holds; None when it cannot be read: the lane finds it out by itself."""
        try:
            return self._store.background() if self._store else None
        except ClientError:
            return None

    def _found_background(self, share: float) -> None:
        """A lane found a higher background: the lanes made after it start from it, here and, once written, in
        other environments."""
        found = Background(share, self._wall_now())
        with self._lock:
            self._background_found = found
            due = self._store is not None and found.at - self._background_saved >= BACKGROUND_SAVE_EVERY_SECONDS
            if due:
                self._background_saved = found.at
        if due:
            assert self._store is not None
            # Unwritten, the environment's lanes still have it; the others find it out by themselves.
            with contextlib.suppress(ClientError):
                self._store.save_background(found)

    def _stored(self, account: str, action: str) -> Saved | None:
        """What the ledger holds; None when it cannot be read: pacing is worth a wait, never a failed call."""
        try:
            return self._store.load(account, action) if self._store else None
        except ClientError:
            return None

    def _save(self, account: str, action: str, lane: Lane) -> None:
        assert self._store is not None
        for _ in range(SAVE_CONFLICT_TRIES):
            with self._lock:
                rate, throttles, version = lane.rate, lane.unsaved_throttles, lane.version
                lane.saved_at = self.now()
            try:
                written = self._store.save(account, action, rate, throttles, version)
            except ClientError:
                return  # the pacing goes on in memory; the ledger is written at the next change
            if written:
                with self._lock:
                    lane.version, lane.saved_rate = version + 1, rate
                    lane.unsaved_throttles -= throttles
                return
            # Another environment wrote first: its throttles are its own to count, and the lower rate wins.
            theirs = self._stored(account, action)
            with self._lock:
                lane.version = theirs.version if theirs else 0
                if theirs is not None and theirs.rate is not None and lane.rate is not None:
                    lane.rate = min(lane.rate, theirs.rate)


class LedgerStore:
    """The pacing items of the ledger table: pk PACING#<account>, sk ACTION#<action>; and the background, pk
    PACING#REGION (the table's), sk BACKGROUND."""

    def __init__(self, table: str, dynamodb: Callable[[], Any]) -> None:
        self.table = table
        self._dynamodb = dynamodb

    @staticmethod
    def _key(account: str, action: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": f"PACING#{account}"}, "sk": {"S": f"ACTION#{action}"}}

    def load(self, account: str, action: str) -> Saved | None:
        item = self._dynamodb().get_item(TableName=self.table, Key=self._key(account, action)).get("Item")
        if item is None:
            return None
        return Saved(
            float(item["rate"]["N"]) if "rate" in item else None,
            int(item.get("throttles", {}).get("N", "0")),
            int(item["version"]["N"]),
        )

    _BACKGROUND_KEY: ClassVar[dict[str, dict[str, str]]] = {"pk": {"S": "PACING#REGION"}, "sk": {"S": "BACKGROUND"}}

    def background(self) -> Background | None:
        item = self._dynamodb().get_item(TableName=self.table, Key=self._BACKGROUND_KEY).get("Item")
        if item is None:
            return None
        return Background(float(item["share"]["N"]), float(item["at"]["N"]))

    def save_background(self, background: Background) -> None:
        """Written whatever was there: the latest finding is the one to start from."""
        self._dynamodb().update_item(
            TableName=self.table,
            Key=self._BACKGROUND_KEY,
            UpdateExpression="SET #share = :share, #at = :at",
            ExpressionAttributeNames={"#share": "share", "#at": "at"},  # both are DynamoDB reserved words
            ExpressionAttributeValues={
                ":share": {"N": f"{background.share:.6g}"},
                ":at": {"N": f"{background.at:.3f}"},
            },
        )

    def save(self, account: str, action: str, rate: float | None, new_throttles: int, version: int) -> bool:
        values: dict[str, Any] = {
            ":seen": {"N": str(version)},
            ":next": {"N": str(version + 1)},
            ":throttles": {"N": str(new_throttles)},
        }
        update = "SET version = :next"
        if rate is not None:
            update += ", rate = :rate"
            values[":rate"] = {"N": f"{rate:.6g}"}
        try:
            self._dynamodb().update_item(
                TableName=self.table,
                Key=self._key(account, action),
                UpdateExpression=f"{update} ADD throttles :throttles",
                ConditionExpression="attribute_not_exists(version) OR version = :seen",
                ExpressionAttributeValues=values,
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def throttles(self, account: str) -> dict[str, int]:
        pages = (
            self._dynamodb()
            .get_paginator("query")
            .paginate(
                TableName=self.table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"PACING#{account}"}},
            )
        )
        seen = {}
        for page in pages:
            for item in page["Items"]:
                count = int(item.get("throttles", {}).get("N", "0"))
                if count:
                    seen[item["sk"]["S"].removeprefix("ACTION#")] = count
        return seen


def _ledger_store() -> Store | None:
    """The ledger the functions are given (LEDGER_TABLE_NAME); without one (a tool run outside Lambda) the pacing
    lives in memory only."""
    table = os.environ.get("LEDGER_TABLE_NAME")
    if not table:
        return None
    from eum_share.dal.clients import client

    return LedgerStore(table, lambda: client("dynamodb"))


class _Default:
    """The environment's pacer, made at first use, once the environment's variables are known."""

    _pacer: Pacer | None = None
    _lock = threading.Lock()

    @classmethod
    def get(cls) -> Pacer:
        with cls._lock:
            if cls._pacer is None:
                cls._pacer = Pacer(_ledger_store())
            return cls._pacer


def default_pacer() -> Pacer:
    return _Default.get()


def _action(service: str, operation: str, params: dict[str, Any]) -> tuple[str, float | None]:
    """The action's lane and its published rate: End User Messaging by its quota table, others unpublished."""
    if service == SMS_SERVICE:
        return quota_of(operation, params.get("DryRun") is True)
    return f"{service}:{operation}", None


def _throttled(response: Any, caught: Exception | None) -> bool:
    from eum_share.dal.throttling import THROTTLING_CODES

    if caught is not None or response is None:
        return False
    return response[1].get("Error", {}).get("Code") in THROTTLING_CODES


class _Hooks:
    """botocore handlers: note the call's action, wait before each attempt, learn from each answer."""

    def __init__(self, pacer: Callable[[], Pacer], account: str, service: str) -> None:
        self.pacer, self.account, self.service = pacer, account, service

    def note(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        context[_CONTEXT_KEY] = _action(self.service, model.name, params)
        context[_OPERATION_KEY] = model.name

    def wait_turn(self, request: Any, **_: Any) -> None:
        context = getattr(request, "context", {})
        noted = context.get(_CONTEXT_KEY)
        if noted is not None:
            pacer = self.pacer()
            pacer.wait(self.account, *noted)

    def learn(
        self, response: Any, caught_exception: Exception | None, attempts: int, request_dict: dict[str, Any], **_: Any
    ) -> float | None:
        context = request_dict.get("context", {})
        noted = context.get(_CONTEXT_KEY)
        if noted is None or caught_exception is not None:
            return None
        action, published = noted
        pacer = self.pacer()
        throttled = _throttled(response, caught_exception)
        pacer.answered(self.account, action, published, throttled)
        if not throttled:
            return None  # botocore decides, as for any other answer
        operation = context.get(_OPERATION_KEY, action)
        if pacer.filling():
            # Work meanwhile does not wait in the wait it fills: the throttle reaches it at once.
            raise ClientError(response[1], operation)
        if not published:
            # The backoff is the lane's next turn, so that work meanwhile can use it like any other wait.
            pacer.hold(self.account, action, full_jitter(attempts, BACKOFF_FIRST_SECONDS, BACKOFF_LONGEST_SECONDS))
        if not try_again(context, operation, pacer.now(), pacer.turn(self.account, action, published)):
            return None  # its next turn comes after its patience: the throttle reaches the caller
        return 0.0  # the next attempt waits its turn


def sms_turn(account: str, operation: str, dry_run: bool = False) -> float:
    """When an End User Messaging action's next attempt in the account may go, under this environment's pacing."""
    return default_pacer().turn(account, *quota_of(operation, dry_run))


def meanwhile(work: Callable[[float], bool]) -> Any:
    """This environment's pacer's `Pacer.meanwhile`."""
    return default_pacer().meanwhile(work)


def pace(client: Any, account: str, pacer: Pacer | None = None) -> Any:
    """The client, every attempt of its calls paced per account and action, throttles waited out."""
    service = client.meta.service_model.service_id.hyphenize()
    hooks = _Hooks((lambda: pacer) if pacer else default_pacer, account, service)
    events = client.meta.events
    events.register(f"before-parameter-build.{service}", hooks.note)
    events.register(f"request-created.{service}", hooks.wait_turn)
    # First, so that its answer decides for a throttle before botocore's attempt count and retry quota do.
    events.register_first(f"needs-retry.{service}", hooks.learn)
    return client


def throttles_seen(accounts: list[str]) -> dict[str, int]:
    """Throttles AWS answered per action in these accounts, most first, as the ledger's pacing items count them."""
    seen: dict[str, int] = {}
    for account in dict.fromkeys(accounts):
        for action, count in default_pacer().throttles(account).items():
            seen[action] = seen.get(action, 0) + count
    return dict(sorted(seen.items(), key=lambda item: (-item[1], item[0])))


def describe_throttles(seen: dict[str, int]) -> str:
    """'AWS throttled 12 calls (DescribePhoneNumbers 8, ram:AssociateResourceShare 4)', or that it throttled none."""
    if not seen:
        return "AWS throttled none of its calls"
    listed = ", ".join(f"{action} {count}" for action, count in seen.items())
    return f"AWS throttled {sum(seen.values())} calls ({listed})"
