"""The runbook: seed 000's procedure as a person scripts it.

Principals first; then batches of 10, each followed by a fixed 30 s sleep and a check of the share's resources
(`list-resources`, again after 30 s while any is still PENDING), and a verification from every consumer by
listing everything shared with it (Owner=SHARED). An identity a consumer cannot see is re-associated alone, as
the guide's caution says. No DryRun probes, no configuration rebuilt: the guide's procedure does neither.
"""

from __future__ import annotations

from benchmarks.script import Script
from benchmarks.systems import Stopwatch, SystemRun
from twin.offline import OfflineAWS
from twin.seed import Scenario

BATCH = 10
SLEEP_SECONDS = 30
MAX_CHECKS = 20


def run(offline: OfflineAWS, scenario: Scenario) -> SystemRun:
    script = Script(offline, offline.world.faults.config.seed)
    stopwatch = Stopwatch(offline)
    owner = scenario.owner
    request = scenario.request()
    identities = script.owned_identities(owner)
    share = script.create_share(owner, request, [])
    script.accept_invitations(scenario.external_consumers, share)
    _wait_until_associated(script, owner, share, "PRINCIPAL", set(request["principals"]))
    for start in range(0, len(identities), BATCH):
        batch = identities[start : start + BATCH]
        script.call("ram", owner, "associate_resource_share", resourceShareArn=share, resourceArns=batch)
        _wait_until_available(script, owner, share, batch)
        missing = _not_visible(script, scenario.consumers, batch)
        for arn in sorted(missing):
            _reassociate(script, owner, share, arn)
        if missing:
            _not_visible(script, scenario.consumers, sorted(missing))
    return stopwatch.stop("finished")


def _wait_until_associated(script: Script, owner: str, share: str, kind: str, wanted: set[str]) -> None:
    for _ in range(MAX_CHECKS):
        script.sleep(SLEEP_SECONDS)
        statuses = script.associations(owner, share, kind)
        if all(statuses.get(entity) == "ASSOCIATED" for entity in wanted):
            return


def _wait_until_available(script: Script, owner: str, share: str, batch: list[str]) -> None:
    """Sleep 30 s, then list the share's resources (the guide's check) until the batch is no longer PENDING."""
    for _ in range(MAX_CHECKS):
        script.sleep(SLEEP_SECONDS)
        listed = {
            r["arn"]: r["status"]
            for r in script.pages(
                "ram",
                owner,
                "list_resources",
                "resources",
                token="nextToken",
                resourceOwner="SELF",
                resourceShareArns=[share],
            )
        }
        if all(listed.get(arn) not in (None, "PENDING") for arn in batch):
            return


def _not_visible(script: Script, consumers: list[str], batch: list[str]) -> set[str]:
    missing: set[str] = set()
    for consumer in consumers:
        missing |= set(batch) - script.shared_with(consumer)
    return missing


def _reassociate(script: Script, owner: str, share: str, arn: str) -> None:
    script.call("ram", owner, "disassociate_resource_share", resourceShareArn=share, resourceArns=[arn])
    script.sleep(SLEEP_SECONDS)
    script.call("ram", owner, "associate_resource_share", resourceShareArn=share, resourceArns=[arn])
    _wait_until_available(script, owner, share, [arn])
