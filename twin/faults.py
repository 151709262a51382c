"""Seeded, deterministic faults: API throttling, FAILED associations, emptied policies, lag, latency."""

from __future__ import annotations

import os
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eum_share.dal import quotas

from twin.clock import VirtualClock
from twin.errors import THROTTLING, throttling

# The page-size cap a fault plan has when it names none. The tests set it to a few items (tests/conftest.py), so
# that every listing of the offline AWS comes in several pages and a read of the first page only fails a test; the
# demo and the benchmark leave it unset and get the services' own page sizes.
MAX_PAGE_SIZE_ENV = "EUM_SHARE_OFFLINE_MAX_PAGE_SIZE"


def default_max_page_size() -> int | None:
    value = os.environ.get(MAX_PAGE_SIZE_ENV)
    return int(value) if value else None


# Simulated time is a sum of float steps: a call that comes exactly one interval after the last may find a token
# short by a rounding error, which no real bucket would count.
_ROUNDING = 1e-9


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: `per_second` tokens refill each simulated second, up to `burst`."""

    per_second: float
    burst: float = 1.0


def published_quotas() -> dict[str, RateLimit]:
    """End User Messaging's published request quotas as `rate_limits`: a bucket per action eum-share calls, at the
    rate of the one table both sides read (`eum_share.dal.quotas`, with its source), and DryRun sends at theirs.
    What AWS allows is a fact the orchestrator's pacing and the offline AWS must agree on."""
    limits = {
        f"sms-voice:{operation}": RateLimit(rate, burst=max(1.0, rate)) for operation, rate in quotas.RATES.items()
    }
    dry_run = quotas.DRY_RUN_PER_SECOND
    limits[f"sms-voice:{quotas.DRY_RUN}"] = RateLimit(dry_run, burst=max(1.0, dry_run))
    return limits


# Every service the orchestrator calls, by endpoint prefix: each can be throttled (twin.errors.THROTTLING).
ORCHESTRATOR_SERVICES = frozenset(THROTTLING)
# The services the project fakes itself: what `throttle_rate` meant before every service could be throttled.
FAKED_SERVICES = frozenset({"ram", "sms-voice"})


