"""RAM throttled while writing many resource policies at once: emptied policies behind ASSOCIATED statuses.

AWS's sharing guide: associate in batches of 10 or fewer, add principals before resources, and verify the
policies after each batch, because a throttled RAM can remove a policy without writing the new one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
OTHER_CONSUMER = "777788889999"
REGION = "us-east-1"


def _accepted_share(aws: OfflineAWS, consumer: str, name: str = "eum") -> str:
    ram = aws.client("ram", account=OWNER)
    share: str = ram.create_resource_share(name=name, principals=[consumer])["resourceShare"]["resourceShareArn"]
    theirs = aws.client("ram", account=consumer)
    (invitation,) = theirs.get_resource_share_invitations(resourceShareArns=[share])["resourceShareInvitations"]
    theirs.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    return share


def _statuses(ram: Any, share: str) -> list[str]:
    statuses: list[str] = []
    kwargs: dict[str, Any] = {"associationType": "RESOURCE", "resourceShareArns": [share]}
    while True:
        page = ram.get_resource_share_associations(**kwargs)
        statuses += [a["status"] for a in page["resourceShareAssociations"]]
        if "nextToken" not in page:
            return statuses
        kwargs["nextToken"] = page["nextToken"]


def test_associating_100_resources_at_once_leaves_some_associated_without_a_policy(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given RAM that empties a policy whenever it is throttled, and a share with an accepted consumer
    aws = offline_factory(policy_write_capacity=20, empty_policy_rate=1.0)
    share = _accepted_share(aws, CONSUMER)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(100)]
    ram = aws.client("ram", account=OWNER)

    # When all 100 numbers are associated in one call
    ram.associate_resource_share(resourceShareArn=share, resourceArns=numbers)
    aws.world.settle()

    # Then every association reports ASSOCIATED, yet some numbers have no policy: the consumer cannot use them
    assert set(_statuses(ram, share)) == {"ASSOCIATED"}
    unusable = [n for n in numbers if aws.sms.policy_document(n) is None]
    assert unusable
    assert not any(aws.sms.visible_to(CONSUMER, n) for n in unusable)
    assert aws.world.faults.injected["empty-policy"] == len(unusable)


def test_batches_of_10_never_empty_a_policy(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given the same fault-prone RAM with its default capacity, and a share with an accepted consumer
    aws = offline_factory(empty_policy_rate=1.0)
    share = _accepted_share(aws, CONSUMER)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(100)]
    ram = aws.client("ram", account=OWNER)

    # When the numbers are associated 10 at a time, waiting for each batch to be ASSOCIATED
    for start in range(0, len(numbers), 10):
        ram.associate_resource_share(resourceShareArn=share, resourceArns=numbers[start : start + 10])
        aws.world.settle()
        assert set(_statuses(ram, share)) == {"ASSOCIATED"}

    # Then every number is granted to the consumer and no fault was injected
    assert all(aws.sms.visible_to(CONSUMER, n) for n in numbers)
    assert "empty-policy" not in aws.world.faults.injected


def test_adding_a_principal_to_a_share_holding_many_resources_empties_policies(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given a share already holding 100 associated numbers and no principal
    aws = offline_factory(policy_write_capacity=20, empty_policy_rate=1.0)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(100)]
    ram = aws.client("ram", account=OWNER)
    share = ram.create_resource_share(name="eum", resourceArns=numbers)["resourceShare"]["resourceShareArn"]
    aws.world.settle()
    assert "empty-policy" not in aws.world.faults.injected  # no principal: nothing to write yet

    # When a consumer is added and accepts, so RAM rewrites all 100 policies at once
    ram.associate_resource_share(resourceShareArn=share, principals=[CONSUMER])
    consumer = aws.client("ram", account=CONSUMER)
    (invitation,) = consumer.get_resource_share_invitations()["resourceShareInvitations"]
    consumer.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    aws.world.settle()

    # Then the associations are all ASSOCIATED but some numbers are not granted to the consumer
    assert set(_statuses(ram, share)) == {"ASSOCIATED"}
    assert not all(aws.sms.visible_to(CONSUMER, n) for n in numbers)
    assert aws.world.faults.injected["empty-policy"] > 0


def test_a_throttled_write_removes_the_statements_other_shares_had_written(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given 30 numbers already granted to one consumer through a first share, in batches of 10
    aws = offline_factory(policy_write_capacity=20, empty_policy_rate=1.0)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(30)]
    ram = aws.client("ram", account=OWNER)
    first = _accepted_share(aws, CONSUMER, name="first")
    for start in range(0, 30, 10):
        ram.associate_resource_share(resourceShareArn=first, resourceArns=numbers[start : start + 10])
        aws.world.settle()
    assert all(aws.sms.visible_to(CONSUMER, n) for n in numbers)

    # When all 30 are associated at once with a second share for another consumer
    second = _accepted_share(aws, OTHER_CONSUMER, name="second")
    ram.associate_resource_share(resourceShareArn=second, resourceArns=numbers)
    aws.world.settle()

    # Then the first consumer lost numbers it had, though both shares report every number ASSOCIATED
    assert set(_statuses(ram, first)) == set(_statuses(ram, second)) == {"ASSOCIATED"}
    assert not all(aws.sms.visible_to(CONSUMER, n) for n in numbers)


def test_without_the_fault_throttled_writes_are_delayed_and_complete(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given RAM that never empties a policy, and a share with an accepted consumer
    aws = offline_factory(policy_write_capacity=20, empty_policy_rate=0.0)
    share = _accepted_share(aws, CONSUMER)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(100)]
    ram = aws.client("ram", account=OWNER)

    # When 100 numbers are associated at once
    ram.associate_resource_share(resourceShareArn=share, resourceArns=numbers)
    aws.clock.advance(aws.world.faults.config.association_seconds)

    # Then only as many as RAM can write at once are ASSOCIATED after the usual delay ...
    assert _statuses(ram, share).count("ASSOCIATED") == 20
    assert aws.world.faults.injected["policy-write-delayed"] == 80

    # ... and in the end every number is ASSOCIATED and granted
    aws.world.settle()
    assert set(_statuses(ram, share)) == {"ASSOCIATED"}
    assert all(aws.sms.visible_to(CONSUMER, n) for n in numbers)
