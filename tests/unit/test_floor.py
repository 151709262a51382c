"""The report's floor is the benchmark's (docs/benchmarks.md, "The floor"), from the migration's own figures."""

from __future__ import annotations

import pytest
from eum_share.logic.floor import floor
from eum_share.models.ledger import IdentityRecord

from benchmarks.rate_model import RateModel, Workload

KINDS = {"PHONE_NUMBER": 130, "SENDER_ID": 40, "POOL": 10, "OPT_OUT_LIST": 21}


def _records() -> list[IdentityRecord]:
    return [
        IdentityRecord(arn=f"arn:aws:sms-voice:us-east-1:111111111111:{kind.lower()}/{i}", type=kind, batch=0, chunk=0)
        for kind, count in KINDS.items()
        for i in range(count)
    ]


@pytest.mark.parametrize("association_seconds", [2.0, 10.0, 37.5])
def test_the_floor_of_a_migration_is_the_benchmarks_floor_for_the_association_ram_took(
    association_seconds: float,
) -> None:
    # Given 201 identities of every kind, and RAM taking `association_seconds` to associate a batch
    records = _records()
    workload = Workload(
        identities=len(records),
        senders=len(records) - KINDS["OPT_OUT_LIST"],
        by_kind=KINDS,
    )
    # When the report's floor is computed; and the benchmark's, no call latency, RAM writing 10 policies at once
    found = floor(records, association_seconds)
    expected = RateModel(association_seconds=association_seconds, latency_seconds=0.0, policy_write_capacity=10)
    # Then they are the same
    assert found.seconds == pytest.approx(expected.floor(workload).seconds)
