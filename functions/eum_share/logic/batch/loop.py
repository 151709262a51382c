"""The batch loop: each batch's status names its next step, taken until the batch is DONE or must wait."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from botocore.exceptions import ClientError

from eum_share.dal import sms
from eum_share.dal.ledger import StaleLedgerWrite
from eum_share.dal.pacing import meanwhile
from eum_share.dal.throttling import busy_wait_seconds, is_throttled
from eum_share.logic.batch import associate, poll, snapshot, verify
from eum_share.logic.batch.ahead import Ahead
from eum_share.logic.batch.probe import Probing, probe_batch
from eum_share.logic.batch.run import GONE, ChunkRun, Outcome
from eum_share.logic.context import Migration
from eum_share.logic.lock import hold_share_lock
from eum_share.models.ledger import FINAL_STATUSES, BatchRecord, BatchStatus
from eum_share.models.plan import Batch
from eum_share.models.request import Strategy

ENOUGH_TIME_MS = 60_000  # stop taking new steps when less than this is left of the Lambda's time
BATCHES_PER_CALL = 2  # the batch finishing and the one it starts

STEPS: dict[BatchStatus, Callable[[ChunkRun, Batch, BatchRecord], Outcome]] = {
    BatchStatus.PLANNED: snapshot.step,
    BatchStatus.REQUESTED: associate.step,
    BatchStatus.ASSOCIATING: poll.step,
    BatchStatus.VERIFYING: verify.step,
}


@dataclass(frozen=True)
class Progress:
    """Where a call left the chunk: every batch DONE, or how long to wait before the next call (`busy`: because
    AWS was throttling)."""

    done: bool
    wait_seconds: int
    busy: bool = False


def advance_chunk(
    migration: Migration, chunk: int, remaining_ms: Callable[[], int]
) -> tuple[Progress, Counter[tuple[str, str]]]:
    """(where the chunk stands, identities moved from one status to another by this call)."""
    hold_share_lock(migration)
    tally: Counter[tuple[str, str]] = Counter()
    try:
        run = ChunkRun(migration, remaining_ms)
        tally = run.tally
        return advance(run, chunk), tally
    except StaleLedgerWrite:
        # Another attempt of this step got there first (a retried invocation): the ledger is ahead of
        # us, so the next call picks up from what it says.
        return Progress(done=False, wait_seconds=migration.request.options.poll_seconds), tally
    except ClientError as error:
        if not is_throttled(error):
            raise
        # AWS is busy: every step the chunk finished is in the ledger, so it waits in the state machine's Wait
        # state and goes on from there.
        return Progress(done=False, wait_seconds=busy_wait_seconds(), busy=True), tally


def advance(run: ChunkRun, chunk: int) -> Progress:
    """Carry the chunk's batches forward until every batch is DONE or the next step must wait."""
    batches = run.m.plan.batches_of_chunk(chunk)
    if not batches:
        return Progress(done=True, wait_seconds=0)
    # Every batch before the migration's current one is DONE; a call carries at most two more.
    start = max(batches[0].index, run.m.record.current_batch or 0)
    found, more = run.m.ledger.unfinished_batches(run.m.id, start, batches[-1].index, at_most=BATCHES_PER_CALL)
    if not found:
        _probe_last(run, batches)
        return Progress(done=True, wait_seconds=0)
    unfinished = {r.index: r for r in found}
    _preload(run, batches, unfinished)
    ahead = Ahead(run, batches)
    try:
        with meanwhile(ahead.step):
            return _carry(run, batches, unfinished, more, found[-1].index, ahead)
    finally:
        ahead.save()


def _carry(
    run: ChunkRun, batches: list[Batch], unfinished: dict[int, BatchRecord], more: bool, last: int, ahead: Ahead
) -> Progress:
    for position, batch in enumerate(batches):
        if batch.index not in unfinished:
            if more and batch.index > last:
                return Progress(done=False, wait_seconds=0)  # the next call reads the next ones
            continue
        run.batch = unfinished[batch.index]
        while not run.batch_done():
            if run.remaining_ms() < ENOUGH_TIME_MS:
                return Progress(done=False, wait_seconds=0)
            run.ready_at = None
            ahead.save()  # what was read ahead is in the ledger before any step changes a policy
            try:
                outcome = STEPS[run.batch.status](run, batch, run.batch)
            except ClientError as error:
                if not _fail_released(run, batch, error):
                    raise
                continue
            if outcome.wait and not run.batch_done():
                _meanwhile(run, batches, position, ahead)
                wait = _wait_seconds(run)
                if wait or run.ready_at is None:
                    return Progress(done=False, wait_seconds=wait)
    _probe_last(run, batches)
    return Progress(done=True, wait_seconds=0)


def _probe_last(run: ChunkRun, batches: list[Batch]) -> None:
    """The chunk's last batch has no next one to overlap with: its probes are sent now."""
    if run.strategy is Strategy.RAM:
        probe_batch(run, batches[-1])


def _preload(run: ChunkRun, batches: list[Batch], unfinished: dict[int, BatchRecord]) -> None:
    """The records this call will most likely need, in one read: the first unfinished batch and the
    batches on either side of it (probed, snapshotted meanwhile)."""
    position = next((p for p, b in enumerate(batches) if b.index in unfinished), len(batches) - 1)
    near = batches[max(0, position - 1) : position + 2]
    arns = [arn for batch in near for arn in batch.arns]
    run.records.update((r.arn, r) for r in run.m.ledger.identities(run.m.id, arns))


def _meanwhile(run: ChunkRun, batches: list[Batch], position: int, ahead: Ahead) -> None:
    """While this batch waits on RAM: read ahead the policies of the batches after it until RAM should be done,
    and probe the batch before it in the waits between those reads (a policy read waits for its quota's next turn,
    1 a second, longer when throttled; a DryRun send for its own, 5 a second, in each consumer's account)."""
    if run.strategy is not Strategy.RAM or run.ready_at is None:
        return
    probing = Probing(run, batches[position - 1]) if position > 0 else None
    with meanwhile(probing.turns.step if probing else ahead.step):
        while time.monotonic() < run.ready_at and ahead.step(run.ready_at):
            pass
    if probing is not None:
        probing.finish()


def _wait_seconds(run: ChunkRun) -> int:
    """Whole seconds until the batch should be ASSOCIATED (a Wait state counts whole seconds: the
    fraction is spent here); the poll interval when that is not known."""
    if run.ready_at is None:
        return run.poll_seconds
    remaining = run.ready_at - time.monotonic()
    if remaining <= 0:
        return 0
    whole = math.floor(remaining)
    if remaining > whole:
        time.sleep(remaining - whole)
    return whole


def _fail_released(run: ChunkRun, batch: Batch, error: ClientError) -> bool:
    """Its owner may release an identity while the migration runs: AWS then answers that it does not exist.
    Such identities are FAILED with that reason and the batch goes on without them; False when none of the
    batch's is gone (the error is about something else)."""
    code = error.response["Error"]["Code"]
    if code not in GONE:
        return False
    unfinished = [i for i in run.identities(batch) if i.status not in FINAL_STATUSES]
    by_kind: dict[str, list[str]] = defaultdict(list)
    for identity in unfinished:
        by_kind[identity.type].append(identity.arn)
    owned = {arn for kind, arns in by_kind.items() for arn in sms.described(run.owner, kind, arns)}
    gone = [i for i in unfinished if i.arn not in owned]
    run.save([(run.released(i, code), i.status) for i in gone])
    return bool(gone)
