"""The ledger's DynamoDB table as the stack defines it (pk, sk), for tests that use the ledger without the stack."""

from __future__ import annotations

from typing import Any

from twin.offline import OfflineAWS


def create_ledger_table(aws: OfflineAWS, name: str) -> Any:
    """Creates the table in the offline AWS; returns the DynamoDB client that made it."""
    dynamodb = aws.client("dynamodb")
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb
