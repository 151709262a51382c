"""Invitations: how an account outside the owner's organization joins a share, or does not."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
BYSTANDER = "777788889999"
REGION = "us-east-1"
# RAM User Guide, "Accepting and rejecting resource share invitations": seven days for the resource types it lists,
# "For shared resource types not on the following list, you have 12 hours to accept the invitation". Nothing says
# the sms-voice types are listed: the offline AWS takes the shorter time, the harder one.
TWELVE_HOURS = 12 * 3600.0


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _shared_number(aws: OfflineAWS) -> tuple[str, str]:
    """A share for CONSUMER holding one associated phone number; the invitation is not answered yet."""
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)
    share = ram.create_resource_share(name="eum", principals=[CONSUMER], resourceArns=[number])
    aws.world.settle()
    return str(share["resourceShare"]["resourceShareArn"]), number


def _invitation(ram: Any) -> dict[str, Any]:
    (invitation,) = ram.get_resource_share_invitations()["resourceShareInvitations"]
    return dict(invitation)


def _principal_association(aws: OfflineAWS) -> dict[str, Any]:
    ram = aws.client("ram", account=OWNER)
    (association,) = ram.get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"]
    return dict(association)


def test_an_external_account_gets_a_pending_invitation_and_sees_nothing_yet(aws: OfflineAWS) -> None:
    # Given a share for an account outside the owner's organization, with a number associated
    share, number = _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)

    # When the consumer looks before answering the invitation
    invitation = _invitation(consumer)

    # Then the invitation is pending, but no share, resource or grant is visible yet
    assert (invitation["status"], invitation["resourceShareArn"]) == ("PENDING", share)
    assert (invitation["senderAccountId"], invitation["receiverAccountId"]) == (OWNER, CONSUMER)
    assert consumer.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    assert consumer.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"] == []
    assert not aws.sms.visible_to(CONSUMER, number)
    assert _principal_association(aws)["status"] == "ASSOCIATING"


def test_after_accepting_the_consumer_sees_the_share_and_is_granted_the_resources(aws: OfflineAWS) -> None:
    # Given a pending invitation
    share, number = _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)

    # When the consumer accepts it and RAM has written the policies
    answer = consumer.accept_resource_share_invitation(
        resourceShareInvitationArn=_invitation(consumer)["resourceShareInvitationArn"]
    )
    aws.world.settle()

    # Then the invitation is accepted, the share and its resource are visible, and the policy grants it
    assert answer["resourceShareInvitation"]["status"] == "ACCEPTED"
    shares = consumer.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"]
    assert [s["resourceShareArn"] for s in shares] == [share]
    resources = consumer.list_resources(resourceOwner="OTHER-ACCOUNTS")["resources"]
    assert [(r["arn"], r["status"]) for r in resources] == [(number, "AVAILABLE")]
    assert aws.sms.visible_to(CONSUMER, number)
    assert _principal_association(aws)["status"] == "ASSOCIATED"


def test_an_invitation_is_only_visible_to_the_account_invited(aws: OfflineAWS) -> None:
    # Given a pending invitation for the consumer
    _shared_number(aws)

    # When another account lists its invitations
    invitations = aws.client("ram", account=BYSTANDER).get_resource_share_invitations()

    # Then it has none
    assert invitations["resourceShareInvitations"] == []


def test_a_rejected_invitation_leaves_the_consumer_without_access(aws: OfflineAWS) -> None:
    # Given a pending invitation
    _, number = _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)
    arn = _invitation(consumer)["resourceShareInvitationArn"]

    # When the consumer rejects it
    answer = consumer.reject_resource_share_invitation(resourceShareInvitationArn=arn)
    aws.world.settle()

    # Then the invitation is REJECTED, the owner sees the principal FAILED with a reason, nothing is granted
    assert answer["resourceShareInvitation"]["status"] == "REJECTED"
    association = _principal_association(aws)
    assert association["status"] == "FAILED"
    assert "rejected" in association["statusMessage"]
    assert consumer.get_resource_shares(resourceOwner="OTHER-ACCOUNTS")["resourceShares"] == []
    assert not aws.sms.visible_to(CONSUMER, number)


def test_a_rejected_invitation_cannot_be_accepted(aws: OfflineAWS) -> None:
    # Given a rejected invitation
    _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)
    arn = _invitation(consumer)["resourceShareInvitationArn"]
    consumer.reject_resource_share_invitation(resourceShareInvitationArn=arn)

    # When the consumer then accepts it
    with pytest.raises(ClientError) as error:
        consumer.accept_resource_share_invitation(resourceShareInvitationArn=arn)

    # Then RAM says it was already rejected
    assert _code(error) == "ResourceShareInvitationAlreadyRejectedException"


def test_accepting_twice_says_already_accepted(aws: OfflineAWS) -> None:
    # Given an accepted invitation
    _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)
    arn = _invitation(consumer)["resourceShareInvitationArn"]
    consumer.accept_resource_share_invitation(resourceShareInvitationArn=arn)

    # When it is accepted again without a client token
    with pytest.raises(ClientError) as error:
        consumer.accept_resource_share_invitation(resourceShareInvitationArn=arn)

    # Then RAM says it was already accepted
    assert _code(error) == "ResourceShareInvitationAlreadyAcceptedException"


def test_an_invitation_expires_after_twelve_hours(aws: OfflineAWS) -> None:
    # Given a pending invitation
    _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)
    arn = _invitation(consumer)["resourceShareInvitationArn"]

    # When twelve hours pass without an answer
    aws.clock.advance(TWELVE_HOURS)

    # Then the invitation is EXPIRED, cannot be accepted, and the owner sees the principal FAILED
    assert _invitation(consumer)["status"] == "EXPIRED"
    with pytest.raises(ClientError) as error:
        consumer.accept_resource_share_invitation(resourceShareInvitationArn=arn)
    assert _code(error) == "ResourceShareInvitationExpiredException"
    assert _principal_association(aws)["status"] == "FAILED"


def test_an_invitation_is_still_pending_just_before_twelve_hours(aws: OfflineAWS) -> None:
    # Given a pending invitation
    _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)

    # When a little less than twelve hours pass
    aws.clock.advance(TWELVE_HOURS - 60)

    # Then it can still be accepted
    answer = consumer.accept_resource_share_invitation(
        resourceShareInvitationArn=_invitation(consumer)["resourceShareInvitationArn"]
    )
    assert answer["resourceShareInvitation"]["status"] == "ACCEPTED"


def test_an_expired_invitation_is_counted_as_a_fault(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given invitations that expire after a minute
    aws = offline_factory(invitation_expiry_seconds=60.0)
    _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)

    # When a minute passes without an answer
    aws.clock.advance(60)

    # Then the invitation is EXPIRED and the fault plan counted it once
    assert _invitation(consumer)["status"] == "EXPIRED"
    assert aws.world.faults.injected["invitation-expired"] == 1


def test_a_rejecting_consumer_rejects_the_invitation_when_it_arrives(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Given a consumer whose administrator rejects every invitation
    aws = offline_factory(rejecting_accounts=(CONSUMER,))

    # When the owner shares a number with it and RAM's usual delay passes
    _shared_number(aws)

    # Then the invitation is REJECTED as if the consumer had called RejectResourceShareInvitation
    consumer = aws.client("ram", account=CONSUMER)
    assert _invitation(consumer)["status"] == "REJECTED"
    association = _principal_association(aws)
    assert (association["status"], association["statusMessage"]) == (
        "FAILED",
        "The resource share invitation was rejected.",
    )
    assert aws.world.faults.injected["invitation-rejected"] == 1
    with pytest.raises(ClientError) as error:
        consumer.accept_resource_share_invitation(
            resourceShareInvitationArn=_invitation(consumer)["resourceShareInvitationArn"]
        )
    assert _code(error) == "ResourceShareInvitationAlreadyRejectedException"


def test_other_consumers_are_not_affected_by_a_rejecting_one(offline_factory: Callable[..., OfflineAWS]) -> None:
    # Given a rejecting account that is not this share's consumer
    aws = offline_factory(rejecting_accounts=(BYSTANDER,))

    # When the owner shares a number with the consumer
    _shared_number(aws)

    # Then its invitation waits for an answer
    assert _invitation(aws.client("ram", account=CONSUMER))["status"] == "PENDING"
    assert "invitation-rejected" not in aws.world.faults.injected


def test_a_sharing_account_can_have_at_most_20_pending_invitations(aws: OfflineAWS) -> None:
    # Given a share with 20 external accounts that have not answered
    ram = aws.client("ram", account=OWNER)
    externals = [f"5000000000{n:02d}" for n in range(21)]
    share = ram.create_resource_share(name="many", principals=externals[:20])["resourceShare"]["resourceShareArn"]

    # When a 21st external account is added
    with pytest.raises(ClientError) as error:
        ram.associate_resource_share(resourceShareArn=share, principals=externals[20:])

    # Then RAM refuses it as over its limit
    assert _code(error) == "ResourceShareLimitExceededException"


def test_an_accepted_invitation_frees_a_pending_slot(aws: OfflineAWS) -> None:
    # Given 20 pending invitations of which one is accepted
    ram = aws.client("ram", account=OWNER)
    externals = [f"5000000000{n:02d}" for n in range(21)]
    share = ram.create_resource_share(name="many", principals=externals[:20])["resourceShare"]["resourceShareArn"]
    first = aws.client("ram", account=externals[0])
    first.accept_resource_share_invitation(resourceShareInvitationArn=_invitation(first)["resourceShareInvitationArn"])

    # When a 21st external account is added
    answer = ram.associate_resource_share(resourceShareArn=share, principals=externals[20:])

    # Then it is invited
    assert [a["status"] for a in answer["resourceShareAssociations"]] == ["ASSOCIATING"]
    assert _invitation(aws.client("ram", account=externals[20]))["status"] == "PENDING"


def test_a_share_not_yet_accepted_is_unknown_to_the_consumer_by_its_arn(aws: OfflineAWS) -> None:
    """GetResourceShares lists UnknownResourceException ("a specified resource couldn't be found"); the Terraform
    provider's acceptance-tested accepter (internal/service/ram, findResourceShares) reads it as "not found" for a
    share named by ARN, and retries until an accepted share becomes visible."""
    # Given a share whose invitation the consumer has not answered yet
    share, _ = _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)

    # When the consumer asks for that share by its ARN
    with pytest.raises(ClientError) as error:
        consumer.get_resource_shares(resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[share])

    # Then RAM answers UnknownResourceException, not an empty list
    assert _code(error) == "UnknownResourceException"


def test_an_accepted_share_is_found_by_its_arn(aws: OfflineAWS) -> None:
    # Given a share whose invitation the consumer accepted
    share, _ = _shared_number(aws)
    consumer = aws.client("ram", account=CONSUMER)
    consumer.accept_resource_share_invitation(
        resourceShareInvitationArn=_invitation(consumer)["resourceShareInvitationArn"]
    )

    # When the consumer asks for it by its ARN
    shares = consumer.get_resource_shares(resourceOwner="OTHER-ACCOUNTS", resourceShareArns=[share])

    # Then it is there, ACTIVE
    assert [(s["resourceShareArn"], s["status"]) for s in shares["resourceShares"]] == [(share, "ACTIVE")]


def test_invitations_of_a_share_that_never_invited_the_caller_are_an_unknown_resource(aws: OfflineAWS) -> None:
    """GetResourceShareInvitations lists UnknownResourceException; the Terraform provider's accepter
    (findResourceShareInvitations) reads it, like ResourceShareInvitationArnNotFoundException, as "not found"."""
    # Given a share that invited CONSUMER, and an account it never invited
    share, _ = _shared_number(aws)
    bystander = aws.client("ram", account=BYSTANDER)

    # When that account asks for the share's invitations
    with pytest.raises(ClientError) as error:
        bystander.get_resource_share_invitations(resourceShareArns=[share])

    # Then RAM answers UnknownResourceException
    assert _code(error) == "UnknownResourceException"


def test_a_pending_invitation_is_found_by_its_share_arn(aws: OfflineAWS) -> None:
    """The Terraform provider's accepter finds the PENDING invitation to accept by the share's ARN
    (findMaybeResourceShareInvitationByResourceShareARNAndStatus)."""
    # Given a share whose invitation CONSUMER has not answered
    share, _ = _shared_number(aws)

    # When CONSUMER asks for the share's invitations
    invitations = aws.client("ram", account=CONSUMER).get_resource_share_invitations(resourceShareArns=[share])

    # Then the pending invitation is there
    assert [i["status"] for i in invitations["resourceShareInvitations"]] == ["PENDING"]