@dataclass(frozen=True)
class FaultConfig:
    """Everything that can go wrong, and how slow AWS is. All times are simulated seconds.

    `rate_limits` keys are `service:Operation`, `service:*` or `*` (most specific wins); as AWS quotas are, a
    bucket is kept per account and operation. A call made with `DryRun` set is counted under
    `service:Operation:DryRun` when that key is given: End User Messaging validates DryRun sends at a rate of their
    own ("The Message Parts per Second (MPS) limit when using DryRun is five", SendTextMessage in botocore's model),
    apart from real sends.
    """

    seed: int = 0
    # `throttle_rate` and `throttle_bursts` apply to the services of `throttled_services` (endpoint prefixes): by
    # default every service the orchestrator calls, each answering with its own throttling error (twin.errors).
    throttle_rate: float = 0.0
    throttle_bursts: tuple[tuple[float, float], ...] = ()
    throttled_services: frozenset[str] = field(default_factory=lambda: ORCHESTRATOR_SERVICES)
    rate_limits: dict[str, RateLimit] = field(default_factory=dict)
    association_seconds: float = 2.0
    fail_rate: float = 0.0
    # RAM writes resource policies for the associations in flight of one owner account; above this many at
    # once it is throttled internally, and each write over the limit empties the resource's policy with
    # probability `empty_policy_rate` (the fault AWS's sharing guide warns about) or else is delayed.
    policy_write_capacity: int = 20
    empty_policy_rate: float = 0.0
    visibility_lag_seconds: float = 0.0
    # RAM's lists may lag its writes: a resource association younger than this is not listed yet by
    # GetResourceShareAssociations or ListResources (assumed, docs/aws-assumptions.md).
    association_listing_lag_seconds: float = 0.0
    # An IAM role is created at once but reaches the services that assume it later (IAM is eventually
    # consistent): End User Messaging cannot use a role as an event destination's role until this long after
    # CreateRole (docs/aws-assumptions.md; no figure is published).
    role_propagation_seconds: float = 10.0
    latency_seconds: float = 0.0
    # RAM gives seven days for the types its guide lists and 12 hours for the rest; sms-voice is not known to be
    # listed, so the shorter (docs/aws-assumptions.md, "Invitations expire").
    invitation_expiry_seconds: float = 12 * 3600.0
    # Consuming accounts whose administrators reject every resource share invitation they receive, after RAM's
    # usual delay (`association_seconds`), as RejectResourceShareInvitation from inside the account would.
    rejecting_accounts: tuple[str, ...] = ()
    # EventBridge delivers at least once: with this probability a matched event reaches a target twice, with the
    # same event `id`.
    duplicate_event_rate: float = 0.0
    # With this probability EventBridge's call to a Lambda function or state machine target is throttled, an error
    # EventBridge retries per the target's RetryPolicy.
    target_throttle_rate: float = 0.0
    # Every paginated answer of the project's fakes holds at most this many items (a next token carries the
    # rest): code that reads only the first page shows up at once. None: the service's own page sizes.
    max_page_size: int | None = field(default_factory=default_max_page_size)
    # With this probability a DynamoDB BatchWriteItem call processes only the first half of each table's requests
    # and answers the rest (at least one) in UnprocessedItems, as DynamoDB may ("If DynamoDB returns any unprocessed
    # items, you should retry the batch operation on those items": BatchWriteItem in botocore's model). moto never
    # does.
    unprocessed_write_rate: float = 0.0

    def __post_init__(self) -> None:
        unknown = sorted(set(self.throttled_services) - ORCHESTRATOR_SERVICES)
        if unknown:
            raise ValueError(f"throttled_services: {unknown} are not among {sorted(ORCHESTRATOR_SERVICES)}")
        if self.max_page_size is not None and self.max_page_size < 1:
            raise ValueError(f"max_page_size must be at least 1, got {self.max_page_size}")
        rates = ("throttle_rate", "fail_rate", "empty_policy_rate", "duplicate_event_rate", "target_throttle_rate")
        for name in (*rates, "unprocessed_write_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, got {value}")


