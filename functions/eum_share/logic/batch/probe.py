"""Meanwhile: DryRun-sends from every consumer with the identities of a verified batch, while the next one
associates."""

from __future__ import annotations

from collections.abc import Iterator

from eum_share.logic.batch.run import ChunkRun
from eum_share.logic.probe import SENDERS, Probe, configuration_outcome_key, configuration_set, destination, probe
from eum_share.models.ledger import IdentityStatus
from eum_share.models.plan import Batch


def probe_batch(run: ChunkRun, batch: Batch) -> None:
    for _ in probes(run, batch):
        pass


def probes(run: ChunkRun, batch: Batch) -> Iterator[None]:
    """DryRun-send from every consumer with each identity of the batch it can send with; an identity
    that passes everywhere is marked `probed`. Anything else is left to the final verification, which
    sends again, reports what the consumer must act on and sends back for repair only an identity the
    consumer cannot see or use. Yields after each identity, so other work can take turns with it."""
    waiting = [
        i
        for i in run.identities(batch)
        if i.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED) and not i.probed and i.type in SENDERS
    ]
    if not waiting:
        return
    consumers = [(c.account_id, run.m.consumer(c)) for c in run.request.consumers]
    changes = []
    for identity in waiting:
        to = destination(identity.country)
        outcomes = [
            probe(clients, identity.arn, to, _configuration_set(run, account))[0] for account, clients in consumers
        ]
        if all(outcome is Probe.SENT for outcome in outcomes):
            changes.append((identity.model_copy(update={"probed": True}), identity.status))
        yield
    run.save(changes)


def _configuration_set(run: ChunkRun, account: str) -> str | None:
    if account not in run.configuration_sets:
        key = run.m.key(configuration_outcome_key(account))
        run.configuration_sets[account] = configuration_set(run.m.settings.artifact_bucket, key)
    return run.configuration_sets[account]
