"""BatchWriteItem leaving items unprocessed, as botocore's model of DynamoDB says it may: "If any requested operations
fail because the table's provisioned throughput is exceeded or an internal processing failure occurs, the failed
operations are returned in the UnprocessedItems response parameter." moto never does; the fault plan makes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.ledger_table import create_ledger_table
from twin.offline import OfflineAWS

TABLE = "ledger"


def _puts(count: int) -> list[dict[str, Any]]:
    return [{"PutRequest": {"Item": {"pk": {"S": "m"}, "sk": {"S": f"i{index}"}}}} for index in range(count)]


def _stored(dynamodb: Any) -> list[str]:
    return sorted(item["sk"]["S"] for item in dynamodb.scan(TableName=TABLE)["Items"])


def test_a_batch_write_leaves_the_second_half_unprocessed_and_unwritten(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given a fault plan under which every BatchWriteItem leaves items unprocessed
    aws = offline_factory(unprocessed_write_rate=1.0)
    dynamodb = create_ledger_table(aws, TABLE)
    # When four puts are sent in one call
    answer = dynamodb.batch_write_item(RequestItems={TABLE: _puts(4)})
    # Then the first two are written, and the last two come back unprocessed, not written
    assert _stored(dynamodb) == ["i0", "i1"]
    assert answer["UnprocessedItems"] == {TABLE: _puts(4)[2:]}
    assert aws.world.faults.injected["unprocessed-writes"] == 1


def test_without_the_fault_every_item_is_processed(aws: OfflineAWS) -> None:
    # Given no fault plan / When four puts are sent / Then all are written and none is unprocessed
    dynamodb = create_ledger_table(aws, TABLE)
    answer = dynamodb.batch_write_item(RequestItems={TABLE: _puts(4)})
    assert (_stored(dynamodb), answer["UnprocessedItems"]) == (["i0", "i1", "i2", "i3"], {})