class Faults:
    def __init__(self, config: FaultConfig, clock: VirtualClock) -> None:
        self.config = config
        self.clock = clock
        self.random = random.Random(config.seed)
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}
        self._lock = threading.RLock()
        self.injected: dict[str, int] = {}
        self.paused_depth = 0
        # Deliveries draw from streams of their own: they happen on other threads than API calls, and a stream
        # shared across threads would make the draws depend on scheduling.
        self._duplicates = random.Random(f"duplicates:{config.seed}")
        self._target_throttles = random.Random(f"target-throttles:{config.seed}")
        self._unprocessed = random.Random(f"unprocessed-writes:{config.seed}")
        # Associations that fail and throttled writes that empty a policy draw from streams of their own too: the
        # shared one advances with every throttle drawn, which the order of concurrent calls decides, so a row's
        # FAILED associations and emptied policies would vary run to run.
        self._failed_associations = random.Random(f"failed-associations:{config.seed}")
        self._emptied_policies = random.Random(f"emptied-policies:{config.seed}")

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No API throttling inside (seeding and inspection are not part of what is measured)."""
        with self._lock:
            self.paused_depth += 1
        try:
            yield
        finally:
            with self._lock:
                self.paused_depth -= 1

    def count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] = self.injected.get(fault, 0) + 1

    def page_size(self, requested: int, remaining: int) -> int:
        """How many items the next page holds: what the caller asked for (or the service's default), cut to
        `max_page_size`; a page the cut made shorter is counted as a `short-page` fault."""
        cap = self.config.max_page_size
        if cap is None or cap >= requested:
            return requested
        if remaining > cap:
            self.count("short-page")
        return cap

    def chance(self, probability: float) -> bool:
        return probability > 0 and self.random.random() < probability

    def fail_association(self) -> bool:
        """Whether RAM fails this resource association (FAILED, with a status message)."""
        return self._draw(self._failed_associations, self.config.fail_rate, "association-failed")

    def empty_policy(self) -> bool:
        """Whether this policy write, throttled inside RAM, empties the resource's policy."""
        return self._draw(self._emptied_policies, self.config.empty_policy_rate, "empty-policy")

    def duplicate_delivery(self) -> bool:
        """Whether EventBridge delivers this matched event to this target a second time."""
        return self._draw(self._duplicates, self.config.duplicate_event_rate, "duplicate-event")

    def throttle_target(self) -> bool:
        """Whether this attempt of EventBridge to invoke a Lambda or Step Functions target is throttled."""
        return self._draw(self._target_throttles, self.config.target_throttle_rate, "target-throttle")

    def unprocessed_writes(self) -> bool:
        """Whether this BatchWriteItem call leaves some of its requests unprocessed."""
        return self._draw(self._unprocessed, self.config.unprocessed_write_rate, "unprocessed-writes")

    def _draw(self, stream: random.Random, probability: float, fault: str) -> bool:
        with self._lock:
            if probability > 0 and stream.random() < probability:
                self.count(fault)
                return True
            return False

    def check_throttle(self, account: str, service: str, operation: str, params: dict[str, Any] | None = None) -> None:
        """The service's throttling error when the call is over a rate limit, inside a burst, or randomly
        throttled. Services the orchestrator does not call (CloudFormation, SQS...) are never throttled."""
        if self.paused_depth or service not in THROTTLING:
            return
        now = self.clock.now()
        with self._lock:
            busy = service in self.config.throttled_services and (
                any(start <= now < end for start, end in self.config.throttle_bursts)
                or self.chance(self.config.throttle_rate)
            )
            # AWS does not say whether a request refused for other load uses up the caller's quota: it does here,
            # the harder case (docs/aws-assumptions.md, "A throttled attempt counts against the quota").
            dry_run = bool(params and params.get("DryRun") is True)
            within_quota = self._take_token(account, service, operation, dry_run, now)
            if busy:
                self.count("throttle")
                raise throttling(service, operation, self._pick_code(service))
            if not within_quota:
                self.count("rate-limit")
                raise throttling(service, operation, self._pick_code(service))

    def _take_token(self, account: str, service: str, operation: str, dry_run: bool, now: float) -> bool:
        """Takes a token from the call's bucket; False when it has none left (the call is over the quota)."""
        key = self._limit_key(service, operation, dry_run)
        if key is None:
            return True
        limit = self.config.rate_limits[key]
        bucket = (account, key if key.endswith(":DryRun") else f"{service}:{operation}")
        tokens, last = self._buckets.get(bucket, (limit.burst, now))
        tokens = min(limit.burst, tokens + (now - last) * limit.per_second)
        if tokens < 1.0 - _ROUNDING:
            self._buckets[bucket] = (tokens, now)
            return False
        self._buckets[bucket] = (tokens - 1.0, now)
        return True

    def _pick_code(self, service: str) -> int:
        """Which of the service's throttling codes this refusal uses (DynamoDB has three): drawn, so that code
        which knows only one of them shows up."""
        codes = len(THROTTLING[service][0])
        return self.random.randrange(codes) if codes > 1 else 0

    def _limit_key(self, service: str, operation: str, dry_run: bool = False) -> str | None:
        keys = (f"{service}:{operation}", f"{service}:*", "*")
        for key in (f"{service}:{operation}:DryRun", *keys) if dry_run else keys:
            if key in self.config.rate_limits:
                return key
        return None
