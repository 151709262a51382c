"""RAM associations: asynchronous lifecycle, the resource policies RAM writes, and paging through them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from twin.offline import OfflineAWS

OWNER = "111122223333"
CONSUMER = "444455556666"
OTHER_CONSUMER = "777788889999"
REGION = "us-east-1"
ASSOCIATION_SECONDS = 2.0  # FaultConfig's default


def _share_with(aws: OfflineAWS, *consumers: str, name: str = "share") -> str:
    """A share whose consumers (outside any organization) have accepted their invitations."""
    ram = aws.client("ram", account=OWNER)
    arn: str = ram.create_resource_share(name=name, principals=list(consumers))["resourceShare"]["resourceShareArn"]
    for consumer in consumers:
        theirs = aws.client("ram", account=consumer)
        for invitation in theirs.get_resource_share_invitations(resourceShareArns=[arn])["resourceShareInvitations"]:
            theirs.accept_resource_share_invitation(resourceShareInvitationArn=invitation["resourceShareInvitationArn"])
    return arn


def _resource_statuses(ram: Any, share_arn: str) -> dict[str, str]:
    found = ram.get_resource_share_associations(associationType="RESOURCE", resourceShareArns=[share_arn])
    return {a["associatedEntity"]: a["status"] for a in found["resourceShareAssociations"]}


def test_an_associated_resource_is_associating_until_the_association_completes(aws: OfflineAWS) -> None:
    # Given a share with an accepted consumer and a phone number
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)

    # When the number is associated
    answer = ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])

    # Then it is ASSOCIATING at first and ASSOCIATED once the association time has passed
    assert [a["status"] for a in answer["resourceShareAssociations"]] == ["ASSOCIATING"]
    assert _resource_statuses(ram, share) == {number: "ASSOCIATING"}
    aws.clock.advance(ASSOCIATION_SECONDS)
    assert _resource_statuses(ram, share) == {number: "ASSOCIATED"}


def test_an_association_is_stamped_with_the_moment_it_completed_not_when_someone_looked(aws: OfflineAWS) -> None:
    # Given a number being associated
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])
    # When the owner looks only long after the association completed
    aws.clock.advance(ASSOCIATION_SECONDS + 60)
    found = ram.get_resource_share_associations(associationType="RESOURCE", resourceShareArns=[share])
    # Then its last update is when RAM finished, the association time after its creation
    association = found["resourceShareAssociations"][0]
    taken = (association["lastUpdatedTime"] - association["creationTime"]).total_seconds()
    assert (association["status"], taken) == ("ASSOCIATED", ASSOCIATION_SECONDS)


def test_an_association_can_fail_with_a_status_message(offline_factory: Callable[..., OfflineAWS]) -> None:
    # ResourceShareAssociation in botocore's model: "statusMessage: A message about the status of the association."
    # Given an offline AWS where every association fails
    aws = offline_factory(fail_rate=1.0)
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)

    # When a number is associated and the association completes
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])
    aws.world.settle()

    # Then the association is FAILED and says why, and no policy grants the consumer
    (association,) = ram.get_resource_share_associations(associationType="RESOURCE")["resourceShareAssociations"]
    assert association["status"] == "FAILED"
    assert association["statusMessage"]
    assert not aws.sms.visible_to(CONSUMER, number)


def test_the_resource_policy_grants_the_consumer_once_associated_and_not_before(aws: OfflineAWS) -> None:
    # Given a share with an accepted consumer and a phone number
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)

    # When the number is associated
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])

    # Then there is no policy while ASSOCIATING, and one granting the consumer once ASSOCIATED
    assert aws.sms.policy_document(number) is None
    assert not aws.sms.visible_to(CONSUMER, number)
    aws.world.settle()
    assert _resource_statuses(ram, share) == {number: "ASSOCIATED"}
    assert aws.sms.visible_to(CONSUMER, number)


def test_list_resources_shows_pending_then_available(aws: OfflineAWS) -> None:
    # Given a share with an accepted consumer and a sender ID
    share = _share_with(aws, CONSUMER)
    sender = aws.sms.add_sender_id(OWNER, REGION, sender_id="BRAND", iso_country="GB")
    ram = aws.client("ram", account=OWNER)

    # When the sender ID is associated
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[sender])

    # Then ListResources reports it PENDING, then AVAILABLE, with its RAM resource type
    (pending,) = ram.list_resources(resourceOwner="SELF", resourceShareArns=[share])["resources"]
    assert (pending["arn"], pending["type"], pending["status"]) == (sender, "sms-voice:SenderId", "PENDING")
    aws.world.settle()
    (available,) = ram.list_resources(resourceOwner="SELF", resourceShareArns=[share])["resources"]
    assert available["status"] == "AVAILABLE"


def test_disassociating_removes_only_that_shares_statements(aws: OfflineAWS) -> None:
    # Given one phone number in two shares, each with its own consumer
    first = _share_with(aws, CONSUMER, name="first")
    second = _share_with(aws, OTHER_CONSUMER, name="second")
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=first, resourceArns=[number])
    ram.associate_resource_share(resourceShareArn=second, resourceArns=[number])
    aws.world.settle()
    assert aws.sms.visible_to(CONSUMER, number)
    assert aws.sms.visible_to(OTHER_CONSUMER, number)

    # When the number leaves the second share
    answer = ram.disassociate_resource_share(resourceShareArn=second, resourceArns=[number])
    assert [a["status"] for a in answer["resourceShareAssociations"]] == ["DISASSOCIATING"]
    aws.world.settle()

    # Then the second consumer lost it, the first keeps it, and the policy still exists
    assert _resource_statuses(ram, second) == {number: "DISASSOCIATED"}
    assert not aws.sms.visible_to(OTHER_CONSUMER, number)
    assert aws.sms.visible_to(CONSUMER, number)
    assert aws.sms.policy_document(number) is not None


def test_deleting_a_share_disassociates_everything_and_removes_its_policies(aws: OfflineAWS) -> None:
    # Given a share holding a pool for an accepted consumer
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    pool = aws.sms.add_pool(OWNER, REGION, members=[number])
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[pool, number])
    aws.world.settle()

    # When the share is deleted
    ram.delete_resource_share(resourceShareArn=share)
    aws.world.settle()

    # Then its associations are DISASSOCIATED and the consumer is no longer granted anything
    assert set(_resource_statuses(ram, share).values()) == {"DISASSOCIATED"}
    principals = ram.get_resource_share_associations(associationType="PRINCIPAL")["resourceShareAssociations"]
    assert {a["status"] for a in principals} == {"DISASSOCIATED"}
    assert not aws.sms.visible_to(CONSUMER, pool)
    assert aws.sms.policy_document(number) is None


def test_retrying_an_association_with_its_client_token_changes_nothing(aws: OfflineAWS) -> None:
    # Given a number associated with a client token, and the association completed
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)
    first = ram.associate_resource_share(resourceShareArn=share, resourceArns=[number], clientToken="batch-1")
    aws.world.settle()

    # When the same call is retried
    again = ram.associate_resource_share(resourceShareArn=share, resourceArns=[number], clientToken="batch-1")

    # Then it answers as the first time and the association stays as it is
    assert again["resourceShareAssociations"] == first["resourceShareAssociations"]
    assert _resource_statuses(ram, share) == {number: "ASSOCIATED"}


def test_following_next_token_finds_every_association_even_past_empty_pages(aws: OfflineAWS) -> None:
    # Given a share with three numbers of which the first was taken out again
    share = _share_with(aws, CONSUMER)
    numbers = [aws.sms.add_phone_number(OWNER, REGION) for _ in range(3)]
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=share, resourceArns=numbers)
    aws.world.settle()
    ram.disassociate_resource_share(resourceShareArn=share, resourceArns=numbers[:1])
    aws.world.settle()

    # When the ASSOCIATED ones are read one per page, following nextToken to the end
    pages: list[list[str]] = []
    kwargs: dict[str, Any] = {
        "associationType": "RESOURCE",
        "associationStatus": "ASSOCIATED",
        "maxResults": 1,
    }
    while True:
        page = ram.get_resource_share_associations(**kwargs)
        pages.append([a["associatedEntity"] for a in page["resourceShareAssociations"]])
        if "nextToken" not in page:
            break
        kwargs["nextToken"] = page["nextToken"]

    # Then a page came back empty with a token, and following the tokens found both associated numbers
    assert pages[0] == []
    assert [n for p in pages for n in p] == numbers[1:]


def test_an_invalid_next_token_is_refused(aws: OfflineAWS) -> None:
    # Given the owner's RAM
    ram = aws.client("ram", account=OWNER)

    # When it sends a token no call gave it
    with pytest.raises(ClientError) as error:
        ram.get_resource_share_associations(associationType="RESOURCE", nextToken="made-up")

    # Then RAM answers InvalidNextTokenException
    assert error.value.response["Error"]["Code"] == "InvalidNextTokenException"


def test_list_principals_shows_who_a_share_is_for(aws: OfflineAWS) -> None:
    # Given a share with an accepted consumer
    share = _share_with(aws, CONSUMER)
    ram = aws.client("ram", account=OWNER)

    # When the owner lists its principals
    principals = ram.list_principals(resourceOwner="SELF")["principals"]

    # Then the consumer is listed for the share, as an external account
    assert [(p["id"], p["resourceShareArn"], p["external"]) for p in principals] == [(CONSUMER, share, True)]


def test_a_statement_the_owner_wrote_survives_the_disassociation(aws: OfflineAWS) -> None:
    # Given a phone number whose owner put its own statement on the policy, then shared it
    number = aws.sms.add_phone_number(OWNER, REGION)
    sms = aws.client("pinpoint-sms-voice-v2", account=OWNER)
    own = {
        "Sid": "OwnerGrant",
        "Effect": "Allow",
        "Principal": {"AWS": OTHER_CONSUMER},
        "Action": "sms-voice:SendTextMessage",
        "Resource": number,
    }
    sms.put_resource_policy(ResourceArn=number, Policy=json.dumps({"Version": "2012-10-17", "Statement": [own]}))
    share = _share_with(aws, CONSUMER)
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])
    aws.world.settle()

    # When the number is disassociated
    ram.disassociate_resource_share(resourceShareArn=share, resourceArns=[number])
    aws.world.settle()

    # Then the consumer of the share lost it, and the owner's own statement is still there
    assert not aws.sms.visible_to(CONSUMER, number)
    statements = json.loads(sms.get_resource_policy(ResourceArn=number)["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["OwnerGrant"]


def test_dump_shows_shares_with_their_associations_as_json(aws: OfflineAWS) -> None:
    # Given a share with a pending consumer and an associating number
    number = aws.sms.add_phone_number(OWNER, REGION)
    aws.client("ram", account=OWNER).create_resource_share(name="eum", principals=[CONSUMER], resourceArns=[number])

    # When the owner's RAM is dumped
    dumped = json.loads(json.dumps(aws.ram.dump(OWNER, REGION)))

    # Then it shows the share, its principal and resource with their statuses, and the invitation sent
    (share,) = dumped["shares"]
    assert (share["name"], share["status"]) == ("eum", "ACTIVE")
    assert [(p["entity"], p["status"]) for p in share["principals"]] == [(CONSUMER, "ASSOCIATING")]
    assert [(r["entity"], r["status"]) for r in share["resources"]] == [(number, "ASSOCIATING")]
    assert [i["status"] for i in dumped["invitationsSent"]] == ["PENDING"]


# ResourceShareAssociationStatus in botocore's model: "ASSOCIATING | ASSOCIATED | FAILED | DISASSOCIATING |
# DISASSOCIATED | SUSPENDED | SUSPENDING | RESTORING". Nothing documents what suspends an association: the twin's
# way in is `suspend_resource` (docs/aws-assumptions.md, "RAM association statuses").


def _associated_number(aws: OfflineAWS) -> tuple[Any, str, str]:
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)
    ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])
    aws.world.settle()
    return ram, share, number


def test_a_suspended_association_is_suspending_then_suspended_and_the_consumer_loses_the_resource(
    aws: OfflineAWS,
) -> None:
    # Given a number associated with a share and visible to its consumer
    ram, share, number = _associated_number(aws)
    assert aws.sms.visible_to(CONSUMER, number)

    # When RAM suspends its association
    aws.ram.suspend_resource(OWNER, REGION, share, number)

    # Then it reads SUSPENDING, then SUSPENDED once the share's statements are gone, and the consumer no longer sees it
    assert _resource_statuses(ram, share) == {number: "SUSPENDING"}
    aws.world.settle()
    assert _resource_statuses(ram, share) == {number: "SUSPENDED"}
    assert not aws.sms.visible_to(CONSUMER, number)


def test_a_restored_association_is_restoring_then_associated_and_the_consumer_sees_the_resource_again(
    aws: OfflineAWS,
) -> None:
    # Given a number whose association RAM suspended
    ram, share, number = _associated_number(aws)
    aws.ram.suspend_resource(OWNER, REGION, share, number)
    aws.world.settle()

    # When RAM lifts the suspension
    aws.ram.restore_resource(OWNER, REGION, share, number)

    # Then it reads RESTORING, then ASSOCIATED, and the consumer sees the number again
    assert _resource_statuses(ram, share) == {number: "RESTORING"}
    aws.world.settle()
    assert _resource_statuses(ram, share) == {number: "ASSOCIATED"}
    assert aws.sms.visible_to(CONSUMER, number)


def test_a_new_resource_association_is_not_listed_until_the_listing_lag_has_passed(
    offline_factory: Callable[..., OfflineAWS],
) -> None:
    # Assumed (docs/aws-assumptions.md, "RAM's lists may lag its writes"): nothing documents that
    # GetResourceShareAssociations reads what AssociateResourceShare just wrote.
    # Given an offline AWS whose RAM lists a resource association only 10 seconds after it was made
    aws = offline_factory(association_listing_lag_seconds=10.0)
    share = _share_with(aws, CONSUMER)
    number = aws.sms.add_phone_number(OWNER, REGION)
    ram = aws.client("ram", account=OWNER)

    # When the number is associated
    answer = ram.associate_resource_share(resourceShareArn=share, resourceArns=[number])

    # Then the call answers ASSOCIATING, the lists show nothing of it at first, and the association once the lag passed
    assert [a["status"] for a in answer["resourceShareAssociations"]] == ["ASSOCIATING"]
    assert _resource_statuses(ram, share) == {}
    assert ram.list_resources(resourceOwner="SELF", resourceShareArns=[share])["resources"] == []
    aws.clock.advance(10.0)
    assert _resource_statuses(ram, share) == {number: "ASSOCIATED"}
