"""Half of the RAM and End User Messaging calls throttled (an account shared with other automation, a Region under
load): the batches take about what their slowest quota needs, not the sum of every quota's waits.

The slowest is the owner's policy reads: each identity's policy is read before anything changes it, one read a
second ("GetResourcePolicy" at End User Messaging's most restrictive published rate, dal/quotas.py), and a throttled
attempt uses its turn (docs/aws-assumptions.md), so at 50% each read takes two turns on average. The consumers'
describe calls and DryRun sends, in other accounts, and RAM's calls go in the waits between those reads."""

from __future__ import annotations

import dataclasses

import pytest

from benchmarks.bench import run_size
from benchmarks.rate_model import RateModel

IDENTITIES = 100
THROTTLED = 0.5


def test_throttled_batches_take_about_what_the_owners_policy_reads_need(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the benchmark's rate model with half of the RAM and End User Messaging calls throttled, and AWS's own
    # page sizes (a page of three would add listing calls the benchmark does not make)
    monkeypatch.delenv("EUM_SHARE_OFFLINE_MAX_PAGE_SIZE", raising=False)
    model = dataclasses.replace(RateModel(), throttle_rate=THROTTLED)
    # When eum-share migrates 100 identities
    records, _ = run_size(model, IDENTITIES, ["eum-share"], say=lambda _line: None)
    # Then it succeeds, and its batches took less than twice what the policy reads alone need
    reads_seconds = IDENTITIES / (1 - THROTTLED)
    assert records[0].outcome == "SUCCEEDED"
    assert records[0].unusable == 0
    assert records[0].stateSeconds["AssociateBatches/AdvanceBatches"] < 2 * reads_seconds
