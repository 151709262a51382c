"""Meanwhile: DryRun-sends from every consumer with the identities of a verified batch, while the next one
associates."""

from __future__ import annotations

from collections.abc import Callable

from eum_share.dal.accounts import Clients
from eum_share.logic.batch.run import ChunkRun
from eum_share.logic.batch.turns import Turns
from eum_share.logic.probe import SENDERS, Probe, configuration_outcome_key, configuration_set, destination, probe
from eum_share.models.ledger import IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch


def probe_batch(run: ChunkRun, batch: Batch) -> None:
    Probing(run, batch).finish()


class Probing:
    """DryRun-send from every consumer with each identity of the batch it can send with, each consumer's sends
    in its own quota's turns (`turns`); an identity that passes everywhere is marked `probed`. Anything else is
    left to the final verification, which sends again, reports what the consumer must act on and sends back for
    repair only an identity the consumer cannot see or use."""

    def __init__(self, run: ChunkRun, batch: Batch) -> None:
        self.run = run
        self.waiting = [
            i
            for i in run.identities(batch)
            if i.status in (IdentityStatus.VERIFIED, IdentityStatus.REPAIRED) and not i.probed and i.type in SENDERS
        ]
        self.refused: set[str] = set()  # identities a consumer could not send with
        self.turns = Turns()
        consumers = [(c.account_id, run.m.consumer(c)) for c in run.request.consumers] if self.waiting else []
        for identity in self.waiting:
            for account, clients in consumers:
                self.turns.add(account, "SendTextMessage", self._sender(identity, account, clients), dry_run=True)

    def finish(self) -> None:
        """The sends left, and what they proved saved in the ledger."""
        self.turns.finish()
        if self.waiting:
            probed = [i for i in self.waiting if i.arn not in self.refused]
            self.run.save([(i.model_copy(update={"probed": True}), i.status) for i in probed])
            self.waiting = []

    def _sender(self, identity: IdentityRecord, account: str, clients: Clients) -> Callable[[], None]:
        def send() -> None:
            to = destination(identity.country)
            if probe(clients, identity.arn, to, _configuration_set(self.run, account))[0] is not Probe.SENT:
                self.refused.add(identity.arn)

        return send


def _configuration_set(run: ChunkRun, account: str) -> str | None:
    if account not in run.configuration_sets:
        key = run.m.key(configuration_outcome_key(account))
        run.configuration_sets[account] = configuration_set(run.m.settings.artifact_bucket, key)
    return run.configuration_sets[account]
