"""Meanwhile: the owner's policies of the next batches read ahead, whenever the read quota has a turn free while the
loop waits for something else (a consumer's describe or DryRun quota, the batch in flight). The owner's policy reads
are the slowest lane of a throttled migration: a turn they leave unused is time lost."""

from __future__ import annotations

import math
from collections.abc import Callable

from botocore.exceptions import ClientError

from eum_share.dal import sms
from eum_share.dal.pacing import sms_turn
from eum_share.dal.throttling import is_throttled
from eum_share.logic.batch.run import GONE, ChunkRun
from eum_share.logic.context import Migration
from eum_share.models.ledger import IdentityRecord, IdentityStatus
from eum_share.models.plan import Batch
from eum_share.models.request import MAX_BATCH_SIZE, Strategy

# Batches after the one in flight whose policies may be read before their turn: each snapshot is still taken before
# anything of the migration changes that policy, and not much longer before.
AHEAD = 3
# No read between two looks at the share starts with less than this left of the Lambda's time.
ENOUGH_TIME_MS = 20_000


class Ahead:
    """The snapshots read ahead by one invocation, saved in the ledger before the loop takes its next step."""

    def __init__(self, run: ChunkRun, batches: list[Batch]) -> None:
        # The next chunk's first batches too: the chunks run one after another, and a chunk's last batches would
        # otherwise leave the read quota idle until the next chunk's first call.
        last = batches[-1].index
        self.run = run
        self.batches = batches + [b for b in run.m.plan.batches if last < b.index <= last + AHEAD]
        self.account = run.request.owner.account_id
        self.read: list[tuple[IdentityRecord, IdentityStatus]] = []
        self.stopped = False

    def step(self, until: float) -> bool:
        """Read one policy ahead if the read quota has a turn before `until`; False when it has none or nothing is
        left to read."""
        if self.stopped or sms_turn(self.account, "GetResourcePolicy") >= until:
            return False
        identity = self._next()
        if identity is None:
            return False
        try:
            record = identity.model_copy(update={"snapshot": sms.get_policy(self.run.owner, identity.arn) or ""})
        except ClientError as error:
            if is_throttled(error):
                return True  # read again at a later turn
            code = error.response["Error"]["Code"]
            if code not in GONE:
                # Anything else: the batch's own snapshot step reads it in its turn, and meets the error there.
                self.stopped = True
                return False
            record = self.run.released(identity, code)
        self.run.records[identity.arn] = record
        self.read.append((record, identity.status))
        return True

    def save(self) -> None:
        if self.read:
            read, self.read = self.read, []
            self.run.save(read)

    def _next(self) -> IdentityRecord | None:
        # With no batch in flight yet (the share being set up), the reads are ahead of the first one's place.
        current = self.run.batch.index if self.run.batch is not None else self.batches[0].index - 1
        for batch in self.batches:
            if current < batch.index <= current + AHEAD:
                for identity in self.run.identities(batch):
                    if identity.snapshot is None and identity.status is IdentityStatus.PLANNED:
                        return identity
        return None


def read_first_batches_between_looks(
    migration: Migration, look: Callable[[], bool | None], remaining_ms: Callable[[], int]
) -> tuple[bool | None, bool]:
    """While RAM associates the principals, once the consumers' configuration is rebuilt: the first batches'
    policies not read yet, at most a batch's worth, with a look at the share after each (a read waits for its
    quota's turn, about a second: the batches start about as soon as the principals are in). What the last look
    answered (False when nothing was left to read), and whether anything was read."""
    ahead = _first_batches(migration)
    ready: bool | None = False
    read = False
    if ahead is None:
        return ready, read
    try:
        for _ in range(MAX_BATCH_SIZE):
            if remaining_ms() < ENOUGH_TIME_MS or not ahead.step(math.inf):
                break
            read = True
            ready = look()
            if ready is not False:
                break
    finally:
        ahead.save()
    return ready, read


def _first_batches(migration: Migration) -> Ahead | None:
    """Reads ahead of the first batch, before any is in flight; None when the migration associates nothing through
    RAM. Nothing of the migration has changed these policies yet: no resource is in the share before its batch."""
    options = migration.request.options
    if options.strategy is not Strategy.RAM or options.dry_run:
        return None
    batches = migration.plan.batches
    if not batches:
        return None
    return Ahead(ChunkRun(migration, lambda: 0), batches[:AHEAD])
