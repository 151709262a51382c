"""Call hooks: something happens in the offline AWS right after a chosen call, as a person would do it then."""

from __future__ import annotations

import pytest

from twin.offline import OfflineAWS

OWNER = "111122223333"


def test_a_hook_fires_once_after_the_nth_matching_call_and_not_for_other_calls(aws: OfflineAWS) -> None:
    # Given a hook on the third CreateResourceShare whose name starts with "b", noting the shares it finds
    ram = aws.client("ram", account=OWNER)
    fired: list[list[str]] = []
    aws.world.after_call(
        "ram",
        "CreateResourceShare",
        lambda: fired.append([s["name"] for s in aws.ram.dump(OWNER, aws.region)["shares"]]),
        nth=3,
        when=lambda params: params["name"].startswith("b"),
    )

    # When shares named a, b1, b2, a2, b3, b4 are created
    for name in ["a", "b1", "b2", "a2", "b3", "b4"]:
        ram.create_resource_share(name=name)

    # Then the hook fired exactly once, right after b3 (the third "b" share)
    assert fired == [["a", "b1", "b2", "a2", "b3"]]


def test_a_failed_call_does_not_count(aws: OfflineAWS) -> None:
    # Given a hook on the first AssociateResourceShare
    fired: list[bool] = []
    aws.world.after_call("ram", "AssociateResourceShare", lambda: fired.append(True))
    ram = aws.client("ram", account=OWNER)

    # When the first call fails (no such share) and the second succeeds
    share = ram.create_resource_share(name="s")["resourceShare"]["resourceShareArn"]
    with pytest.raises(ram.exceptions.UnknownResourceException):
        ram.associate_resource_share(resourceShareArn=share + "0", principals=["444455556666"])
    assert fired == []
    ram.associate_resource_share(resourceShareArn=share, principals=["444455556666"])

    # Then the hook fired after the successful one
    assert fired == [True]


def test_calls_made_while_looking_on_do_not_fire_hooks(aws: OfflineAWS) -> None:
    fired: list[bool] = []
    aws.world.after_call("ram", "GetResourceShares", lambda: fired.append(True))
    with aws.observing():
        aws.client("ram", account=OWNER).get_resource_shares(resourceOwner="SELF")
    assert fired == []


def test_a_hook_needs_a_positive_nth(aws: OfflineAWS) -> None:
    with pytest.raises(ValueError, match="nth"):
        aws.world.after_call("ram", "GetResourceShares", lambda: None, nth=0)
