"""The rate model every system of the benchmark runs against, as the offline AWS's FaultConfig, and the floor it sets.

Every number is a parameter. Where each default comes from:

- `association_seconds` (10 s): RAM associates asynchronously; AWS's sharing guide (seed 000, "Step 3") says the
  association "is typically quick but can sometimes take up to a few minutes". No figure is published: 10 s is our
  assumption, short of the runbook's 30 s sleep, which the guide's readers use because it is usually enough.
- `policy_write_capacity` (10): RAM writes a resource policy per associated resource; when more are written at once
  than it can take, RAM is throttled and "may remove the previously existing policy without successfully writing
  the new one" (seed 000, "Sharing at Scale"). The guide gives the safe size, "batch resource associations in
  groups of 10 or fewer", and warns from "50 or more" identities: the model puts the threshold at 10 writes in
  flight per owner account. Above it a write is throttled inside RAM.
- `empty_policy_rate` (0.25): of the writes throttled inside RAM, the share that empties the resource's policy
  ("in some cases", seed 000; no figure is published: our assumption). The others wait their turn.
- End User Messaging's request quotas: the one table the orchestrator paces by, `eum_share.dal.quotas` (the
  quotas page of the End User Messaging SMS user guide, docs.aws.amazon.com/sms-voice/latest/userguide/quotas.html:
  most actions at 1 request a second per account; actions it does not list at its most restrictive rate), applied
  by the twin as a token bucket per account and action (`twin.faults.published_quotas`).
- `dry_run_per_second` (5): "The Message Parts per Second (MPS) limit when using DryRun is five" (SendTextMessage,
  DryRun member, in botocore's pinpoint-sms-voice-v2 model), per account.
- `latency_seconds` (0.05): the time each End User Messaging or RAM call takes; AWS publishes none, 50 ms is a
  typical regional API round trip.
- RAM's own APIs have no published per-operation rate; the model leaves them unlimited beyond the policy writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from eum_share.dal import quotas

from twin.faults import FAKED_SERVICES, FaultConfig, RateLimit, published_quotas

LISTING_PAGE = 100  # End User Messaging's largest MaxResults for a Describe* page (botocore's model)
# The consumers' Owner=SHARED listings, one operation per identity kind, each at its own published rate.
LISTING_PER_SECOND = min(
    quotas.RATES[op] for op in ("DescribePhoneNumbers", "DescribeSenderIds", "DescribePools", "DescribeOptOutLists")
)


@dataclass(frozen=True)
class Workload:
    """What is migrated: identities (by kind), and to how many consuming accounts."""

    identities: int
    senders: int  # identities a consumer can send with: phone numbers, sender IDs, pools
    by_kind: dict[str, int] = field(default_factory=dict)
    consumers: int = 2


@dataclass(frozen=True)
class Floor:
    seconds: float
    terms: dict[str, float]
    explanation: list[str]
    work: Workload


@dataclass(frozen=True)
class RateModel:
    association_seconds: float = 10.0
    policy_write_capacity: int = 10
    empty_policy_rate: float = 0.25
    dry_run_per_second: float = quotas.DRY_RUN_PER_SECOND
    latency_seconds: float = 0.05
    # Besides the quotas: this share of every RAM and End User Messaging call answered ThrottlingException (an
    # account shared with other automation, a Region under load).
    throttle_rate: float = 0.0
    seed: int = 7

    def faults(self) -> FaultConfig:
        limits = published_quotas()
        limits[f"sms-voice:{quotas.DRY_RUN}"] = RateLimit(
            self.dry_run_per_second, burst=max(1.0, self.dry_run_per_second)
        )
        return FaultConfig(
            seed=self.seed,
            rate_limits=limits,
            association_seconds=self.association_seconds,
            policy_write_capacity=self.policy_write_capacity,
            empty_policy_rate=self.empty_policy_rate,
            latency_seconds=self.latency_seconds,
            throttle_rate=self.throttle_rate,
            throttled_services=FAKED_SERVICES,
        )

    def floor(self, work: Workload) -> Floor:
        """The least simulated time in which any system can make every identity usable by every consumer and
        prove it, under this model: the principals join once, then three pipelines that may overlap fully:
        RAM's policy writes, the consumers' DryRun probes, and their Owner=SHARED listings."""
        a, lat = self.association_seconds, self.latency_seconds
        principals = a + lat
        associations = math.ceil(work.identities / self.policy_write_capacity) * (a + lat)
        # Each consumer probes every identity it can send with; the limit is per account, so consumers overlap.
        dry_runs = work.senders / self.dry_run_per_second
        # Each consumer lists each kind once, a page of 100 a request, one request a second per operation.
        pages = max((math.ceil(count / LISTING_PAGE) for count in work.by_kind.values()), default=0)
        listings = pages / LISTING_PER_SECOND
        terms = {
            "principals": principals,
            "associations": associations,
            "dryRuns": dry_runs,
            "listings": listings,
        }
        seconds = principals + max(associations, dry_runs, listings)
        explanation = [
            f"principals join the share: association {a:g} s + latency {lat:g} s = {principals:.1f} s",
            f"RAM policy writes: ceil({work.identities} identities / {self.policy_write_capacity} writes at once) "
            f"x ({a:g} s + {lat:g} s) = {associations:.1f} s",
            f"DryRun probes: {work.senders} sending identities / {self.dry_run_per_second:g} a second, "
            f"each consumer in parallel = {dry_runs:.1f} s",
            f"Owner=SHARED listings: {pages} pages of {LISTING_PAGE} / {LISTING_PER_SECOND:g} a second "
            f"= {listings:.1f} s",
            f"floor = principals + max(policy writes, DryRun probes, listings) = {seconds:.1f} s",
        ]
        return Floor(seconds, terms, explanation, work)

    def policy_reads(self, work: Workload) -> tuple[float, str]:
        """Not in the floor: the owner's GetResourcePolicy of every identity, which AWS's procedure has read around
        each batch (seed 000, "Sharing at Scale": "Verify policy integrity (get_resource_policy in the owner
        account) after every batch") and eum-share reads before anything changes it, so that nothing RAM empties
        is lost. Under this model no system reads them faster: one a second per account (the quotas page's most
        restrictive rate; the action is not listed), and a refused attempt takes its token (twin.faults)."""
        _, rate = quotas.quota_of("GetResourcePolicy")
        seconds = work.identities / (rate * (1.0 - self.throttle_rate)) if self.throttle_rate < 1 else math.inf
        share = f" x (1 - {self.throttle_rate:.0%} refused)" if self.throttle_rate else ""
        return seconds, (
            f"not in the floor, the owner's policy reads: {work.identities} GetResourcePolicy / ({rate:g} a second"
            f"{share}) = {seconds:.1f} s"
        )

    def describe(self) -> list[str]:
        return [
            f"association latency {self.association_seconds:g} s (ASSOCIATING -> ASSOCIATED)",
            f"RAM throttles above {self.policy_write_capacity} resource-policy writes in flight per owner account; "
            f"a throttled write empties the policy with probability {self.empty_policy_rate:g}",
            f"End User Messaging: every action at its published rate per account ({quotas.QUOTAS_PAGE}), "
            f"{quotas.MOST_RESTRICTIVE_PER_SECOND:g} request/s where none is published; DryRun sends: "
            f"{self.dry_run_per_second:g}/s per account",
            f"per-call latency {self.latency_seconds:g} s; seed {self.seed}"
            + (
                f"; {self.throttle_rate:.0%} of RAM and End User Messaging calls throttled"
                if self.throttle_rate
                else ""
            ),
        ]
