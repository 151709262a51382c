"""TransactWriteItems on the offline AWS, as DynamoDB's API reference describes it: "The actions are completed
atomically so that either all of them succeed, or all of them fail"."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support.ledger_table import create_ledger_table
from twin.offline import OfflineAWS

TABLE = "ledger"


def _table(aws: OfflineAWS) -> Any:
    dynamodb = create_ledger_table(aws, TABLE)
    for index in range(3):
        dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "m"}, "sk": {"S": f"i{index}"}, "status": {"S": "OLD"}})
    return dynamodb


def _put(sk: str, status: str, expected: str) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": TABLE,
            "Item": {"pk": {"S": "m"}, "sk": {"S": sk}, "status": {"S": status}},
            "ConditionExpression": "#s = :expected",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":expected": {"S": expected}},
        }
    }


def _statuses(dynamodb: Any) -> dict[str, str]:
    items = dynamodb.scan(TableName=TABLE)["Items"]
    return {item["sk"]["S"]: item["status"]["S"] for item in items}


def test_a_transaction_whose_conditions_hold_writes_every_item(aws: OfflineAWS) -> None:
    dynamodb = _table(aws)
    dynamodb.transact_write_items(TransactItems=[_put("i0", "NEW", "OLD"), _put("i1", "NEW", "OLD")])
    assert _statuses(dynamodb) == {"i0": "NEW", "i1": "NEW", "i2": "OLD"}


def test_a_transaction_with_one_failed_condition_writes_nothing(aws: OfflineAWS) -> None:
    # Given three items, OLD
    dynamodb = _table(aws)
    # When a transaction puts two of them (expecting OLD) and a third expecting a status it does not have
    with pytest.raises(ClientError) as cancelled:
        dynamodb.transact_write_items(
            TransactItems=[_put("i0", "NEW", "OLD"), _put("i1", "NEW", "OLD"), _put("i2", "NEW", "GONE")]
        )
    # Then it is cancelled, the failed condition named, and no item changed
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    codes = [reason["Code"] for reason in cancelled.value.response["CancellationReasons"]]
    assert codes == ["None", "None", "ConditionalCheckFailed"]
    assert _statuses(dynamodb) == {"i0": "OLD", "i1": "OLD", "i2": "OLD"}


def test_a_cancelled_transaction_does_not_leave_an_item_it_created(aws: OfflineAWS) -> None:
    dynamodb = _table(aws)
    new_item = {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "m"}, "sk": {"S": "i9"}, "status": {"S": "NEW"}}}}
    with pytest.raises(ClientError):
        dynamodb.transact_write_items(TransactItems=[new_item, _put("i0", "NEW", "GONE")])
    assert "i9" not in _statuses(dynamodb)
