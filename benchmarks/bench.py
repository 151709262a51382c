"""One benchmark run: each system on its own offline AWS, seeded the same way, measured the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from benchmarks.measure import Record, record
from benchmarks.rate_model import Floor, RateModel, Workload
from benchmarks.systems import systems
from benchmarks.usability import unusable
from twin.offline import OfflineAWS
from twin.seed import Scenario, seed

CONSUMERS = 2
EXTERNAL_CONSUMERS = 1  # one consuming account in the owner's organization, one outside it


def workload(scenario: Scenario) -> Workload:
    by_kind = {
        "phone_numbers": len(scenario.phone_numbers),
        "sender_ids": len(scenario.sender_ids),
        "pools": len(scenario.pools),
        "opt_out_lists": len(scenario.opt_out_lists),
    }
    senders = by_kind["phone_numbers"] + by_kind["sender_ids"] + by_kind["pools"]
    return Workload(len(scenario.identities), senders, by_kind, len(scenario.consumers))


def seeded(model: RateModel, identities: int) -> tuple[OfflineAWS, Scenario]:
    offline = OfflineAWS(model.faults()).__enter__()
    scenario = seed(offline, identities=identities, consumers=CONSUMERS, external_consumers=EXTERNAL_CONSUMERS)
    with offline.world.faults.paused():
        offline.client("ram", account=scenario.owner).enable_sharing_with_aws_organization()
        pages = (
            offline.client("pinpoint-sms-voice-v2", account=scenario.owner)
            .get_paginator("describe_opt_out_lists")
            .paginate(Owner="SELF")
        )
        owned = [o["OptOutListArn"] for page in pages for o in page["OptOutLists"]]
    # The owner's Default opt-out list, made by End User Messaging for the pools that name none, is among what a
    # migration of everything moves: every system moves it, and the floor and the figures per identity count it.
    made = [arn for arn in owned if arn not in scenario.opt_out_lists]
    return offline, replace(scenario, opt_out_lists=scenario.opt_out_lists + made)


def breakdown(state_seconds: dict[str, float]) -> list[str]:
    """Where the simulated time went, the longest state first (states under 0.1 s left out)."""
    spent = sorted(((s, name) for name, s in state_seconds.items() if s >= 0.1), reverse=True)
    return [f"{seconds:8.1f} s  {name}" for seconds, name in spent]


def run_size(
    model: RateModel, identities: int, only: list[str] | None = None, say: Callable[[str], None] = print
) -> tuple[list[Record], Floor | None]:
    """Each system on a freshly seeded offline AWS; the records and the floor they are held against."""
    records = []
    floor: Floor | None = None
    for name, system in systems().items():
        if only and name not in only:
            continue
        offline, scenario = seeded(model, identities)
        try:
            floor = model.floor(workload(scenario))
            run = system(offline, scenario)
            broken = unusable(offline, scenario.identities, scenario.consumers)
            records.append(
                record(
                    name,
                    offline,
                    run,
                    floor,
                    identities,
                    len(broken),
                    model.throttle_rate,
                    moved=len(scenario.identities),
                )
            )
        finally:
            offline.__exit__(None, None, None)
        done = records[-1]
        throttled = f" ({model.throttle_rate:.0%} throttled)" if model.throttle_rate else ""
        say(
            f"  {name:12s} N={identities}{throttled}: {done.simulatedSeconds:.0f} s simulated, "
            f"{done.wallSeconds:.1f} s wall, {done.cpuSeconds:.1f} s CPU"
        )
        for line in breakdown(done.stateSeconds):
            say(f"    {line}")
    return records, floor
