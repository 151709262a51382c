"""All at once: one share with the principals and every resource, in as few calls as RAM allows, no waiting.

What a CloudFormation `AWS::RAM::ResourceShare` or a one-shot script does: the share is created with the
principals and the first 100 resources, the rest follow 100 a call back to back, and the external consumers
accept their invitation afterwards. The script then waits until RAM reports no association in progress
(`get-resource-share-associations --association-status ASSOCIATING` every 10 s).
"""

from __future__ import annotations

from benchmarks.script import Script
from benchmarks.systems import Stopwatch, SystemRun
from twin.offline import OfflineAWS
from twin.seed import Scenario

PER_CALL = 100  # RAM's limit of resources per call (ResourceShareLimitExceededException)
POLL_SECONDS = 10
MAX_POLLS = 360


def run(offline: OfflineAWS, scenario: Scenario) -> SystemRun:
    script = Script(offline, offline.world.faults.config.seed)
    stopwatch = Stopwatch(offline)
    owner = scenario.owner
    request = scenario.request()
    identities = script.owned_identities(owner)
    share = script.create_share(owner, request, identities[:PER_CALL])
    for start in range(PER_CALL, len(identities), PER_CALL):
        script.call(
            "ram", owner, "associate_resource_share", resourceShareArn=share, resourceArns=identities[start:][:PER_CALL]
        )
    script.accept_invitations(scenario.external_consumers, share)
    for _ in range(MAX_POLLS):
        if not any(script.associations(owner, share, kind, status="ASSOCIATING") for kind in ("RESOURCE", "PRINCIPAL")):
            break
        script.sleep(POLL_SECONDS)
    return stopwatch.stop("finished")
