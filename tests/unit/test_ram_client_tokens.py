"""Client tokens derived from what each RAM call sends: a retry is answered as the first call was, and a different
call never reuses a token (RAM: "If you retry the operation with the same ClientToken, but with different
parameters, the retry fails with an IdempotentParameterMismatch error")."""

from __future__ import annotations

from eum_share.dal import ram

from twin.offline import OfflineAWS

OWNER = "111122223333"
REGION = "us-east-1"


def _share_and_numbers(aws: OfflineAWS) -> tuple[str, list[str]]:
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(3)]
    share = aws.client("ram", account=OWNER).create_resource_share(name="eum")["resourceShare"]
    return str(share["resourceShareArn"]), numbers


def test_the_same_step_sending_other_resources_is_not_refused_as_a_mismatch(aws: OfflineAWS) -> None:
    # Given a batch associated under its step's token
    share, numbers = _share_and_numbers(aws)
    owner = lambda service: aws.client(service, account=OWNER)  # noqa: E731
    ram.associate(owner, share, "batch-1", resources=numbers[:2])

    # When the same step, run again, sends a different set (one of them was settled meanwhile)
    answer = ram.associate(owner, share, "batch-1", resources=numbers[1:])

    # Then RAM takes it as the new call it is: the number it had not seen is being associated
    assert {a["associatedEntity"] for a in answer} == set(numbers[1:])


def test_a_retry_sending_the_same_resources_in_another_order_is_answered_as_the_first(aws: OfflineAWS) -> None:
    # Given a batch associated under its step's token
    share, numbers = _share_and_numbers(aws)
    owner = lambda service: aws.client(service, account=OWNER)  # noqa: E731
    first = ram.associate(owner, share, "batch-1", resources=numbers)

    # When it is retried with the same resources listed in another order
    again = ram.associate(owner, share, "batch-1", resources=list(reversed(numbers)))

    # Then the answer is the first one, replayed
    assert again == first
    [call, retry] = [c for c in aws.world.calls if c.operation == "AssociateResourceShare"]
    assert retry.params["clientToken"] == call.params["clientToken"]
