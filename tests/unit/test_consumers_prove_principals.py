"""When the consumers' Owner=SHARED view proves every principal's grant, so the owner need not re-read a policy."""

from __future__ import annotations

import pytest
from eum_share.logic.batch import consumers_prove_principals

OU = "arn:aws:organizations::111111111111:ou/o-abc/ou-abc-11111111"
ORG = "arn:aws:organizations::111111111111:organization/o-abc"


@pytest.mark.parametrize(
    ("principals", "consumers"),
    [
        (["222222222222"], ["222222222222"]),
        (["222222222222", "333333333333"], ["222222222222", "333333333333"]),
        ([OU, "900000000001"], ["222222222222", "900000000001"]),
        ([ORG], ["222222222222"]),
    ],
)
def test_every_principal_is_seen_through_a_consumer(principals: list[str], consumers: list[str]) -> None:
    assert consumers_prove_principals(principals, consumers)


@pytest.mark.parametrize(
    ("principals", "consumers"),
    [
        # An account principal that is no consumer: nobody looks from inside it.
        (["222222222222", "333333333333"], ["222222222222"]),
        # An OU with no consumer of its own: its grant is never looked at.
        ([OU, "900000000001"], ["900000000001"]),
        # Two OUs and one consumer: which of them grants it cannot be told.
        ([OU, ORG], ["222222222222"]),
    ],
)
def test_a_principal_no_consumer_stands_for_is_not_proven(principals: list[str], consumers: list[str]) -> None:
    assert not consumers_prove_principals(principals, consumers)
