"""A consumer's view of the share is read through every page: RAM's paginated operations "can occasionally return
an empty set of results even when there are more results available" (GetResourceShares, RAM API reference)."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber
from eum_share.dal.ram import share_visible

SHARE = "arn:aws:ram:us-east-1:111122223333:resource-share/abc"


def _consumer(pages: list[dict[str, Any]]) -> Any:
    client = boto3.client("ram", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stubber = Stubber(client)
    for page in pages:
        stubber.add_response("get_resource_shares", page)
    stubber.activate()
    return lambda service: client


def test_a_share_listed_after_an_empty_page_is_visible() -> None:
    # Given RAM answers an empty first page that still carries a next token, and the share on the next
    consumer = _consumer(
        [
            {"resourceShares": [], "nextToken": "more"},
            {"resourceShares": [{"resourceShareArn": SHARE, "name": "s", "status": "ACTIVE"}]},
        ]
    )

    # When the consumer's view is read
    # Then the share is visible
    assert share_visible(consumer, SHARE) is True
