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
batch after (still before anything changes them). It then asks to wait as long as RAM took to associate the
last batch, so that one look usually finds the batch ASSOCIATED.
"""

from eum_share.logic.batch.loop import Progress, advance_chunk
from eum_share.logic.batch.run import consumers_prove_principals

__all__ = ["Progress", "advance_chunk", "consumers_prove_principals"]
