"""The ledger's batch writes when DynamoDB leaves items unprocessed: retried with backoff, bounded, never dropped.

BatchWriteItem (botocore's model): "If DynamoDB returns any unprocessed items, you should retry the batch operation on
those items. However, we strongly recommend that you use an exponential backoff algorithm."
"""

from __future__ import annotations

import signal
import types
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from eum_share.dal import ledger as ledger_module
from eum_share.dal.ledger import Ledger
from eum_share.errors import AwsThrottled
from eum_share.models.ledger import BatchRecord, IdentityRecord

from tests.support.ledger_table import create_ledger_table
from twin.offline import OfflineAWS

TABLE = "ledger"
MIGRATION = "mig-1"


def _ledger(aws: OfflineAWS) -> Ledger:
    dynamodb = create_ledger_table(aws, TABLE)
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": f"MIGRATION#{MIGRATION}"}, "sk": {"S": "MIGRATION"}})
    return Ledger(TABLE)


def _plan(identities: int) -> tuple[list[BatchRecord], list[IdentityRecord]]:
    records = [
        IdentityRecord(
            arn=f"arn:aws:sms-voice:us-east-1:111111111111:phone-number/phone-{i:032x}",
            type="PHONE_NUMBER",
            batch=i // 10,
            chunk=0,
        )
        for i in range(identities)
    ]
    return [BatchRecord(index=b, chunk=0) for b in range(identities // 10)], records


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The ledger's waits, recorded instead of slept."""
    waited: list[float] = []
    monkeypatch.setattr(ledger_module, "time", types.SimpleNamespace(sleep=waited.append), raising=False)
    return waited


@pytest.fixture
def bounded() -> Iterator[None]:
    """A write that never ends fails the test instead of hanging it."""

    def give_up(*_: Any) -> None:
        raise TimeoutError("the ledger kept writing")

    previous = signal.signal(signal.SIGALRM, give_up)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_unprocessed_items_are_written_again_after_bounded_waits(
    offline_factory: Callable[..., OfflineAWS], waits: list[float]
) -> None:
    # Given DynamoDB leaving half of some batch writes unprocessed
    aws = offline_factory(unprocessed_write_rate=0.5, seed=3)
    ledger = _ledger(aws)
    batches, identities = _plan(60)
    # When a plan of 60 identities is written
    ledger.write_plan(MIGRATION, batches, identities)
    # Then every identity is in the ledger, and the retries waited first, within the longest wait
    assert sorted(i.arn for i in ledger.all_identities(MIGRATION)) == sorted(i.arn for i in identities)
    assert aws.world.faults.injected["unprocessed-writes"] > 0
    assert len(waits) >= aws.world.faults.injected["unprocessed-writes"]
    assert all(0 <= wait <= ledger_module.UNPROCESSED_LONGEST_WAIT_SECONDS for wait in waits)


def test_items_dynamodb_keeps_leaving_unprocessed_end_in_a_retryable_throttle_and_are_not_lost(
    offline_factory: Callable[..., OfflineAWS], waits: list[float], bounded: None
) -> None:
    # Given DynamoDB leaving some items of every batch write unprocessed
    aws = offline_factory(unprocessed_write_rate=1.0)
    ledger = _ledger(aws)
    batches, identities = _plan(20)
    # When the plan is written, it stops with AwsThrottled (the state machine retries the state)
    with pytest.raises(AwsThrottled, match="unprocessed"):
        ledger.write_plan(MIGRATION, batches, identities)
    # Then, written again once DynamoDB processes everything, no identity is missing
    aws.world.faults.config = replace(aws.world.faults.config, unprocessed_write_rate=0.0)
    ledger.write_plan(MIGRATION, batches, identities)
    assert len(list(ledger.all_identities(MIGRATION))) == 20
