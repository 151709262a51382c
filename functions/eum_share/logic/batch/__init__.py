"""AssociateBatches: one batch at a time, associated, waited for, verified from both sides, repaired.

A batch moves through its statuses in the ledger, one module each:

    PLANNED      snapshot.py   keep each policy as it was before anything changes it
    REQUESTED    associate.py  the one call that changes RAM (or the grants written directly)
    ASSOCIATING  poll.py       look at RAM's associations until each is settled, repaired or failed
    VERIFYING    verify.py     the owner's policy intact, every consumer sees it; repairs (repair.py)
    DONE

and no batch starts before the one before it is DONE (loop.py). Each call carries the chunk as far as it can
without waiting and then asks the state machine to wait (a Wait state, not a sleeping Lambda). Every step is
written to the ledger before the next is taken, and every AWS call that changes something carries a client token
derived from what it does, so a retried or re-run step repeats the same request instead of doing it twice.

While a batch associates, the call does what needs no wait on it: DryRun-sends from every consumer with the
batch verified just before (probe.py, so the final verification need not), and snapshots the policies of the
batches after (ahead.py, still before anything changes them), until RAM should be done: as long as it took to
associate the last batch, so that one look usually finds the batch ASSOCIATED.

End User Messaging's quotas are per account and action, and a throttled migration spends most of its time
waiting for their turns: whenever a call waits, calls on other quotas are made in the wait (`Pacer.meanwhile`):
the owner's policy reads ahead, always; the DryRun sends and the consumers' describe calls of a step, which take
their turns together (turns.py) instead of one consumer after the other.
"""

from eum_share.logic.batch.loop import Progress, advance_chunk
from eum_share.logic.batch.run import consumers_prove_principals

__all__ = ["Progress", "advance_chunk", "consumers_prove_principals"]
