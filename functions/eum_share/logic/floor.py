"""The floor: the least time any system could take to make this migration's identities usable by every consumer
and prove it, under AWS's limits (docs/benchmarks.md, "The floor"), from the migration's own figures.

The principals join the share once (one association), then three pipelines that may overlap fully, of which the
slowest binds: RAM's policy writes, ten at a time (AWS's sharing guide: "batch resource associations in groups
of 10 or fewer"), each taking an association; the consumers' DryRun sends at End User Messaging's DryRun rate,
each account in parallel; their Owner=SHARED listings, a page of 100 a request at the Describe actions' rate.
The association is as long as RAM took for this migration's last batch; the benchmark's per-call latency is left out,
as nothing measures it here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from eum_share.dal import quotas
from eum_share.logic.probe import SENDERS
from eum_share.models.base import WireModel
from eum_share.models.ledger import IdentityRecord
from eum_share.models.request import MAX_BATCH_SIZE

LISTING_PAGE = 100  # End User Messaging's largest MaxResults for a Describe* page (botocore's model)
LISTING_PER_SECOND = min(
    quotas.RATES[op] for op in ("DescribePhoneNumbers", "DescribeSenderIds", "DescribePools", "DescribeOptOutLists")
)
NOT_MEASURED = "not computed: RAM's association time was not measured (no batch was associated through RAM)"


class Floor(WireModel):
    seconds: float
    association_seconds: float
    terms: dict[str, float]
    explanation: list[str]


def floor(identities: Sequence[IdentityRecord], association_seconds: float) -> Floor:
    kinds = Counter(identity.type for identity in identities)
    senders = sum(count for kind, count in kinds.items() if kind in SENDERS)
    a = association_seconds
    associations = math.ceil(len(identities) / MAX_BATCH_SIZE) * a
    dry_runs = senders / quotas.DRY_RUN_PER_SECOND
    pages = max((math.ceil(count / LISTING_PAGE) for count in kinds.values()), default=0)
    listings = pages / LISTING_PER_SECOND
    seconds = a + max(associations, dry_runs, listings)
    return Floor(
        seconds=seconds,
        association_seconds=a,
        terms={"principals": a, "associations": associations, "dryRuns": dry_runs, "listings": listings},
        explanation=[
            f"principals join the share: one association, {a:.1f} s (as RAM took for this migration's last batch)",
            f"RAM policy writes: ceil({len(identities)} identities / {MAX_BATCH_SIZE} at once) x {a:.1f} s "
            f"= {associations:.1f} s",
            f"DryRun sends: {senders} sending identities / {quotas.DRY_RUN_PER_SECOND:g} a second, each consumer "
            f"in parallel = {dry_runs:.1f} s",
            f"Owner=SHARED listings: {pages} pages of {LISTING_PAGE} / {LISTING_PER_SECOND:g} a second "
            f"= {listings:.1f} s",
            f"floor = principals + max(policy writes, DryRun sends, listings) = {seconds:.1f} s",
        ],
    )
